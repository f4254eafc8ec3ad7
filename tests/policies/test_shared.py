"""The small pieces every policy shares: time windows, the daily write budget, a switched
charger's hysteresis and the state that survives a restart — each at its limits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum

import pytest

from custom_components.diy_solar.policies.budget import WriteBudget
from custom_components.diy_solar.policies.schedule import Window
from custom_components.diy_solar.policies.stored import StoredState
from custom_components.diy_solar.policies.switching import SwitchSettings, switch_on

NIGHT = Window(22 * 60, 6 * 60)  # wraps past midnight
DAY = Window(9 * 60, 17 * 60)


@pytest.mark.parametrize(
    ("window", "minute", "inside"),
    [
        (DAY, 9 * 60 - 1, False),
        (DAY, 9 * 60, True),  # the start is in
        (DAY, 17 * 60 - 1, True),
        (DAY, 17 * 60, False),  # the end is out
        (NIGHT, 22 * 60 - 1, False),
        (NIGHT, 22 * 60, True),
        (NIGHT, 0, True),
        (NIGHT, 6 * 60 - 1, True),
        (NIGHT, 6 * 60, False),
        (Window(600, 600), 600, False),  # an empty window is never on, not always
        (Window(600, 600), 0, False),
    ],
)
def test_a_window_holds_its_start_not_its_end(window: Window, minute: int, inside: bool) -> None:
    assert window.contains(minute) is inside


def test_the_write_budget_counts_one_write_per_spend_and_starts_empty_each_day() -> None:
    budget = WriteBudget()
    today = 740_000
    assert not budget.spent("bic", today, 1)  # nothing written yet
    budget.spend("bic", today)
    assert not budget.spent("bic", today, 2)  # one write is one
    assert budget.spent("bic", today, 1)
    budget.spend("bic", today, writes=3)
    assert (budget.spent("bic", today, 4), budget.spent("bic", today, 5)) == (True, False)
    assert not budget.spent("lumentree", today, 1)  # per device
    assert not budget.spent("bic", today + 1, 1)  # a new day


PLUG = SwitchSettings(power_w=1000.0, min_on_s=300.0, min_off_s=300.0)


@pytest.mark.parametrize(
    ("on", "wanted_w", "since_s", "result"),
    [
        # Off: on at 90 % of its power wanted, once it has been off long enough.
        (False, 899.0, 900.0, False),
        (False, 900.0, 900.0, True),
        (False, 900.0, 299.0, False),
        (False, 900.0, 300.0, True),
        # On: off below 40 %, once it has been on long enough.
        (True, 399.0, 900.0, False),
        (True, 400.0, 900.0, True),
        (True, 399.0, 299.0, True),
        (True, 399.0, 300.0, False),
    ],
)
def test_a_switched_charger_at_its_shares_and_times(
    on: bool, wanted_w: float, since_s: float, result: bool
) -> None:
    assert switch_on(PLUG, on, wanted_w, since_s) is result


def test_a_switch_without_a_power_stays_off_and_a_small_one_works() -> None:
    assert switch_on(SwitchSettings(power_w=0.0), False, 500.0, 9999.0) is False
    assert switch_on(SwitchSettings(power_w=-5.0), True, 500.0, 9999.0) is False
    assert switch_on(SwitchSettings(power_w=1.0), False, 1.0, 9999.0) is True


class Phase(StrEnum):
    IDLE = "idle"
    RUNNING = "running"


@dataclass
class Remembered(StoredState):
    count: int = 0
    phase: Phase = Phase.IDLE
    maybe: Phase | None = None
    since: float | None = None


def test_stored_state_comes_back_with_its_enums_and_defaults() -> None:
    state = Remembered(count=3, phase=Phase.RUNNING, maybe=Phase.RUNNING, since=1.78e9)
    data = state.to_dict()
    assert data == {"count": 3, "phase": "running", "maybe": "running", "since": 1.78e9}
    back = Remembered.from_dict(json.loads(json.dumps(data)))  # plain strings, as stored
    assert back == state
    assert type(back.phase) is Phase and type(back.maybe) is Phase
    # A field missing (an older version's store) takes its default; the rest still load.
    partial = Remembered.from_dict({"phase": "running", "since": 5.0, "unknown": 1})
    assert partial == Remembered(phase=Phase.RUNNING, since=5.0)
    assert Remembered.from_dict({"maybe": None}) == Remembered()
