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
    stop_absorption,
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


def path_of(settings: Settings, state: State, readings: list[Reading]) -> list[tuple]:
    """(seconds, phase, reason, seconds in the phase, writes) after each reading."""
    steps = []
    for reading in readings:
        decision = step(settings, state, reading)
        state = decision.state
        since = None if state.phase_since is None else reading.now - state.phase_since
        steps.append((reading.now - EPOCH, state.phase, state.reason, since, decision.writes))
    return steps


def test_lead_acid_along_its_path_with_each_limit_met_exactly() -> None:
    rebulk = replace(LEAD, rebulk_v=50.0, min_write_interval_s=0, float_step_v=0.3)
    steps = path_of(
        rebulk,
        State(day=DAY),
        [
            at(0, 57.2, 40),  # 0.4 V below: not at the voltage
            at(60, 57.3, 30),  # at the voltage less its margin: absorption
            at(120, 57.6, 5),  # the tail current exactly: the tail starts
            at(719, 57.6, 5),
            at(720, 57.6, 5),  # tail_s exactly: float
            at(780, 50.0, 0),  # at the rebulk voltage: not below it
            at(840, 49.9, 0),  # below: bulk again
        ],
    )
    assert [s[:4] for s in steps] == [
        (0, Phase.BULK, Reason.NEW_DAY, None),
        (60, Phase.ABSORPTION, Reason.AT_ABSORPTION_VOLTAGE, 0),
        (120, Phase.ABSORPTION, Reason.AT_ABSORPTION_VOLTAGE, 60),
        (719, Phase.ABSORPTION, Reason.AT_ABSORPTION_VOLTAGE, 659),
        (720, Phase.FLOAT, Reason.TAIL_CURRENT, 0),
        (780, Phase.FLOAT, Reason.TAIL_CURRENT, 60),
        (840, Phase.BULK, Reason.REBULK, 0),
    ]
    assert [s[4].get(FLOAT_VOLTAGE) for s in steps] == [57.6, None, None, None, 57.3, 57.0, 57.6]
    assert step(rebulk, State(), at(900, 57.6, 5)).state.writes_today == 2  # both settings


def test_the_absorption_time_limit_exactly_and_a_tail_does_not_carry_over() -> None:
    steps = path_of(
        LEAD,
        State(day=DAY),
        [
            at(0, 57.6, 40),
            at(600, 57.6, 4),  # a tail starts
            at(601, 57.6, 20),  # and ends
            at(3 * 3600 - 1, 57.6, 20),
            at(3 * 3600, 57.6, 20),  # the limit exactly
        ],
    )
    assert [s[1:4] for s in steps][-2:] == [
        (Phase.ABSORPTION, Reason.AT_ABSORPTION_VOLTAGE, 3 * 3600 - 1),
        (Phase.FLOAT, Reason.MAX_ABSORPTION_TIME, 0),
    ]


def test_lead_acid_rebulk_by_soc_below_it_not_at_it() -> None:
    by_soc = replace(LEAD, rebulk_v=None, rebulk_soc=80.0)
    floating = State(phase=Phase.FLOAT, reason=Reason.TAIL_CURRENT, day=DAY)
    assert step(by_soc, floating, at(0, 53.0, 0, soc=80.0)).state.phase is Phase.FLOAT
    assert step(by_soc, floating, at(0, 53.0, 0)).state.phase is Phase.FLOAT  # no SOC
    again = step(by_soc, floating, at(0, 53.0, 0, soc=79.9)).state
    assert (again.phase, again.reason, again.phase_since) == (Phase.BULK, Reason.REBULK, EPOCH)


def test_float_steps_down_no_faster_than_its_interval_and_from_its_setting() -> None:
    slow = replace(LEAD, float_step_s=120, float_step_v=0.25, min_write_interval_s=0)
    state = State(phase=Phase.FLOAT, reason=Reason.TAIL_CURRENT, day=DAY)
    floats = []
    for t in range(0, 600, 30):
        decision = step(slow, state, at(t, 56.0, 0))
        state = decision.state
        floats.append((t, decision.writes.get(FLOAT_VOLTAGE)))
    written = [(t, v) for t, v in floats if v is not None]
    # Nothing was written before: the float is where it belongs at once. Then stepping from
    # a higher setting, one step per 120 s, to the hundredth of a volt.
    assert written[0] == (0, 54.0)
    high = replace(state, written={FLOAT_VOLTAGE: 57.6, MAX_CHARGE_CURRENT: 60.0})
    high.last_step_at = None
    floats = []
    for t in range(600, 1200, 30):
        decision = step(slow, high, at(t, 56.0, 0))
        high = decision.state
        if FLOAT_VOLTAGE in decision.writes:
            floats.append((t - 600, decision.writes[FLOAT_VOLTAGE]))
    assert floats == [(0, 57.4), (120, 57.1), (240, 56.9), (360, 56.6), (480, 56.4)]


def test_writes_count_up_over_the_day_and_start_again_on_the_next() -> None:
    state = State(day=DAY)
    counts = []
    for t, volts, day in (
        (0, 52.0, DAY),
        (60, 57.6, DAY),
        (4000, 57.6, DAY),
        (90_000, 53.0, DAY + 1),
    ):
        state = step(replace(LEAD, min_write_interval_s=0), state, at(t, volts, 40, day=day)).state
        counts.append(state.writes_today)
    assert counts == [2, 2, 2, 0]  # a new day: bulk again, its settings already there


