"""Pieces every policy shares, each at its limits: time windows and the state that
survives a restart (the write budget and a switched charger are tested with zero export,
tests/policies/test_zero_export_devices.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum

import pytest

from custom_components.diy_solar.policies.schedule import Window
from custom_components.diy_solar.policies.stored import StoredState

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
