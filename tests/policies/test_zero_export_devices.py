"""Zero export working from what the devices do, within the battery's limits: the read-back
(observe), cell-voltage and temperature protection, switched chargers and the write budget.

Clocks start at a realistic epoch, never at 0, so a `now + since` slip shows.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from custom_components.diy_solar.policies.budget import WriteBudget
from custom_components.diy_solar.policies.switching import SwitchSettings, switch_on
from custom_components.diy_solar.policies.zero_export import (
    Actuator,
    Reading,
    Settings,
    State,
    Status,
    observe,
    safe_stop,
    step,
)

T0 = 1_764_676_800.0  # 2025-12-02 12:00 UTC
BIC = Settings(
    chargers=(Actuator("bic:charge", 2000),),
    dischargers=(Actuator("bic:discharge", 2000),),
    meter_lag_s=2.0,
    min_write_interval_s=5.0,
    ramp_w_per_s=10_000,
)


def at(t: float, grid: float, **bms: object) -> Reading:
    return Reading(now=T0 + t, minute_of_day=720, grid_w=grid, sample_at=T0 + t, **bms)  # type: ignore[arg-type]


# -- observe: the device is the truth -------------------------------------------------


def test_a_charger_running_unknown_to_the_controller_is_seen_and_stopped() -> None:
    """The first round's demo: state said 0 W while the BIC charged at 1.2 kW."""
    state = observe(BIC, State(), {"bic:charge": 1200.0, "bic:discharge": 0.0}, T0)
    assert state.command_w == -1200
    assert state.divergences == 1
    decision = safe_stop(BIC, state, at(0, 1700), Status.PAUSED)
    assert decision.commands == {"bic:charge": 0, "bic:discharge": 0}
    # Regulating instead: the 1.7 kW import turns the charge into a 500 W discharge.
    decision = step(BIC, state, at(0, 1700))
    assert decision.commands == {"bic:charge": 0, "bic:discharge": 500}


def test_right_after_a_write_the_command_stands_until_it_settles() -> None:
    state = step(BIC, State(), at(0, 700)).state
    assert state.commands == {"bic:charge": 0, "bic:discharge": 700}
    settle = max(BIC.meter_lag_s, BIC.min_write_interval_s)
    # The device does not show it yet: within the settling time that is no divergence...
    lagging = {"bic:charge": 0.0, "bic:discharge": 0.0}
    within = observe(BIC, state, lagging, T0 + settle - 0.001)
    assert within.commands["bic:discharge"] == 700
    assert within.divergences == 0
    # ...and a pause then still stops it.
    assert safe_stop(BIC, within, at(4, 0), Status.PAUSED).commands is not None
    # Still not there once settled: the write did not take; what it does is adopted.
    after = observe(BIC, state, lagging, T0 + settle)
    assert after.commands["bic:discharge"] == 0
    assert after.divergences == 1
    assert observe(BIC, after, lagging, T0 + settle + 1).divergences == 1  # one episode


@pytest.mark.parametrize(
    ("doing", "diverged"), [(735.0, False), (735.1, True), (665.0, False), (664.9, True)]
)
def test_a_divergence_is_more_than_a_little_off(doing: float, diverged: bool) -> None:
    state = replace(State(), commands={"bic:discharge": 700.0}, command_at=T0)
    seen = observe(BIC, state, {"bic:discharge": doing}, T0 + 60)
    assert (seen.divergences == 1) is diverged


# -- battery protection ---------------------------------------------------------------

CELLS = replace(
    BIC,
    charge_stop_cell_v=3.55,
    charge_resume_cell_v=3.40,
    discharge_stop_cell_v=3.00,
    discharge_resume_cell_v=3.20,
)


@pytest.mark.parametrize(("high", "blocked"), [(3.549, False), (3.55, True), (3.551, True)])
def test_charging_stops_at_the_highest_cell_limit(high: float, blocked: bool) -> None:
    decision = step(CELLS, State(), at(0, -800, max_cell_v=high))
    assert decision.state.charge_blocked_by_cell is blocked
    assert decision.commands == (None if blocked else {"bic:charge": 800, "bic:discharge": 0})
    if blocked:
        assert decision.state.status is Status.CELL_LIMIT


@pytest.mark.parametrize(("high", "resumed"), [(3.401, False), (3.40, True), (3.399, True)])
def test_charging_resumes_below_the_lower_cell_voltage(high: float, resumed: bool) -> None:
    state = step(CELLS, State(), at(0, -800, max_cell_v=3.56)).state
    state = step(CELLS, state, at(10, -800, max_cell_v=3.45)).state
    assert state.charge_blocked_by_cell  # between the two: still held
    state = step(CELLS, state, at(20, -800, max_cell_v=high)).state
    assert state.charge_blocked_by_cell is not resumed


