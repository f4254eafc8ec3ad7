"""Generator auto-start and grid connect as pure functions of settings, state and time."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from custom_components.diy_solar.policies import grid_connect
from custom_components.diy_solar.policies.generator import (
    Phase,
    Reading,
    Reason,
    Settings,
    State,
    Status,
    hold,
    next_exercise_day,
    service_due,
    serviced,
    start_manual,
    status,
    step,
    stop_manual,
)
from custom_components.diy_solar.policies.schedule import Window

DAY = 739_000
# A realistic clock, at a local midnight of its own: a "now + since" slip does not hide at 0.
EPOCH = 1_780_012_800.0
MIN = 60.0
HOUR = 3600.0


def at(
    t: float,
    soc: float | None = 50,
    *,
    age: float = 5,
    running: bool | None = None,
    volts: float | None = None,
    day: int = DAY,
) -> Reading:
    minute = int((t // 60) % 1440)
    return Reading(
        now=EPOCH + t,
        day=day + int(t // 86400),
        minute_of_day=minute,
        socs=((soc, age),) if soc is not None else (),
        voltage=(volts, 5) if volts is not None else None,
        running=running,
    )


def run(settings: Settings, state: State, readings: list[Reading]) -> State:
    for reading in readings:
        state = step(settings, state, reading)
    return state


BASE = Settings(min_run_s=30 * MIN, cooldown_s=15 * MIN, max_run_s=4 * HOUR)


def test_low_soc_starts_high_soc_stops_after_the_minimum_run() -> None:
    state = step(BASE, State(), at(10 * HOUR, soc=19))
    assert (state.phase, state.reason, state.relay_on) == (Phase.RUNNING, Reason.LOW_SOC, True)
    state = step(BASE, state, at(10 * HOUR + 10 * MIN, soc=85))
    assert state.relay_on  # full, but not run its minimum yet
    state = step(BASE, state, at(10 * HOUR + 31 * MIN, soc=85))
    assert (state.phase, state.relay_on) == (Phase.COOLING_DOWN, False)
    assert state.run_s_today == 31 * MIN
    assert state.starts_today == 1
    # Cool-down: no start for 15 min even at low SOC.
    assert not step(BASE, state, at(10 * HOUR + 40 * MIN, soc=12)).relay_on
    assert step(BASE, state, at(10 * HOUR + 47 * MIN, soc=12)).relay_on


def test_quiet_hours_have_their_own_levels() -> None:
    night = Settings(
        quiet_hours=Window(22 * 60, 7 * 60), quiet_start_soc=10, quiet_stop_soc=40, critical_soc=5
    )
    state = step(night, State(), at(23 * HOUR, soc=15))
    assert not state.relay_on
    assert status(night, state, 23 * 60) is Status.QUIET_HOURS
    assert step(night, state, at(23 * HOUR + 60, soc=9)).relay_on


def test_maximum_run_and_starts_per_day() -> None:
    capped = Settings(max_run_s=HOUR, max_starts_per_day=1, cooldown_s=60)
    state = step(capped, State(), at(0, soc=12))
    state = step(capped, state, at(HOUR, soc=12))
    assert state.phase is Phase.COOLING_DOWN  # still empty, but an hour is the most
    assert not run(capped, state, [at(HOUR + 120, soc=12), at(HOUR + 300, soc=12)]).relay_on
    # A new day: a new start.
    assert step(capped, state, at(86_400 + 600, soc=12)).relay_on


def test_failed_start_retries_then_fails() -> None:
    fb = Settings(feedback=True, start_timeout_s=120, retries=1, retry_delay_s=60)
    state = step(fb, State(), at(0, soc=12, running=False))
    assert state.phase is Phase.STARTING
    state = step(fb, state, at(121, soc=12, running=False))
    assert (state.phase, state.relay_on, state.attempts) == (Phase.COOLING_DOWN, False, 1)
    state = step(fb, state, at(181, soc=12, running=False))
    assert (state.phase, state.reason) == (Phase.STARTING, Reason.RETRY)
    state = step(fb, state, at(302, soc=12, running=False))
    assert (state.phase, state.relay_on) == (Phase.FAILED, False)
    assert not step(fb, state, at(5000, soc=12)).relay_on  # failed waits for a person
    # A running generator is seen through its feedback.
    ok = step(fb, step(fb, State(), at(0, soc=12)), at(30, soc=12, running=True))
    assert ok.phase is Phase.RUNNING


def test_stale_soc_neither_starts_nor_stops() -> None:
    state = step(BASE, State(), at(0, soc=12, age=9999))
    assert (state.relay_on, state.stale) == (False, True)
    running = step(BASE, State(), at(0, soc=12))
    running = step(BASE, running, at(2 * HOUR, soc=95, age=9999))
    assert running.relay_on  # full by a stale reading is no reason to stop
    assert running.stale


def test_trusted_source_first_then_the_next_fresh_one() -> None:
    reading = Reading(now=EPOCH, day=DAY, minute_of_day=0, socs=((90, 9999), (15, 5)))
    assert step(BASE, State(), reading).reason is Reason.LOW_SOC


def test_low_voltage_for_long_enough_starts() -> None:
    volts = Settings(start_voltage=48.0, start_voltage_s=300, stop_voltage=55.0)
    state = step(volts, State(), at(0, soc=None, volts=47.5))
    assert not state.relay_on
    state = step(volts, state, at(301, soc=None, volts=47.9))
    assert (state.relay_on, state.reason) == (True, Reason.LOW_VOLTAGE)
    state = step(volts, state, at(301 + 1801, soc=None, volts=55.2))
    assert not state.relay_on


def test_manual_run_for_a_duration_and_manual_stop() -> None:
    state = start_manual(BASE, State(), at(0), 2 * HOUR)
    state = step(BASE, state, at(HOUR, soc=99))
    assert state.relay_on  # a manual run ignores the stop level
    assert not step(BASE, state, at(2 * HOUR, soc=99)).relay_on
    state = stop_manual(start_manual(BASE, State(), at(0), HOUR), at(60))
    assert state.phase is Phase.COOLING_DOWN


def test_exercise_every_n_days() -> None:
    weekly = Settings(exercise_days=7, exercise_minute=10 * 60, exercise_s=15 * MIN)
    state = step(weekly, State(), at(9 * HOUR, soc=60))
    assert not state.relay_on
    state = step(weekly, state, at(10 * HOUR, soc=60))
    assert (state.relay_on, state.reason) == (True, Reason.EXERCISE)
    state = step(weekly, state, at(10 * HOUR + 15 * MIN, soc=60))
    assert not state.relay_on
    assert next_exercise_day(weekly, state, DAY) == DAY + 7


def test_state_survives_json() -> None:
    state = step(BASE, State(), at(0, soc=5))
    assert State.from_dict(json.loads(json.dumps(state.to_dict()))) == state


GC = grid_connect.Settings(
    connect_below_v=51.2, connect_after_s=240, disconnect_above_v=54.0, disconnect_after_s=600
)


SAFE = Settings(
    min_run_s=30 * MIN,
    cooldown_s=15 * MIN,
    max_run_s=4 * HOUR,
    max_starts_per_day=1,
    critical_soc=10,
    max_run_hard_s=8 * HOUR,
    quiet_hours=Window(0, 24 * 60 - 1),  # quiet all day but the last minute
    quiet_start_soc=12,
)


@pytest.mark.parametrize(("soc", "starts"), [(10.1, False), (10.0, True), (9.9, True)])
def test_a_critical_bank_starts_past_quiet_hours_the_daily_starts_and_the_cool_down(
    soc: float, starts: bool
) -> None:
    state = step(SAFE, State(), at(HOUR, soc=11))  # the day's one start (quiet level)
    assert state.reason is Reason.LOW_SOC
    state = step(SAFE, state, at(HOUR + 31 * MIN, soc=85))  # full: stops
    assert (state.phase, state.starts_today) == (Phase.COOLING_DOWN, 1)
    again = step(SAFE, state, at(HOUR + 32 * MIN, soc=soc))  # in its cool-down
    assert again.relay_on is starts
    assert (again.reason is Reason.CRITICAL) is starts


@pytest.mark.parametrize(("volts", "starts"), [(44.1, False), (44.0, True)])
def test_a_critical_voltage_starts_at_once(volts: float, starts: bool) -> None:
    settings = Settings(critical_soc=None, critical_voltage=44.0, start_voltage=46.0)
    assert step(settings, State(), at(HOUR, None, volts=volts)).relay_on is starts


def test_a_critical_bank_runs_past_the_maximum_until_the_stop_level() -> None:
    path = []
    state = step(SAFE, State(), at(HOUR, soc=8))
    for t, soc in ((5 * HOUR - 1, 9), (5 * HOUR, 9), (7 * HOUR, 40), (8 * HOUR, 81)):
        state = step(SAFE, state, at(t, soc=soc))
        path.append((t / HOUR, state.phase.value, state.extended))
    assert path == [
        (5 - 1 / HOUR, "running", False),
        (5, "running", True),  # 4 h run: extended, the bank is critical
        (7, "running", True),  # no longer critical, but not at the stop level yet
        (8, "cooling_down", False),  # stop level
    ]


def test_the_maximum_run_stops_a_bank_that_is_low_but_not_critical() -> None:
    state = step(SAFE, State(), at(HOUR, soc=4))
    state = step(SAFE, state, at(4 * HOUR, soc=11))
    assert state.relay_on
    assert step(SAFE, state, at(5 * HOUR, soc=11)).phase is Phase.COOLING_DOWN


def test_the_hard_ceiling_stops_even_a_critical_run() -> None:
    state = step(SAFE, State(), at(HOUR, soc=4))
    state = step(SAFE, state, at(9 * HOUR - 1, soc=4))
    assert state.relay_on and state.extended
    stopped = step(SAFE, state, at(9 * HOUR, soc=4))
    assert (stopped.phase, stopped.stopped_at) == (Phase.COOLING_DOWN, EPOCH + 9 * HOUR)


def test_a_failed_generator_still_waits_for_a_person() -> None:
    failed = State(phase=Phase.FAILED)
    assert not step(SAFE, failed, at(HOUR, soc=1)).relay_on


@pytest.mark.parametrize(("run_h", "due"), [(249.9, False), (250.0, True)])
def test_the_service_reminder_counts_run_time_and_is_reset(run_h: float, due: bool) -> None:
    settings = Settings(service_interval_s=250 * HOUR)
    state = State(service_run_s=run_h * HOUR - 60, phase=Phase.RUNNING, last_at=EPOCH)
    state = step(settings, state, at(60, soc=50))
    assert service_due(settings, state) is due
    assert not service_due(settings, serviced(state))
    assert not service_due(Settings(), state)  # no interval: no reminder


def test_service_counting_resets_to_nothing_and_any_interval_reminds() -> None:
    state = State(service_run_s=5.0)
    assert serviced(state).service_run_s == 0.0
    assert service_due(Settings(service_interval_s=1.0), state)


def test_a_start_that_does_not_show_is_stopped_after_its_time_not_before() -> None:
    """Along the path: the start time at its limit, the retry, the failure's count."""
    fb = Settings(feedback=True, start_timeout_s=120, retries=1, retry_delay_s=60)
    path = []
    state = State()
    for t in (0, 60, 120, 121, 180, 181, 301, 302):
        state = step(fb, state, at(t, soc=12, running=False))
        path.append((t, state.phase, state.attempts, state.retry_pending))
    assert path == [
        (0, Phase.STARTING, 0, False),
        (60, Phase.STARTING, 0, False),
        (120, Phase.STARTING, 0, False),  # at the start time: still waiting
        (121, Phase.COOLING_DOWN, 1, True),
        (180, Phase.COOLING_DOWN, 1, True),  # the retry waits its delay
        (181, Phase.STARTING, 1, False),
        (301, Phase.STARTING, 1, False),
        (302, Phase.FAILED, 2, False),  # past its retries: failed, with its count
    ]
    assert state.stopped_at == EPOCH + 302


