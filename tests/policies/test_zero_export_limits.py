"""Zero export at each of its limits, just inside and just outside, with the settings a
user can change at values other than their defaults, and along the path of a run."""

from __future__ import annotations

from dataclasses import replace

import pytest

from custom_components.diy_solar.policies.zero_export import (
    Decision,
    Reading,
    Settings,
    State,
    Status,
    observe,
    split,
    step,
)
from tests.policies.test_zero_export import BIC, EPOCH, at, run

QUICK = replace(BIC, meter_lag_s=0.0, min_write_interval_s=0.0)


def commands(settings: Settings, readings: list[Reading], state: State | None = None) -> list:
    """The discharge command (W, charging negative) after each reading, None where nothing
    was written."""
    state = state or State()
    out: list[float | None] = []
    for reading in readings:
        decision = step(settings, state, reading)
        state = decision.state
        out.append(None if decision.commands is None else state.command_w)
    return out


def test_the_target_and_its_offset_move_the_point_held() -> None:
    lean = replace(BIC, target_w=100.0, offset_w=30.0)
    assert step(lean, State(), at(0, 130)).commands is None  # held where it should be
    assert step(lean, State(), at(0, 171)).state.command_w == 41
    assert step(lean, State(), at(0, 300)).state.command_w == 170
    assert step(lean, State(), at(0, 0)).state.command_w == -130


def test_the_discharge_burst_counts_from_an_import_past_the_deadband_of_the_target() -> None:
    lean = replace(BIC, target_w=100.0, offset_w=30.0, min_discharge_burst_s=10.0)
    path = commands(
        lean,
        [at(0, 150), at(10, 300), at(15, 300), at(19, 300), at(20, 300)],
    )
    # 150 W is inside the deadband of 130 W: the burst's clock starts at 10 s, not at 0.
    assert path == [None, None, None, None, 170]


def test_proportional_and_derivative_act_on_the_errors_changes() -> None:
    pid = replace(QUICK, kp=0.5, ki=0.5, kd=0.25)
    path = commands(pid, [at(0, 400), at(3, 200), at(6, 100)])
    # 0.5·0 + 0.5·400 + 0.25·0 = 200; 0.5·(200-400) + 0.5·200 + 0.25·(200-800+400) = -50;
    # 0.5·(100-200) + 0.5·100 + 0.25·(100-400+400) = 25.
    assert path == [200, 150, 175]


@pytest.mark.parametrize(("age", "stale"), [(30.0, False), (30.5, True)])
def test_a_sample_as_old_as_the_limit_is_used(age: float, stale: bool) -> None:
    reading = Reading(EPOCH + age, 720, 600, sample_at=EPOCH)
    decision = step(BIC, State(), reading)
    assert (decision.state.status is Status.STALE_METER) is stale


def test_a_sample_counts_from_the_meter_lag_after_a_write_and_only_once() -> None:
    state = step(BIC, State(), at(0, 600)).state
    assert step(BIC, state, at(1.9, -100)).commands is None  # before the write showed
    decision = step(BIC, state, at(2.0, -100))  # the lag exactly
    assert decision.state.command_w == 500
    again = Reading(EPOCH + 9, 720, -100, sample_at=EPOCH + 2.0)
    repeat = step(BIC, decision.state, again)
    assert (repeat.commands, repeat.state.command_w) == (None, 500)  # the same sample


@pytest.mark.parametrize(("grid", "writes"), [(40, False), (40.5, True), (-40, False), (-41, True)])
def test_the_deadband_holds_its_edge(grid: float, writes: bool) -> None:
    decision = step(BIC, State(), at(0, grid))
    assert (decision.commands is not None) is writes
    assert decision.state.status is (Status.REGULATING if writes else Status.IDLE)


def test_inside_the_deadband_the_status_follows_the_command() -> None:
    state = step(BIC, State(), at(0, 600)).state
    held = step(BIC, state, at(3, 10))
    assert (held.commands, held.state.status) == (None, Status.REGULATING)


@pytest.mark.parametrize(("error", "first"), [(32, 20), (12, 54), (11, None)])
def test_a_lasting_small_error_is_corrected_once_its_integral_is_reached(
    error: float, first: int | None
) -> None:
    """40 W x 16 s = 640 W·s: 32 W takes 20 s; 12 W (0.3 of the deadband) is corrected
    in the end, 11 W never."""
    path = commands(BIC, [at(t, error) for t in range(0, 80)])
    written = [t for t, c in enumerate(path) if c is not None]
    assert (written[0] if written else None) == first


