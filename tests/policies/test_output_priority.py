"""Output priority as a pure function: rule by rule, each level at, below and above it."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from custom_components.diy_solar.policies.output_priority import (
    CHARGER,
    OUTPUT,
    Decision,
    Reading,
    Reason,
    Settings,
    Source,
    State,
    override,
    pause,
    resume,
    step,
)
from custom_components.diy_solar.policies.schedule import Window

EPOCH = 1_780_000_000.0
DAY = 739_000
SETTINGS = Settings(
    grid_below_soc=25,
    battery_above_soc=60,
    min_dwell_s=900,
    daily_writes=4,
    stale_after_s=300,
)
NOON = 12 * 60


def at(
    t: float,
    soc: float | None,
    *,
    output: str | None = "sbu",
    charger: str | None = None,
    volts: float | None = 52.0,
    pv: float | None = 1000.0,
    age: float = 10.0,
    minute: int = NOON,
    day: int = DAY,
) -> Reading:
    return Reading(
        now=EPOCH + t,
        day=day,
        minute=minute,
        soc=soc,
        battery_v=volts,
        pv_w=pv,
        age_s=age,
        current={OUTPUT: output, CHARGER: charger},
    )


def run(settings: Settings, state: State, reading: Reading) -> Decision:
    return step(settings, state, reading)


@pytest.mark.parametrize(("soc", "to_grid"), [(25.1, False), (25.0, True), (24.9, True)])
def test_the_grid_comes_first_at_the_low_level_and_below(soc: float, to_grid: bool) -> None:
    decision = run(SETTINGS, State(), at(0, soc))
    assert decision.writes == ({OUTPUT: "utility_first"} if to_grid else {})
    assert decision.state.source is (Source.GRID if to_grid else Source.BATTERY)


@pytest.mark.parametrize(("soc", "back"), [(59.9, False), (60.0, True), (60.1, True)])
def test_the_battery_again_at_the_high_level_and_above(soc: float, back: bool) -> None:
    state = run(SETTINGS, State(), at(0, 20)).state
    decision = run(SETTINGS, state, at(900, soc, output="utility_first"))
    assert decision.writes == ({OUTPUT: "sbu"} if back else {})
    assert decision.state.reason is (Reason.BATTERY_RECOVERED if back else Reason.BATTERY_LOW)


def test_between_the_levels_it_stays_where_it_is_and_dwells_before_switching() -> None:
    path = []
    state = State()
    for t, soc in ((0, 40), (60, 24), (120, 61), (959, 61), (960, 61), (1000, 30), (1100, 24)):
        current = "utility_first" if state.source is Source.GRID else "sbu"
        decision = run(SETTINGS, state, at(t, soc, output=current))
        state = decision.state
        path.append((t, state.source.value, decision.writes.get(OUTPUT)))
    assert path == [
        (0, "battery", None),
        (60, "grid", "utility_first"),
        (120, "grid", None),  # recovered, but within 900 s of the switch
        (959, "grid", None),
        (960, "battery", "sbu"),
        (1000, "battery", None),  # between the levels
        (1100, "battery", None),  # low, but within 900 s of the last switch
    ]


def test_a_voltage_level_where_no_soc_is_given() -> None:
    settings = replace(
        SETTINGS,
        grid_below_soc=None,
        battery_above_soc=None,
        grid_below_v=48.0,
        battery_above_v=53.0,
    )
    assert run(settings, State(), at(0, None, volts=48.1)).writes == {}
    decision = run(settings, State(), at(0, None, volts=48.0))
    assert decision.writes == {OUTPUT: "utility_first"}
    back = run(settings, decision.state, at(900, None, volts=53.0, output="utility_first"))
    assert back.writes == {OUTPUT: "sbu"}


@pytest.mark.parametrize(("pv", "back"), [(499.0, False), (500.0, True)])
def test_back_to_the_battery_only_with_the_sun_if_asked(pv: float, back: bool) -> None:
    settings = replace(SETTINGS, battery_min_pv_w=500)
    state = run(settings, State(), at(0, 20)).state
    decision = run(settings, state, at(900, 80, pv=pv, output="utility_first"))
    assert decision.state.source is (Source.BATTERY if back else Source.GRID)


def test_the_window_puts_the_grid_first_and_gives_the_battery_back_at_its_end() -> None:
    settings = replace(SETTINGS, window=Window(2 * 60, 5 * 60))
    state = run(settings, State(), at(0, 80, minute=119)).state
    assert state.source is Source.BATTERY
    decision = run(settings, state, at(60, 80, minute=120))
    assert (decision.writes, decision.state.reason) == ({OUTPUT: "utility_first"}, Reason.WINDOW)
    # The battery recovered long ago, but inside the window the grid stays first.
    inside = run(settings, decision.state, at(3600, 90, minute=299, output="utility_first"))
    assert inside.writes == {}
    # At the end, even within the dwell time of the last switch and between the levels.
    ended = run(settings, inside.state, at(3660, 40, minute=300, output="utility_first"))
    assert (ended.writes, ended.state.reason) == ({OUTPUT: "sbu"}, Reason.WINDOW_ENDED)


def test_a_low_battery_at_the_end_of_the_window_keeps_the_grid() -> None:
    settings = replace(SETTINGS, window=Window(2 * 60, 5 * 60))
    state = run(settings, State(), at(0, 80, minute=120)).state
    ended = run(settings, state, at(60, 20, minute=300, output="utility_first"))
    assert (ended.state.source, ended.writes) == (Source.GRID, {})


def test_the_charger_priority_follows_where_asked() -> None:
    settings = replace(SETTINGS, grid_charger="solar_and_utility", battery_charger="solar_only")
    decision = run(settings, State(), at(0, 20, charger="solar_only"))
    assert decision.writes == {OUTPUT: "utility_first", CHARGER: "solar_and_utility"}


def test_a_panel_change_is_undone_and_counted() -> None:
    state = run(SETTINGS, State(), at(0, 80)).state
    decision = run(SETTINGS, state, at(60, 80, output="utility_first"))  # someone at the panel
    assert decision.writes == {OUTPUT: "sbu"}
    assert decision.state.writes_today == 1


def test_the_daily_budget_stops_writes_and_a_new_day_restores_it() -> None:
    settings = replace(SETTINGS, daily_writes=2, min_dwell_s=0)
    state, outputs = State(), []
    for t, soc in ((0, 20), (60, 80), (120, 20), (180, 80)):
        current = "utility_first" if state.source is Source.GRID else "sbu"
        decision = run(settings, state, at(t, soc, output=current))
        state = decision.state
        outputs.append(decision.writes.get(OUTPUT))
    assert outputs == ["utility_first", "sbu", None, None]
    assert (state.reason, state.writes_today, state.source) == (
        Reason.BUDGET_SPENT,
        2,
        Source.BATTERY,
    )
    tomorrow = run(settings, state, at(90_000, 20, day=DAY + 1))
    assert tomorrow.writes == {OUTPUT: "utility_first"}
    assert tomorrow.state.writes_today == 1


@pytest.mark.parametrize(("age", "stale"), [(300.0, False), (300.1, True)])
def test_stale_readings_hold(age: float, stale: bool) -> None:
    decision = run(SETTINGS, State(), at(0, 10, age=age))
    assert (decision.state.reason is Reason.STALE_HELD) is stale
    assert decision.writes == ({} if stale else {OUTPUT: "utility_first"})


def test_stale_readings_put_the_grid_first_if_chosen() -> None:
    settings = replace(SETTINGS, grid_when_stale=True)
    decision = run(settings, State(), at(0, None))
    assert (decision.writes, decision.state.reason) == (
        {OUTPUT: "utility_first"},
        Reason.STALE_GRID,
    )


def test_pause_holds_and_resume_returns_to_the_rules() -> None:
    paused = pause(State(), EPOCH + 600)
    decision = run(SETTINGS, paused, at(0, 10))
    assert (decision.writes, decision.state.reason) == ({}, Reason.PAUSED)
    assert run(SETTINGS, decision.state, at(600, 10)).writes == {OUTPUT: "utility_first"}
    assert run(SETTINGS, resume(paused), at(0, 10)).writes == {OUTPUT: "utility_first"}


def test_an_override_holds_its_side_until_it_ends() -> None:
    state = override(State(), Source.GRID, EPOCH + 3600)
    decision = run(SETTINGS, state, at(0, 95))
    assert (decision.writes, decision.state.reason) == ({OUTPUT: "utility_first"}, Reason.OVERRIDE)
    still = run(SETTINGS, decision.state, at(3599, 95, output="utility_first"))
    assert still.writes == {}
    over = run(SETTINGS, still.state, at(3600, 40, output="utility_first"))
    assert (over.writes, over.state.reason) == ({OUTPUT: "sbu"}, Reason.WINDOW_ENDED)
    assert over.state.override is None


def test_state_survives_json() -> None:
    state = run(SETTINGS, override(State(), Source.GRID, EPOCH + 60), at(0, 20)).state
    assert State.from_dict(json.loads(json.dumps(state.to_dict()))) == state


def test_a_pv_reading_a_little_below_zero_at_night_is_no_pv_requirement_when_none_is_set() -> None:
    back = run(SETTINGS, State(source=Source.GRID), at(0, 70, output="utility_first", pv=-3.0))
    assert back.state.source is Source.BATTERY


def test_each_side_sets_its_own_charger_priority() -> None:
    both = replace(SETTINGS, battery_charger="solar_only", grid_charger="solar_and_utility")
    to_grid = run(both, State(), at(0, 20, charger="solar_only"))
    assert to_grid.writes == {OUTPUT: "utility_first", CHARGER: "solar_and_utility"}
    back = run(both, to_grid.state, at(1000, 70, output="utility_first", charger="x"))
    assert back.writes == {OUTPUT: "sbu", CHARGER: "solar_only"}


@pytest.mark.parametrize(
    ("levels", "reading", "stale"),
    [
        # Only the levels in use need their reading.
        ({"grid_below_soc": 25, "battery_above_soc": None}, {"soc": None}, True),
        ({"grid_below_soc": None, "battery_above_soc": 60}, {"soc": None}, True),
        ({"grid_below_v": 48.0, "battery_above_v": None}, {"volts": None}, True),
        ({"grid_below_v": None, "battery_above_v": 54.0}, {"volts": None}, True),
        ({}, {"volts": None}, False),  # SOC levels only: no voltage needed
        ({}, {"pv": None}, False),  # no PV minimum: no PV needed
        ({"battery_min_pv_w": 200.0}, {"pv": None}, True),
    ],
)
def test_only_the_readings_the_settings_use_can_be_stale(
    levels: dict[str, float | None], reading: dict[str, float | None], stale: bool
) -> None:
    settings = replace(SETTINGS, **levels)
    decision = run(settings, State(), at(0, **{"soc": 50.0, **reading}))  # type: ignore[arg-type]
    assert (decision.state.reason is Reason.STALE_HELD) is stale


def test_an_override_ends_a_pause_and_a_resume_ends_both() -> None:
    state = override(pause(State(), EPOCH + 600), Source.GRID, EPOCH + 3600)
    assert state.paused_until is None
    assert resume(state) == replace(state, override=None, override_until=None)


def test_an_override_holds_until_its_end_not_at_it() -> None:
    state = override(State(), Source.GRID, EPOCH + 60)
    held = run(SETTINGS, state, at(59, 80))
    assert (held.state.source, held.state.reason) == (Source.GRID, Reason.OVERRIDE)
    # Back at once, though it switched a minute ago: the user's switch keeps its time.
    over = run(SETTINGS, held.state, at(60, 80, output="utility_first"))
    assert (over.state.source, over.state.reason) == (Source.BATTERY, Reason.BATTERY_RECOVERED)
    assert (over.writes, over.state.override) == ({OUTPUT: "sbu"}, None)


def test_after_a_pause_runs_go_on_as_before() -> None:
    state = pause(State(), EPOCH + 60)
    path = [run(SETTINGS, state, at(t, 20)).state.reason for t in (59, 60)]
    state = run(SETTINGS, state, at(61, 20)).state
    path.append(run(SETTINGS, state, at(62, 20, output="utility_first")).state.reason)
    assert path == [Reason.PAUSED, Reason.BATTERY_LOW, Reason.BATTERY_LOW]


def test_a_pv_minimum_of_one_watt_is_one_watt() -> None:
    one = replace(SETTINGS, battery_min_pv_w=1.0)
    on_grid = State(source=Source.GRID, reason=Reason.BATTERY_LOW)
    for pv, back in ((0.0, False), (0.5, False), (1.0, True)):
        decision = run(one, on_grid, at(1000, 70, output="utility_first", pv=pv))
        assert (decision.state.source is Source.BATTERY) is back
    assert run(one, on_grid, at(1000, 70, pv=None)).state.reason is Reason.STALE_HELD