def test_a_retry_that_runs_clears_the_count_when_it_stops() -> None:
    fb = Settings(feedback=True, start_timeout_s=120, retries=2, retry_delay_s=60, min_run_s=60)
    state = run(fb, State(), [at(0, soc=12, running=False), at(121, soc=12, running=False)])
    assert (state.attempts, state.retry_pending) == (1, True)
    state = run(fb, state, [at(181, soc=12, running=False), at(200, soc=12, running=True)])
    assert (state.phase, state.reason, state.retry_pending) == (Phase.RUNNING, Reason.RETRY, False)
    state = step(fb, state, at(400, soc=85))
    assert (state.phase, state.attempts, state.stopped_at) == (Phase.COOLING_DOWN, 0, EPOCH + 400)


def test_a_manual_stop_of_a_waiting_retry_cancels_it() -> None:
    fb = Settings(feedback=True, start_timeout_s=120, retries=2, retry_delay_s=60)
    state = run(fb, State(), [at(0, soc=12, running=False), at(121, soc=12, running=False)])
    stopped = stop_manual(state, at(130))
    assert replace(state, retry_pending=False) == stopped
    assert not step(fb, stopped, at(181, soc=12, running=False)).relay_on  # no retry
    running = start_manual(BASE, State(), at(0), HOUR)
    assert stop_manual(running, at(90)).stopped_at == EPOCH + 90