def test_the_ramp_counts_the_time_since_the_last_write() -> None:
    slow = replace(QUICK, ramp_w_per_s=100.0)
    path = commands(slow, [at(0, 200), at(0.5, 2000), at(1.5, 2000), at(11.5, -3000)])
    assert path == [200, 250, 350, -650]


def test_a_charge_profile_and_the_hour_it_is_read_at() -> None:
    by_hour = replace(BIC, charge_profile=(2000,) * 12 + (300,) + (2000,) * 11)
    assert step(by_hour, State(), at(0, -1000, minute=12 * 60 - 1)).state.command_w == -1000
    assert step(by_hour, State(), at(0, -1000, minute=12 * 60)).state.command_w == -300
    noon_off = replace(BIC, discharge_profile=(2000,) * 12 + (0,) + (2000,) * 11)
    assert step(noon_off, State(), at(0, 600, minute=12 * 60)).commands is None


def test_a_one_sided_setup_does_nothing_on_its_missing_side() -> None:
    only_discharge = replace(BIC, chargers=())
    decision = step(only_discharge, State(), at(0, -600))
    assert (decision.commands, decision.state.command_w) == (None, 0)
    only_charge = replace(BIC, dischargers=())
    assert step(only_charge, State(), at(0, 600)).commands is None


def test_split_gives_even_one_watt_to_its_own_side() -> None:
    assert split(BIC, 1.0) == {"charge": 0, "discharge": 1}
    assert split(BIC, -1.0) == {"charge": 1, "discharge": 0}
    assert split(BIC, 0.0) == {"charge": 0, "discharge": 0}


def test_a_limit_reached_past_the_demand_shows_only_while_the_demand_points_there() -> None:
    night = replace(QUICK, discharge_blocks=(), soc_max=95.0)
    full = step(night, State(), at(0, -500, soc=95.0))
    assert (full.state.command_w, full.state.status) == (0, Status.SOC_LIMIT)
    # Discharging 500 W, then the import ends: off, and idle — not "SOC limit" on the
    # charging side, where nothing is asked.
    state = step(night, State(), at(0, 500, soc=95.0)).state
    decision = step(night, state, at(3, -500, soc=95.0))
    assert (decision.state.command_w, decision.state.status) == (0, Status.IDLE)
    blocked = replace(QUICK, discharge_blocks=(), bms_required=True)
    charging = step(blocked, State(), at(0, -500)).state
    stale_bms = replace(at(3, 500), bms_fresh=False)
    decision = step(blocked, charging, stale_bms)
    assert (decision.state.command_w, decision.state.status) == (0, Status.IDLE)
    more = step(blocked, decision.state, replace(at(6, 800), bms_fresh=False))
    assert (more.commands, more.state.status) == (None, Status.BMS_STALE)


def test_beyond_the_maximum_without_a_block_is_regulating() -> None:
    decision = step(BIC, State(), at(0, 5000))
    assert (decision.state.command_w, decision.state.status) == (2000, Status.REGULATING)


def test_a_reversal_of_the_same_size_is_written_at_once() -> None:
    state = step(BIC, State(), at(0, 500)).state
    decision = step(BIC, state, at(3, -1000))  # within the write interval
    assert decision.commands == {"charge": 500, "discharge": 0}
    waiting = step(BIC, decision.state, at(6, -400))  # more charging: waits
    assert waiting.commands is None
    assert waiting.state.command_w == -500


def test_only_a_reversal_soon_after_a_change_makes_increases_wait() -> None:
    up = run(QUICK, [at(0, 400), at(3, 300)])  # up and up again 3 s later
    assert (up.backoff, up.last_direction) == (0, 1)
    down = run(QUICK, [at(0, 400), at(3, -100), at(6, -100)])  # down and down
    assert (down.backoff, down.last_direction) == (1, -1)
    assert run(QUICK, [at(0, 400), at(3, -100), at(6, -100), at(9, 200)]).backoff == 2