@pytest.mark.parametrize(("low", "blocked"), [(3.001, False), (3.00, True), (2.999, True)])
def test_discharging_stops_at_the_lowest_cell_limit(low: float, blocked: bool) -> None:
    decision = step(CELLS, State(), at(0, 600, min_cell_v=low))
    assert decision.state.discharge_blocked_by_cell is blocked
    assert decision.state.status is (Status.CELL_LIMIT if blocked else Status.REGULATING)


def test_a_running_discharge_is_stopped_at_once_by_the_cell_limit() -> None:
    state = step(CELLS, State(), at(0, 600, min_cell_v=3.1)).state
    decision = step(CELLS, state, at(1, 0, min_cell_v=2.99))  # within the write interval
    assert decision.commands == {"bic:charge": 0, "bic:discharge": 0}
    state = step(CELLS, decision.state, at(10, 600, min_cell_v=3.19)).state
    assert state.discharge_blocked_by_cell
    state = step(CELLS, state, at(20, 600, min_cell_v=3.20)).state
    assert not state.discharge_blocked_by_cell


TEMPERATURE = replace(BIC, charge_temperature=(0.0, 45.0), discharge_temperature=(-20.0, 55.0))


@pytest.mark.parametrize(
    ("temperature", "charges"), [(-0.1, False), (0.0, True), (45.0, True), (45.1, False)]
)
def test_charging_only_inside_its_temperatures(temperature: float, charges: bool) -> None:
    decision = step(TEMPERATURE, State(), at(0, -500, temperatures=(20.0, temperature)))
    assert (decision.commands is not None) is charges
    if not charges:
        assert decision.state.status is Status.TEMPERATURE_LIMIT


@pytest.mark.parametrize(
    ("temperature", "discharges"), [(-20.1, False), (-20.0, True), (55.0, True), (55.1, False)]
)
def test_discharging_only_inside_its_temperatures(temperature: float, discharges: bool) -> None:
    decision = step(TEMPERATURE, State(), at(0, 500, temperatures=(temperature,)))
    assert (decision.commands is not None) is discharges


def test_a_stale_bms_blocks_discharge_not_charge() -> None:
    watched = replace(BIC, bms_required=True)
    assert step(watched, State(), at(0, 500, bms_fresh=False)).state.status is Status.BMS_STALE
    assert step(watched, State(), at(0, -500, bms_fresh=False)).commands == {
        "bic:charge": 500,
        "bic:discharge": 0,
    }
    assert step(BIC, State(), at(0, 500, bms_fresh=False)).commands is not None


# -- a charger on a smart plug --------------------------------------------------------

PLUG = SwitchSettings(power_w=300, on_share=0.9, off_share=0.4, min_on_s=300, min_off_s=300)


@pytest.mark.parametrize(
    ("wanted", "since", "on"),
    [(269.9, 600, False), (270, 600, True), (300, 299.9, False), (300, 300, True)],
)
def test_a_plug_goes_on_for_nearly_its_power_after_its_minimum_off_time(
    wanted: float, since: float, on: bool
) -> None:
    assert switch_on(PLUG, False, wanted, since) is on


@pytest.mark.parametrize(
    ("wanted", "since", "on"),
    [(120, 600, True), (119.9, 600, False), (0, 299.9, True), (0, 300, False)],
)
def test_a_plug_goes_off_for_much_less_after_its_minimum_on_time(
    wanted: float, since: float, on: bool
) -> None:
    assert switch_on(PLUG, True, wanted, since) is on


def test_a_steady_surplus_near_half_the_plug_does_not_chatter() -> None:
    """The first round: 86 switchings in 10 min at 200 W surplus with a 300 W plug."""
    on, since, switchings = False, 1_000.0, 0
    for _ in range(600):
        drawn = 300 if on else 0
        wanted = drawn + (200 - drawn)  # the controller corrects the whole error
        now_on = switch_on(PLUG, on, wanted, since)
        since = 0.0 if now_on != on else since + 1
        switchings += now_on != on
        on = now_on
    assert switchings == 0


def test_a_plug_without_a_power_stays_off_and_a_small_one_works() -> None:
    assert switch_on(SwitchSettings(power_w=0), False, 500, 1e6) is False
    assert switch_on(SwitchSettings(power_w=-5), True, 500, 1e6) is False
    assert switch_on(SwitchSettings(power_w=1), False, 1, 1e6) is True


# -- the write budget -----------------------------------------------------------------


def test_the_write_budget_is_per_device_and_day() -> None:
    budget, day = WriteBudget(), 739_587
    assert not budget.spent("bic", day, 1)  # nothing written yet
    budget.spend("bic", day)
    assert (budget.spent("bic", day, 1), budget.spent("bic", day, 2)) == (True, False)
    budget.spend("bic", day, 2998)
    assert not budget.spent("bic", day, 3000)
    budget.spend("bic", day)
    assert budget.spent("bic", day, 3000)
    assert not budget.spent("npb", day, 3000)
    assert not budget.spent("bic", day + 1, 3000)  # a new day starts over
    assert WriteBudget.from_dict(budget.to_dict()) == budget
