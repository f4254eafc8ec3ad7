"""Generator auto-start and grid connect as pure functions of settings, state and time."""

from __future__ import annotations

import json

from custom_components.diy_solar.policies import grid_connect
from custom_components.diy_solar.policies.generator import (
    Phase,
    Reading,
    Reason,
    Settings,
    State,
    Status,
    next_exercise_day,
    start_manual,
    status,
    step,
    stop_manual,
)
from custom_components.diy_solar.policies.schedule import Window

DAY = 739_000
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
        now=t,
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
    assert not step(BASE, state, at(10 * HOUR + 40 * MIN, soc=10)).relay_on
    assert step(BASE, state, at(10 * HOUR + 47 * MIN, soc=10)).relay_on


def test_quiet_hours_have_their_own_levels() -> None:
    night = Settings(quiet_hours=Window(22 * 60, 7 * 60), quiet_start_soc=10, quiet_stop_soc=40)
    state = step(night, State(), at(23 * HOUR, soc=15))
    assert not state.relay_on
    assert status(night, state, 23 * 60) is Status.QUIET_HOURS
    assert step(night, state, at(23 * HOUR + 60, soc=9)).relay_on


def test_maximum_run_and_starts_per_day() -> None:
    capped = Settings(max_run_s=HOUR, max_starts_per_day=1, cooldown_s=60)
    state = step(capped, State(), at(0, soc=5))
    state = step(capped, state, at(HOUR, soc=5))
    assert state.phase is Phase.COOLING_DOWN  # still empty, but an hour is the most
    assert not run(capped, state, [at(HOUR + 120, soc=5), at(HOUR + 300, soc=5)]).relay_on
    # A new day: a new start.
    assert step(capped, state, at(86_400 + 600, soc=5)).relay_on


def test_failed_start_retries_then_fails() -> None:
    fb = Settings(feedback=True, start_timeout_s=120, retries=1, retry_delay_s=60)
    state = step(fb, State(), at(0, soc=5, running=False))
    assert state.phase is Phase.STARTING
    state = step(fb, state, at(121, soc=5, running=False))
    assert (state.phase, state.relay_on, state.attempts) == (Phase.COOLING_DOWN, False, 1)
    state = step(fb, state, at(181, soc=5, running=False))
    assert (state.phase, state.reason) == (Phase.STARTING, Reason.RETRY)
    state = step(fb, state, at(302, soc=5, running=False))
    assert (state.phase, state.relay_on) == (Phase.FAILED, False)
    assert not step(fb, state, at(5000, soc=5)).relay_on  # failed waits for a person
    # A running generator is seen through its feedback.
    ok = step(fb, step(fb, State(), at(0, soc=5)), at(30, soc=5, running=True))
    assert ok.phase is Phase.RUNNING


def test_stale_soc_neither_starts_nor_stops() -> None:
    state = step(BASE, State(), at(0, soc=5, age=9999))
    assert (state.relay_on, state.stale) == (False, True)
    running = step(BASE, State(), at(0, soc=5))
    running = step(BASE, running, at(2 * HOUR, soc=95, age=9999))
    assert running.relay_on  # full by a stale reading is no reason to stop
    assert running.stale


def test_trusted_source_first_then_the_next_fresh_one() -> None:
    reading = Reading(now=0, day=DAY, minute_of_day=0, socs=((90, 9999), (10, 5)))
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


def gc(
    t: float, volts: float | None, *, grid_v: float = 230, hz: float = 50, age: float = 5
) -> grid_connect.Reading:
    return grid_connect.Reading(t, volts, age, grid_v, hz)


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