def test_a_manual_run_on_a_running_generator_extends_it_and_a_fresh_one_starts_clean() -> None:
    state = step(BASE, State(), at(0, soc=12))
    longer = start_manual(BASE, state, at(60), 3 * HOUR)
    assert (longer.phase, longer.reason, longer.manual_until) == (
        Phase.RUNNING,
        Reason.MANUAL,
        EPOCH + 60 + 3 * HOUR,
    )
    assert longer.started_at == state.started_at  # the same run goes on
    failed = State(phase=Phase.OFF, attempts=3)
    fresh = start_manual(BASE, failed, at(0), HOUR)
    assert (fresh.phase, fresh.reason, fresh.attempts) == (Phase.RUNNING, Reason.MANUAL, 0)
    ended = step(BASE, fresh, at(HOUR, soc=50))
    assert (ended.phase, ended.stopped_at, ended.manual_until) == (
        Phase.COOLING_DOWN,
        EPOCH + HOUR,
        None,
    )


@pytest.mark.parametrize(("soc", "starts"), [(20.1, False), (20.0, True), (19.9, True)])
def test_the_start_level_at_and_around_it(soc: float, starts: bool) -> None:
    assert step(BASE, State(), at(HOUR, soc=soc)).relay_on is starts


@pytest.mark.parametrize(("soc", "stops"), [(79.9, False), (80.0, True), (80.1, True)])
def test_the_stop_level_at_and_around_it(soc: float, stops: bool) -> None:
    state = step(BASE, State(), at(0, soc=12))
    assert step(BASE, state, at(HOUR, soc=soc)).relay_on is not stops


