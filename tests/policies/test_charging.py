"""Smart charging as a pure function, and the benchmark's promise."""

from __future__ import annotations

import json
from dataclasses import replace
from itertools import pairwise

import pytest

from benchmarks import charging as bench
from custom_components.diy_solar.policies.charging import (
    BULK_VOLTAGE,
    FLOAT_VOLTAGE,
    MAX_CHARGE_CURRENT,
    Chemistry,
    Phase,
    Reading,
    Reason,
    Settings,
    State,
    snap_current,
    start_absorption,
    step,
)

DAY = 739_000
EPOCH = 1_780_000_000.0  # a realistic clock: a "now + since" slip does not hide at 0
LEAD = Settings(tail_current_a=5, tail_s=600, max_absorption_s=3 * 3600, min_write_interval_s=60)


def at(t: float, volts: float, amps: float, **kw: object) -> Reading:
    return Reading(
        now=EPOCH + t,
        day=kw.pop("day", DAY),
        battery_v=volts,
        charge_a=amps,  # type: ignore[arg-type]
        inverter_age_s=kw.pop("age", 5.0),
        **kw,
    )  # type: ignore[arg-type]


def test_lead_acid_holds_float_at_bulk_until_the_tail_then_steps_down() -> None:
    decision = step(LEAD, State(), at(0, 52.0, 50))
    assert decision.writes == {FLOAT_VOLTAGE: 57.6, MAX_CHARGE_CURRENT: 60}
    state = step(LEAD, decision.state, at(600, 57.5, 30)).state
    assert state.phase is Phase.ABSORPTION
    # A cloud: the current falls, and so does the voltage: not a tail.
    state = step(LEAD, state, at(1200, 55.0, 3)).state
    assert state.tail_since is None
    state = step(LEAD, state, at(1800, 57.6, 4)).state
    state = step(LEAD, state, at(2399, 57.6, 4)).state
    assert state.phase is Phase.ABSORPTION
    decision = step(LEAD, state, at(2400, 57.6, 4))
    assert (decision.state.phase, decision.state.reason) == (Phase.FLOAT, Reason.TAIL_CURRENT)
    assert decision.writes == {FLOAT_VOLTAGE: 57.3}  # one step down, not a jump
    state = decision.state
    floats = []
    for t in range(2460, 2460 + 60 * 20, 60):
        decision = step(LEAD, state, at(t, 56.0, 1))
        state = decision.state
        floats += [decision.writes[FLOAT_VOLTAGE]] if FLOAT_VOLTAGE in decision.writes else []
    assert floats[0] == 57.0 and floats[-1] == 54.0
    assert all(a - b <= 0.31 for a, b in pairwise(floats))


def test_maximum_absorption_time_rebulk_and_a_new_day() -> None:
    state = step(LEAD, State(), at(0, 57.6, 40)).state
    state = step(LEAD, state, at(3 * 3600 + 1, 57.6, 20)).state
    assert (state.phase, state.reason) == (Phase.FLOAT, Reason.MAX_ABSORPTION_TIME)
    state = step(LEAD, state, at(4 * 3600, 49.5, 0)).state
    assert (state.phase, state.reason) == (Phase.BULK, Reason.REBULK)
    floated = replace(state, phase=Phase.FLOAT)
    assert step(LEAD, floated, at(90_000, 53.0, 0, day=DAY + 1)).state.phase is Phase.BULK


def test_writes_wait_for_their_interval_and_a_cycle_can_be_forced() -> None:
    state = step(LEAD, State(), at(0, 52.0, 50)).state
    state = replace(state, phase=Phase.FLOAT)
    assert step(LEAD, state, at(30, 53.0, 0)).writes == {}
    forced = start_absorption(state, EPOCH + 40)
    assert (forced.phase, forced.reason) == (Phase.BULK, Reason.MANUAL)


def test_stale_inverter_data_restores_float_at_once() -> None:
    state = step(LEAD, State(), at(0, 52.0, 50)).state
    decision = step(LEAD, state, at(10, 52.0, 50, age=500))
    assert decision.writes == {FLOAT_VOLTAGE: 54.0}
    assert (decision.state.phase, decision.state.reason) == (Phase.BLOCKED, Reason.STALE)
    back = step(LEAD, decision.state, at(20, 52.0, 50)).state
    assert (back.phase, back.reason) == (Phase.BULK, Reason.RESUMED)


