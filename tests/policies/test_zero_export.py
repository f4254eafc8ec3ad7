"""The zero-export controller as a pure function of settings, state and readings."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from custom_components.diy_solar.policies.schedule import Window
from custom_components.diy_solar.policies.zero_export import (
    Actuator,
    Reading,
    Settings,
    State,
    Status,
    split,
    step,
)

BIC = Settings(
    chargers=(Actuator("charge", 2000),),
    dischargers=(Actuator("discharge", 2000),),
    meter_lag_s=2.0,
    min_write_interval_s=5.0,
    ramp_w_per_s=10_000,
)


EPOCH = 1_780_000_000.0  # a realistic clock: a "now + since" slip does not hide at 0


def at(t: float, grid: float | None, *, minute: int = 720, soc: float | None = None) -> Reading:
    return Reading(now=EPOCH + t, minute_of_day=minute, grid_w=grid, sample_at=EPOCH + t, soc=soc)


def run(settings: Settings, readings: list[Reading], state: State | None = None) -> State:
    state = state or State()
    for reading in readings:
        state = step(settings, state, reading).state
    return state


def test_import_is_covered_by_discharging() -> None:
    decision = step(BIC, State(), at(0, 600))
    assert decision.commands == {"charge": 0, "discharge": 600}
    assert decision.state.status is Status.REGULATING
    assert decision.state.writes == 1


def test_export_is_taken_by_charging_never_both() -> None:
    decision = step(BIC, State(), at(0, -750))
    assert decision.commands == {"charge": 750, "discharge": 0}
    assert decision.state.command_w == -750
    # From charging straight to discharging: the charger is told 0 in the same write.
    decision = step(BIC, decision.state, at(10, 1000))
    assert decision.commands == {"charge": 0, "discharge": 250}


def test_small_errors_inside_the_deadband_write_nothing() -> None:
    assert step(BIC, State(), at(0, 25)).commands is None
    assert step(BIC, State(), at(0, -39)).commands is None


def test_a_small_error_that_lasts_is_corrected_by_its_average() -> None:
    state = State()
    for t in range(0, 60):
        decision = step(BIC, state, at(t, 30))
        state = decision.state
        if decision.commands:
            break
    # 30 W for t seconds must reach 40 W for 16 s: after about 22 s.
    assert 20 <= t <= 24
    assert state.command_w == 30


def test_readings_from_before_the_command_showed_are_ignored() -> None:
    state = step(BIC, State(), at(0, 600)).state
    # The meter still shows the import the command has not yet removed.
    assert step(BIC, state, at(1, 600)).commands is None
    decision = step(BIC, state, at(2.5, -100))
    assert decision.commands == {"charge": 0, "discharge": 500}


def test_more_power_waits_for_the_write_interval_less_does_not() -> None:
    state = step(BIC, State(), at(0, 600)).state
    assert step(BIC, state, at(3, 400)).commands is None  # more: too soon
    decision = step(BIC, state, at(3, -300))  # the load went: exporting now
    assert decision.commands == {"charge": 0, "discharge": 300}


def test_stale_meter_stops_everything_at_once_and_recovers() -> None:
    state = step(BIC, State(), at(0, 900)).state
    stale = step(BIC, state, Reading(EPOCH + 31, 720, 900, sample_at=EPOCH))
    assert stale.commands == {"charge": 0, "discharge": 0}
    assert stale.state.status is Status.STALE_METER
    # Nothing more to write while it stays stale.
    assert step(BIC, stale.state, Reading(EPOCH + 40, 720, 900, sample_at=EPOCH)).commands is None
    back = step(BIC, stale.state, at(45, 900))
    assert back.commands == {"charge": 0, "discharge": 900}
    assert back.state.status is Status.REGULATING


def test_no_meter_at_all_is_stale() -> None:
    decision = step(BIC, State(command_w=500, commands={"discharge": 500}), at(0, None))
    assert decision.state.status is Status.STALE_METER
    assert decision.commands == {"charge": 0, "discharge": 0}


def test_limits_profiles_and_rate() -> None:
    limited = replace(BIC, max_discharge_w=800)
    assert step(limited, State(), at(0, 1500)).commands == {"charge": 0, "discharge": 800}
    night = replace(BIC, discharge_profile=(300,) * 6 + (2000,) * 18)
    assert step(night, State(), at(0, 1500, minute=120)).commands["discharge"] == 300  # type: ignore[index]
    assert step(night, State(), at(0, 1500, minute=600)).commands["discharge"] == 1500  # type: ignore[index]
    slow = replace(BIC, ramp_w_per_s=100)
    state = step(slow, State(), at(0, 200)).state
    assert step(slow, state, at(6, 2000)).state.command_w == 200 + 600


def test_lowered_limit_is_obeyed_at_once() -> None:
    state = step(BIC, State(), at(0, 1500)).state
    lower = replace(BIC, max_discharge_w=500)
    assert step(lower, state, at(3, 0)).commands == {"charge": 0, "discharge": 500}


def test_discharge_split_across_units_by_their_size() -> None:
    two = replace(BIC, dischargers=(Actuator("lt1", 1000), Actuator("lt2", 600)))
    assert split(two, 800) == {"charge": 0, "lt1": 500, "lt2": 300}
    assert split(two, 5000) == {"charge": 0, "lt1": 1000, "lt2": 600}
    assert split(two, -300) == {"charge": 300, "lt1": 0, "lt2": 0}


@pytest.mark.parametrize(("minute", "blocked"), [(1380, True), (60, True), (600, False)])
def test_discharge_block_window_wraps_midnight(minute: int, blocked: bool) -> None:
    night = replace(BIC, discharge_blocks=(Window(22 * 60, 6 * 60),))
    decision = step(night, State(), at(0, 800, minute=minute))
    assert (decision.state.status is Status.BLOCKED_BY_SCHEDULE) is blocked
    assert (decision.commands is None) is blocked


def test_soc_limits_with_hysteresis() -> None:
    soc = replace(BIC, soc_min=20, soc_max=95, soc_hysteresis=5)
    state = run(soc, [at(0, 800, soc=19)])
    assert state.status is Status.SOC_LIMIT
    assert state.command_w == 0
    state = run(soc, [at(10, 800, soc=22)], state)  # not yet 25 %
    assert state.status is Status.SOC_LIMIT
    state = run(soc, [at(20, 800, soc=25)], state)
    assert state.command_w == 800
    full = run(soc, [at(0, -800, soc=96)])
    assert (full.status, full.command_w) == (Status.SOC_LIMIT, 0)


def test_soc_sensor_without_a_reading_blocks_discharge() -> None:
    required = replace(BIC, soc_required=True)
    state = run(required, [at(0, 800, soc=None)])
    assert (state.status, state.command_w) == (Status.SOC_LIMIT, 0)
    assert run(required, [at(0, -800, soc=None)]).command_w == -800  # charging is fine


def test_discharge_starts_only_after_the_minimum_burst() -> None:
    burst = replace(BIC, min_discharge_burst_s=60)
    state = run(burst, [at(t, 500) for t in range(0, 60, 5)])
    assert state.command_w == 0
    state = run(burst, [at(60, 500)], state)
    assert state.command_w == 500


def test_quick_reversals_make_increases_wait_longer() -> None:
    state = run(BIC, [at(0, 400), at(3, -400)])  # up, and down again 3 s later
    assert state.backoff == 1
    # More power now waits 5 s x 2: not at 8 s, at 13 s.
    assert step(BIC, state, at(8, 400)).commands is None
    state = step(BIC, state, at(13, 400)).state
    assert (state.command_w, state.backoff) == (400, 0)  # a calm change starts over


def test_state_survives_a_json_round_trip() -> None:
    state = run(BIC, [at(0, 600), at(10, 650)])
    restored = State.from_dict(json.loads(json.dumps(state.to_dict())))
    assert restored == state
    assert restored.status is Status.REGULATING


@pytest.mark.parametrize(
    ("grid", "discharge"),
    [(49, 0), (50, 100), (99, 100), (100, 100), (101, 101), (-49, 0), (-50, -100), (-101, -101)],
)
def test_less_than_the_actuators_can_do_is_off_or_their_least(
    grid: float, discharge: float
) -> None:
    """A Mean Well below its least current is switched off: the command is the nearer of
    off and the least, so that what is asked is what happens."""
    settings = replace(
        BIC,
        deadband_w=10,
        chargers=(Actuator("charge", 2000, 100),),
        dischargers=(Actuator("discharge", 2000, 100),),
    )
    decision = step(settings, State(), at(1_764_000_000, grid))
    assert decision.state.command_w == discharge
    assert (decision.commands is None) == (discharge == 0)