@pytest.mark.parametrize(("minutes", "stops"), [(29, False), (30, True)])
def test_the_minimum_run_at_its_limit(minutes: int, stops: bool) -> None:
    state = step(BASE, State(), at(0, soc=12))
    assert step(BASE, state, at(minutes * MIN, soc=90)).relay_on is not stops


@pytest.mark.parametrize(("age", "starts"), [(600, True), (601, False)])
def test_a_reading_as_old_as_the_stale_limit_still_counts(age: float, starts: bool) -> None:
    assert step(BASE, State(), at(0, soc=12, age=age)).relay_on is starts


def test_a_run_whose_start_is_unknown_counts_as_just_begun() -> None:
    """A state restored without its start time: it runs its minimum from now."""
    settings = Settings(min_run_s=1.0)
    state = State(phase=Phase.RUNNING, reason=Reason.LOW_SOC)
    assert step(settings, state, at(0, soc=95)).relay_on


def test_with_a_soc_the_stop_voltage_does_not_stop_it() -> None:
    both = Settings(stop_voltage=55.0, min_run_s=60)
    state = step(both, State(), at(0, soc=12, volts=47.0))
    assert step(both, state, at(HOUR, soc=50, volts=56.0)).relay_on  # the SOC decides
    volts_only = step(both, State(), at(0, soc=None, volts=46.0, age=5))
    volts_only = replace(volts_only, phase=Phase.RUNNING, started_at=EPOCH)
    assert step(both, volts_only, at(HOUR, soc=None, volts=54.9)).relay_on
    assert not step(both, volts_only, at(HOUR, soc=None, volts=55.0)).relay_on  # at it