def test_a_change_of_the_settings_step_is_written_and_less_is_not() -> None:
    settings = replace(LEAD, min_write_interval_s=0)
    base = State(day=DAY, written={FLOAT_VOLTAGE: 57.55, MAX_CHARGE_CURRENT: 59.0})
    assert step(settings, base, at(0, 52.0, 40)).writes == {
        FLOAT_VOLTAGE: 57.6,  # 0.05 V: a step of the inverter's
        MAX_CHARGE_CURRENT: 60,  # 1 A
    }
    close = replace(base, written={FLOAT_VOLTAGE: 57.56, MAX_CHARGE_CURRENT: 59.5})
    assert step(settings, close, at(0, 52.0, 40)).writes == {}


@pytest.mark.parametrize(("age", "stale"), [(120.0, False), (120.1, True)])
def test_readings_as_old_as_the_limit_still_count(age: float, stale: bool) -> None:
    inverter = step(LEAD, State(day=DAY), at(0, 52.0, 40, age=age)).state
    assert (inverter.phase is Phase.BLOCKED) is stale
    bms = step(LITHIUM, State(day=DAY), replace(li(0, 60, 3.3), bms_age_s=age)).state
    assert (bms.phase is Phase.BLOCKED) is stale


def test_staying_stale_keeps_its_start_and_lithium_lowers_both_voltages() -> None:
    steps = path_of(
        LITHIUM,
        State(day=DAY),
        [
            li(0, 60, 3.3),
            replace(li(60, 60, 3.3), bms_age_s=500),
            replace(li(120, 60, 3.3), bms_age_s=500),
        ],
    )
    assert [s[1:4] for s in steps[1:]] == [
        (Phase.BLOCKED, Reason.STALE, 0),
        (Phase.BLOCKED, Reason.STALE, 60),
    ]
    assert steps[1][4] == {BULK_VOLTAGE: 54.0}  # the float was there already


@pytest.mark.parametrize(
    ("temps", "blocked"),
    [((0.0,), False), ((-0.1,), True), ((45.0,), False), ((45.1,), True)],
)
def test_lithium_temperatures_at_the_ends_of_the_range(
    temps: tuple[float, ...], blocked: bool
) -> None:
    state = step(LITHIUM, State(day=DAY), li(0, 60, 3.3, temps)).state
    assert (state.phase, state.reason) == (
        (Phase.BLOCKED, Reason.TEMPERATURE) if blocked else (Phase.BULK, Reason.NEW_DAY)
    )


def test_lithium_after_the_cold_charges_again_and_says_why() -> None:
    steps = path_of(
        LITHIUM,
        State(day=DAY),
        [li(0, 60, 3.3, (-1.0,)), li(60, 60, 3.3, (-1.0,)), li(120, 60, 3.3, (3.0,))],
    )
    assert [s[1:4] for s in steps] == [
        (Phase.BLOCKED, Reason.TEMPERATURE, 0),
        (Phase.BLOCKED, Reason.TEMPERATURE, 0),  # entered again each time: no harm
        (Phase.BULK, Reason.TEMPERATURE_OK, 0),
    ]


@pytest.mark.parametrize(("cell", "stops"), [(3.449, False), (3.45, True)])
def test_lithium_stops_with_a_cell_at_the_limit_exactly(cell: float, stops: bool) -> None:
    state = step(LITHIUM, State(day=DAY), li(0, 60, cell)).state
    assert (state.reason is Reason.CELL_LIMIT) is stops


def test_lithium_rebulks_below_its_soc_with_the_full_current_again() -> None:
    settings = replace(LITHIUM, rebulk_soc=90.0, min_write_interval_s=0)
    steps = path_of(
        settings,
        State(day=DAY),
        [
            li(0, 80, 3.35),
            li(60, 90, 3.425),  # the taper: 30 A
            li(120, 95, 3.40),  # the target: float
            li(180, 95, 3.46),  # a cell at its limit while floating: stays floating
            li(240, 90, 3.33),  # at the rebulk level: not below it
            li(300, 89.9, 3.33),
        ],
    )
    assert [s[1:4] for s in steps][2:] == [
        (Phase.FLOAT, Reason.TARGET_SOC, 0),
        (Phase.FLOAT, Reason.TARGET_SOC, 60),
        (Phase.FLOAT, Reason.TARGET_SOC, 120),
        (Phase.BULK, Reason.REBULK, 0),
    ]
    assert steps[1][4] == {MAX_CHARGE_CURRENT: 30}
    assert steps[-1][4] == {BULK_VOLTAGE: 55.2, MAX_CHARGE_CURRENT: 60}  # the taper is over
    empty = step(settings, State(phase=Phase.FLOAT, day=DAY), li(0, 0, 3.3)).state
    assert empty.phase is Phase.BULK  # 0 % is a reading, and below the level
    unset = step(LITHIUM, State(phase=Phase.FLOAT, day=DAY), li(0, 10, 3.3)).state
    assert unset.phase is Phase.FLOAT  # no rebulk level: no rebulk


def test_manual_cycle_start_and_stop_take_effect_now() -> None:
    state = State(phase=Phase.FLOAT, reason=Reason.TAIL_CURRENT, phase_since=EPOCH, day=DAY)
    started = start_absorption(state, EPOCH + 40)
    assert (started.phase, started.reason, started.phase_since) == (
        Phase.BULK,
        Reason.MANUAL,
        EPOCH + 40,
    )
    stopped = stop_absorption(started, EPOCH + 90)
    assert (stopped.phase, stopped.reason, stopped.phase_since) == (
        Phase.FLOAT,
        Reason.MANUAL,
        EPOCH + 90,
    )