def test_writes_count_each_device_whose_setting_changed() -> None:
    state = run(BIC, [at(0, 600), at(10, -1000)])
    assert state.writes == 3  # the discharger; then the charger and the discharger


@pytest.mark.parametrize("side", ["charge", "discharge"])
def test_a_command_at_a_limit_is_inside_it(side: str) -> None:
    at_limit = replace(BIC, max_charge_w=800.0, max_discharge_w=800.0)
    grid = -5000 if side == "charge" else 5000
    state = step(at_limit, State(), at(0, grid)).state
    assert abs(state.command_w) == 800
    # Between samples nothing is rewritten: 800 W is within 800 W.
    between = Reading(EPOCH + 1, 720, grid, sample_at=EPOCH)
    assert step(at_limit, state, between).commands is None


def test_between_samples_a_limit_brings_the_command_back_and_says_why() -> None:
    full = replace(BIC, soc_max=95.0)
    state = step(full, State(), at(0, -800, soc=90.0)).state
    between = Reading(EPOCH + 1, 720, -800, sample_at=EPOCH, soc=95.0)
    decision = step(full, state, between)
    assert (decision.state.command_w, decision.state.status) == (0, Status.SOC_LIMIT)
    lower = replace(BIC, charge_profile=(2000,) * 12 + (300,) + (2000,) * 11)
    state = step(lower, State(), at(0, -800, minute=11 * 60 + 59)).state
    decision = step(lower, state, Reading(EPOCH + 1, 720, -800, sample_at=EPOCH))
    # Charging less, not discharging.
    assert (decision.commands, decision.state.status) == (
        {"charge": 300, "discharge": 0},
        Status.REGULATING,
    )


def test_after_a_stale_meter_the_status_is_work_again_before_the_next_sample() -> None:
    state = step(BIC, State(), at(0, 900)).state
    stale = step(BIC, state, Reading(EPOCH + 31, 720, 900, sample_at=EPOCH))
    assert stale.state.status is Status.STALE_METER
    still = step(BIC, stale.state, Reading(EPOCH + 32, 720, 900, sample_at=EPOCH))
    assert (still.commands, still.state.status) == (None, Status.STALE_METER)
    # A sample again, but from within the stop's settling time: not regulated from yet,
    # and the status says the controller is at work (idle at 0 W), not that it is stale.
    back = step(BIC, stale.state, Reading(EPOCH + 32, 720, 900, sample_at=EPOCH + 32))
    assert (back.commands, back.state.status) == (None, Status.IDLE)


def test_a_stop_forgets_the_errors_and_the_import_timer() -> None:
    burst = replace(QUICK, min_discharge_burst_s=10.0, kp=1.0)
    state = run(burst, [at(0, 500), at(5, 500)])
    assert state.import_since == EPOCH
    stopped = step(burst, state, Reading(EPOCH + 40, 720, 500, sample_at=EPOCH + 5)).state
    assert (stopped.import_since, stopped.error_1, stopped.error_2) == (None, None, None)
    again = step(burst, stopped, Reading(EPOCH + 40, 720, 500, sample_at=EPOCH + 40))
    assert again.state.import_since == EPOCH + 40
    assert isinstance(step(burst, again.state, at(41, 500)), Decision)


def test_observe_leaves_the_state_it_was_given_alone_and_counts_each_divergence() -> None:
    state = step(BIC, State(), at(0, 600)).state
    before = replace(state, diverged=list(state.diverged), commands=dict(state.commands))
    seen = observe(BIC, state, {"discharge": 0.0}, EPOCH + 10)
    assert state == before
    assert (seen.diverged, seen.divergences, seen.command_w) == (["discharge"], 1, 0)
    back = observe(
        BIC,
        replace(seen, commands={"discharge": 300.0, "charge": 0.0}),
        {"discharge": 300.0},
        EPOCH + 20,
    )
    assert back.diverged == []
    again = observe(BIC, back, {"discharge": 0.0}, EPOCH + 30)
    assert (again.diverged, again.divergences) == (["discharge"], 2)


def test_an_actuator_that_cannot_be_read_counts_as_stopped() -> None:
    state = step(BIC, State(), at(0, 600)).state
    assert observe(BIC, state, {}, EPOCH + 10).command_w == 0.0
    assert observe(BIC, state, {"discharge": 600.0}, EPOCH + 10).command_w == 600.0