@pytest.mark.parametrize(
    ("volts", "after", "starts"), [(48.0, 300, True), (48.0, 299, False), (48.1, 300, False)]
)
def test_low_voltage_at_its_level_and_its_time(volts: float, after: float, starts: bool) -> None:
    settings = Settings(start_voltage=48.0, start_voltage_s=300)
    state = step(settings, State(), at(0, soc=None, volts=volts))
    assert step(settings, state, at(after, soc=None, volts=volts)).relay_on is starts


def test_a_voltage_level_without_a_voltage_source_is_no_error() -> None:
    settings = Settings(start_voltage=48.0, start_voltage_s=300)
    state = run(settings, State(), [at(0, soc=50), at(400, soc=50)])
    assert (state.relay_on, state.voltage_low_since) == (False, None)


def test_quiet_hours_stop_at_their_own_level_and_only_in_them() -> None:
    night = Settings(quiet_hours=Window(22 * 60, 7 * 60), quiet_stop_soc=50, min_run_s=60)
    evening = step(night, State(), at(20 * HOUR, soc=12))
    assert step(night, evening, at(21 * HOUR, soc=55)).relay_on  # not quiet yet: 80 %
    assert not step(night, evening, at(22 * HOUR, soc=55)).relay_on  # quiet: 50 %


@pytest.mark.parametrize(
    ("hour", "minute", "shown"), [(12, 0, Status.OFF), (23, 0, Status.QUIET_HOURS)]
)
def test_the_status_is_quiet_hours_only_while_off_in_them(
    hour: int, minute: int, shown: Status
) -> None:
    night = Settings(quiet_hours=Window(22 * 60, 7 * 60))
    assert status(night, State(), hour * 60 + minute) is shown
    assert status(night, State(phase=Phase.RUNNING), hour * 60 + minute) is Status.RUNNING
    assert status(BASE, State(), hour * 60 + minute) is Status.OFF


def test_a_critical_start_drops_a_pending_retry() -> None:
    state = State(phase=Phase.COOLING_DOWN, stopped_at=EPOCH, retry_pending=True, attempts=1)
    started = step(BASE, state, at(10, soc=5))
    assert (started.reason, started.retry_pending) == (Reason.CRITICAL, False)


def test_run_time_adds_up_over_runs_and_not_when_the_clock_stands() -> None:
    state = step(BASE, State(), at(0, soc=12))
    state = run(BASE, state, [at(30 * MIN, soc=50), at(30 * MIN, soc=50), at(HOUR, soc=90)])
    assert (state.phase, state.total_run_s, state.run_s_today) == (Phase.COOLING_DOWN, HOUR, HOUR)
    state = run(BASE, state, [at(2 * HOUR, soc=12), at(3 * HOUR, soc=90)])
    assert (state.total_run_s, state.service_run_s) == (2 * HOUR, 2 * HOUR)


def test_exercise_runs_its_length_every_n_days_to_the_day() -> None:
    weekly = Settings(exercise_days=7, exercise_minute=10 * 60, exercise_s=15 * MIN, cooldown_s=60)
    path = []
    state = State()
    for day in range(9):
        for minutes in (10 * 60, 10 * 60 + 14, 10 * 60 + 15):
            state = step(weekly, state, at(day * 86400 + minutes * MIN, soc=60))
            path.append(state.relay_on)
    runs = [path[i : i + 3] for i in range(0, len(path), 3)]
    assert runs[0] == [True, True, False]  # 15 minutes, not less
    assert runs[1:7] == [[False, False, False]] * 6
    assert runs[7] == [True, True, False]  # a week later to the day
    assert runs[8] == [False, False, False]


def gc(
    t: float, volts: float | None, *, grid_v: float = 230, hz: float = 50, age: float = 5
) -> grid_connect.Reading:
    return grid_connect.Reading(EPOCH + t, volts, age, grid_v, hz)