LITHIUM = Settings(
    chemistry=Chemistry.LITHIUM,
    absorption_v=55.2,
    float_v=54.0,
    target_soc=95,
    cell_limit_v=3.45,
    taper_from_v=3.40,
    max_charge_a=60,
    min_charge_a=10,
    min_write_interval_s=60,
)


def li(
    t: float,
    soc: float,
    cell: float,
    temps: tuple[float, ...] = (25.0,),
    *,
    volts: float = 53.5,
    amps: float = 40,
    bms_amps: float | None = None,
) -> Reading:
    return Reading(
        now=EPOCH + t,
        day=DAY,
        battery_v=volts,
        charge_a=amps,
        inverter_age_s=5,
        soc=soc,
        max_cell_v=cell,
        temperatures=temps,
        bms_age_s=5,
        bms_current_a=bms_amps,
    )


def test_lithium_tapers_and_never_raises_the_current_again() -> None:
    decision = step(LITHIUM, State(), li(0, 80, 3.35))
    assert decision.writes == {BULK_VOLTAGE: 55.2, FLOAT_VOLTAGE: 54.0, MAX_CHARGE_CURRENT: 60}
    decision = step(LITHIUM, decision.state, li(60, 90, 3.425))
    assert decision.writes == {MAX_CHARGE_CURRENT: 30}
    # Less current, lower cell voltage: the taper holds.
    assert step(LITHIUM, decision.state, li(120, 91, 3.41)).writes == {}


def test_lithium_stops_at_a_cell_limit_at_once_and_at_the_target() -> None:
    state = step(LITHIUM, State(), li(0, 80, 3.35)).state
    decision = step(LITHIUM, state, li(5, 88, 3.451))  # within the write interval
    assert decision.writes == {BULK_VOLTAGE: 54.0, MAX_CHARGE_CURRENT: 10}
    assert decision.state.reason is Reason.CELL_LIMIT
    full = step(LITHIUM, state, li(100, 95, 3.42)).state
    assert (full.phase, full.reason) == (Phase.FLOAT, Reason.TARGET_SOC)


@pytest.mark.parametrize("temps", [(-2.0,), (25.0, 47.0)])
def test_lithium_blocked_outside_the_charging_temperatures(temps: tuple[float, ...]) -> None:
    decision = step(LITHIUM, State(), li(0, 60, 3.3, temps))
    assert decision.state.phase is Phase.BLOCKED
    assert decision.writes[BULK_VOLTAGE] == 54.0
    assert decision.writes[MAX_CHARGE_CURRENT] == 10


def test_state_survives_json() -> None:
    state = step(LEAD, State(), at(0, 57.6, 40)).state
    assert State.from_dict(json.loads(json.dumps(state.to_dict()))) == state


def test_benchmark_ours_reaches_full_where_stock_does_not_and_keeps_cells_in_limit() -> None:
    rows = {
        (pack.name, steered): bench.run(pack, steered)
        for pack in bench.PACKS
        for steered in (False, True)
    }
    assert not rows["lead_acid", False].full and rows["lead_acid", True].full
    lithium = next(p for p in bench.PACKS if p.lithium)
    assert rows["lifepo4", True].full
    assert rows["lifepo4", True].max_cell_v <= lithium.cell_limit_v
    assert rows["lifepo4", False].max_cell_v > lithium.cell_limit_v


STEPS = tuple(float(a) for a in range(10, 130, 10))  # an Axpert's QMCHGCR: 010 020 ... 120


@pytest.mark.parametrize(
    ("wanted", "snapped"),
    [
        (9.0, 10.0),
        (10.0, 10.0),
        (19.9, 10.0),
        (20.0, 20.0),
        (24.0, 20.0),
        (120.0, 120.0),
        (125.0, 120.0),
    ],
)
def test_currents_snap_down_to_what_the_inverter_offers(wanted: float, snapped: float) -> None:
    assert snap_current(replace(LITHIUM, allowed_charge_a=STEPS), wanted) == snapped


def test_without_a_list_currents_are_whole_amperes_from_the_lowest_setting() -> None:
    assert [snap_current(LITHIUM, a) for a in (5.0, 10.0, 24.7, 60.0)] == [10.0, 10.0, 24.0, 60.0]