def test_grid_connects_after_low_voltage_and_disconnects_after_recovery() -> None:
    state = grid_connect.State()
    state = grid_connect.step(GC, state, gc(0, 51.0))
    state = grid_connect.step(GC, state, gc(239, 51.0))
    assert not state.connected
    state = grid_connect.step(GC, state, gc(240, 51.1))
    assert (state.connected, state.reason) == (True, grid_connect.Reason.BATTERY_LOW)
    state = grid_connect.step(GC, state, gc(300, 54.5))
    state = grid_connect.step(GC, state, gc(800, 53.9))  # dipped: the timer starts over
    state = grid_connect.step(GC, state, gc(900, 54.5))
    state = grid_connect.step(GC, state, gc(1499, 54.5))
    assert state.connected
    state = grid_connect.step(GC, state, gc(1500, 54.5))
    assert (state.connected, state.reason) == (False, grid_connect.Reason.BATTERY_RECOVERED)


def test_grid_out_of_band_is_never_connected() -> None:
    state = grid_connect.step(GC, grid_connect.State(), gc(0, 50.0, hz=51.2))
    state = grid_connect.step(GC, state, gc(600, 50.0, hz=51.2))
    assert not state.connected
    connected = grid_connect.State(connected=True)
    assert not grid_connect.step(GC, connected, gc(0, 50.0, grid_v=190)).connected


def test_stale_battery_keeps_or_fails_safe() -> None:
    kept = grid_connect.step(GC, grid_connect.State(), gc(0, 50.0, age=999))
    assert (kept.connected, kept.reason) == (False, grid_connect.Reason.STALE_KEPT)
    safe = grid_connect.Settings(connect_when_stale=True)
    failsafe = grid_connect.step(safe, grid_connect.State(), gc(0, None))
    assert (failsafe.connected, failsafe.reason) == (True, grid_connect.Reason.STALE_FAILSAFE)


def gc2(
    t: float,
    volts: float = 51.0,
    *,
    amps: float | None = -10.0,
    grid_age: float = 5.0,
    phases: tuple[float | None, ...] = (),
    grid_v: float = 230.0,
) -> grid_connect.Reading:
    return grid_connect.Reading(
        EPOCH + t, volts, 5.0, grid_v, 50.0, grid_age_s=grid_age, battery_a=amps, phases=phases
    )


@pytest.mark.parametrize(("amps", "counts"), [(-1.1, True), (-1.0, False), (5.0, False)])
def test_a_low_battery_counts_only_while_it_discharges(amps: float, counts: bool) -> None:
    state = grid_connect.step(GC, grid_connect.State(), gc2(0, amps=amps))
    state = grid_connect.step(GC, state, gc2(240, amps=amps))
    assert state.connected is counts


def test_charging_starts_the_low_timer_over() -> None:
    state = grid_connect.step(GC, grid_connect.State(), gc2(0))
    state = grid_connect.step(GC, state, gc2(200, amps=3.0))  # the sun: charging
    state = grid_connect.step(GC, state, gc2(239))
    state = grid_connect.step(GC, state, gc2(439))
    assert not state.connected  # 200 s of discharging since the charge, not 240
    assert grid_connect.step(GC, state, gc2(479)).connected


@pytest.mark.parametrize(("age", "connected"), [(60.0, True), (60.1, False)])
def test_stale_grid_readings_count_as_a_bad_grid(age: float, connected: bool) -> None:
    state = grid_connect.State(connected=True)
    state = grid_connect.step(GC, state, gc2(0, grid_age=age))
    assert state.connected is connected
    assert (state.reason is grid_connect.Reason.GRID_STALE) is not connected


@pytest.mark.parametrize(
    ("phases", "reason"),
    [
        ((225.0, 235.0), None),  # 10 V apart: at the limit
        ((225.0, 235.1), grid_connect.Reason.PHASES_UNBALANCED),
        ((225.0, None), grid_connect.Reason.GRID_NOT_NOMINAL),  # a phase without a reading
    ],
)
def test_three_phases_must_agree(
    phases: tuple[float | None, ...], reason: grid_connect.Reason | None
) -> None:
    settings = replace(GC, max_asymmetry_v=10.0)
    state = grid_connect.step(settings, grid_connect.State(connected=True), gc2(0, phases=phases))
    assert state.connected is (reason is None)
    if reason is not None:
        assert state.reason is reason


@pytest.mark.parametrize(
    ("grid_v", "hz", "nominal"),
    [
        (207.0, 50.0, True),  # the band's ends are in it
        (253.0, 50.0, True),
        (206.9, 50.0, False),
        (253.1, 50.0, False),
        (230.0, 49.5, True),
        (230.0, 50.5, True),
        (230.0, 49.4, False),
        (230.0, 50.6, False),
    ],
)
def test_the_grid_bands_at_their_ends(grid_v: float, hz: float, nominal: bool) -> None:
    state = grid_connect.step(
        GC, grid_connect.State(connected=True), gc(0, 52.0, grid_v=grid_v, hz=hz)
    )
    assert state.connected is nominal


@pytest.mark.parametrize(("volts", "connects"), [(51.2, False), (51.19, True)])
def test_the_connect_level_is_below_it_not_at_it(volts: float, connects: bool) -> None:
    state = grid_connect.step(GC, grid_connect.State(), gc(0, volts))
    assert grid_connect.step(GC, state, gc(240, volts)).connected is connects


@pytest.mark.parametrize(("volts", "disconnects"), [(54.0, False), (54.01, True)])
def test_the_disconnect_level_is_above_it_not_at_it(volts: float, disconnects: bool) -> None:
    state = grid_connect.step(GC, grid_connect.State(connected=True), gc(0, volts))
    assert grid_connect.step(GC, state, gc(600, volts)).connected is not disconnects


@pytest.mark.parametrize(("age", "stale"), [(120.0, False), (120.1, True)])
def test_a_battery_reading_as_old_as_the_limit_still_counts(age: float, stale: bool) -> None:
    state = grid_connect.step(GC, grid_connect.State(), gc(0, 52.0, age=age))
    assert state.stale is stale


@pytest.mark.parametrize("interruption", ["grid", "stale"])
def test_a_bad_grid_or_stale_battery_starts_the_low_timer_over(interruption: str) -> None:
    path = []
    state = grid_connect.State()
    for t, volts, grid_v, age in (
        (0, 51.0, 230.0, 5.0),
        (
            200,
            51.0,
            190.0 if interruption == "grid" else 230.0,
            999.0 if interruption == "stale" else 5.0,
        ),
        (210, 51.0, 230.0, 5.0),
        (440, 51.0, 230.0, 5.0),
        (450, 51.0, 230.0, 5.0),
    ):
        state = grid_connect.step(GC, state, gc(t, volts, grid_v=grid_v, age=age))
        path.append((t, state.connected))
    assert path == [(0, False), (200, False), (210, False), (440, False), (450, True)]


def test_a_paused_generator_stops_drops_its_retry_and_times_a_low_voltage_afresh() -> None:
    volts = Settings(start_voltage=48.0, start_voltage_s=300)
    state = step(volts, State(), at(0, soc=None, volts=47.5))
    running = step(volts, state, at(301, soc=None, volts=47.5))
    assert running.relay_on
    held = hold(running, at(400, soc=None, volts=47.5))
    assert (held.relay_on, held.phase, held.stopped_at) == (False, Phase.COOLING_DOWN, EPOCH + 400)
    waiting = hold(replace(state, retry_pending=True), at(400, soc=None, volts=47.5))
    assert (waiting.relay_on, waiting.retry_pending, waiting.voltage_low_since) == (
        False,
        False,
        None,
    )
    # Low all through the pause: once it ends, the low voltage times its 300 s again.
    after = step(volts, waiting, at(401, soc=None, volts=47.5))
    assert not step(volts, after, at(700, soc=None, volts=47.5)).relay_on
    assert step(volts, after, at(701, soc=None, volts=47.5)).relay_on


@pytest.mark.parametrize(
    ("was", "relay", "connected"),
    [(True, False, False), (False, True, True), (True, None, True), (False, None, False)],
    ids=["opened-by-hand", "closed-by-hand", "unknown-kept-on", "unknown-kept-off"],
)
def test_grid_connect_paused_takes_the_contactor_as_it_finds_it(
    was: bool, relay: bool | None, connected: bool
) -> None:
    timing = grid_connect.State(connected=was, below_since=EPOCH, above_since=EPOCH + 5)
    held = grid_connect.hold(timing, relay)
    assert (held.connected, held.below_since, held.above_since) == (connected, None, None)