def test_the_lithium_taper_asks_only_for_listed_currents_and_only_downwards() -> None:
    settings = replace(LITHIUM, allowed_charge_a=STEPS, max_charge_a=65)
    state, currents = State(), []
    for minute, cell in enumerate((3.35, 3.41, 3.42, 3.425, 3.43, 3.42, 3.44, 3.445)):
        decision = step(settings, state, li(60 * minute, 80, cell))
        state = decision.state
        if MAX_CHARGE_CURRENT in decision.writes:
            currents.append(decision.writes[MAX_CHARGE_CURRENT])
    # 65 A is not offered: 60. Then 80 % of 60 A = 48 -> 40, 36 -> 30, 30 -> 30 (no
    # write), 24 -> 20, a lower cell does not raise it, 12 -> 10, 6 -> the lowest, 10.
    assert currents == [60.0, 40.0, 30.0, 20.0, 10.0]
    assert all(c in STEPS for c in currents)


LI_ABSORB = replace(
    LITHIUM,
    lithium_absorption=True,
    tail_current_a=5,
    tail_s=600,
    float_step_v=0.4,
    float_step_s=60,
    min_write_interval_s=0,
    target_soc=100,
)


def test_lithium_absorption_ends_on_the_bms_tail_then_floats_down_in_steps() -> None:
    decision = step(LI_ABSORB, State(), li(0, 80, 3.35, volts=53.0))
    # Raising: the bulk voltage before the float, both at the absorption voltage.
    assert list(decision.writes) == [BULK_VOLTAGE, FLOAT_VOLTAGE, MAX_CHARGE_CURRENT]
    assert decision.writes[FLOAT_VOLTAGE] == 55.2
    state = step(LI_ABSORB, decision.state, li(60, 90, 3.38, volts=55.1)).state
    assert state.phase is Phase.ABSORPTION
    # A DC load draws 20 A from the battery: the inverter's current never falls to the
    # tail, the BMS's does.
    state = step(LI_ABSORB, state, li(120, 97, 3.39, volts=55.2, amps=24, bms_amps=4)).state
    state = step(LI_ABSORB, state, li(719, 97, 3.39, volts=55.2, amps=24, bms_amps=4)).state
    assert state.phase is Phase.ABSORPTION  # 599 s of tail: not yet
    decision = step(LI_ABSORB, state, li(720, 97, 3.39, volts=55.2, amps=24, bms_amps=4))
    assert (decision.state.phase, decision.state.reason) == (Phase.FLOAT, Reason.TAIL_CURRENT)
    path = [decision.writes]
    state = decision.state
    for t in range(780, 780 + 60 * 5, 60):
        decision = step(LI_ABSORB, state, li(t, 98, 3.36, volts=54.5, amps=0, bms_amps=0))
        state = decision.state
        path.append(decision.writes)
    floats = [w[FLOAT_VOLTAGE] for w in path if FLOAT_VOLTAGE in w]
    assert floats == [54.8, 54.4, 54.0]
    # Lowering: the float first; the bulk comes down once the float is there.
    assert list(path[0]) == [FLOAT_VOLTAGE, MAX_CHARGE_CURRENT]
    assert path[2] == {FLOAT_VOLTAGE: 54.0, BULK_VOLTAGE: 54.0}


def test_lithium_absorption_without_a_bms_current_takes_the_inverters() -> None:
    state = step(LI_ABSORB, State(), li(0, 90, 3.38, volts=55.2, amps=24)).state
    state = step(LI_ABSORB, state, li(700, 97, 3.39, volts=55.2, amps=24)).state
    assert state.phase is Phase.ABSORPTION and state.tail_since is None
    state = step(LI_ABSORB, state, li(760, 97, 3.39, volts=55.2, amps=4)).state
    state = step(LI_ABSORB, state, li(1360, 97, 3.39, volts=55.2, amps=4)).state
    assert (state.phase, state.reason) == (Phase.FLOAT, Reason.TAIL_CURRENT)


def test_lithium_absorption_still_stops_at_once_for_a_cell_at_its_limit() -> None:
    state = step(LI_ABSORB, State(), li(0, 90, 3.38, volts=55.2)).state
    decision = step(LI_ABSORB, state, li(60, 95, 3.451, volts=55.2))
    assert decision.state.reason is Reason.CELL_LIMIT
    assert decision.writes[BULK_VOLTAGE] == 54.0  # no stepping down from 55.2
    assert decision.writes[FLOAT_VOLTAGE] == 54.0
