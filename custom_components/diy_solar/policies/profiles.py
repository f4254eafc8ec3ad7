"""Setting profiles ("summer", "winter"): what to write, and in which order (pure).

Only what differs is written. The order keeps a device within safe settings at every step:
what goes down goes first, voltages before currents (a lower voltage limit before a lower
current); what goes up goes after, currents before voltages; within each, the settings
stay in their order (a float voltage below its bulk voltage, lowered first and raised
last).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class Kind(StrEnum):
    VOLTAGE = "voltage"
    CURRENT = "current"
    OTHER = "other"  # a choice (a source priority): written last


# How close a value must be to count as the same (the devices' setting steps are coarser).
SAME = 1e-6


def plan(
    current: Mapping[str, float], wanted: Mapping[str, float], kinds: Mapping[str, Kind]
) -> list[tuple[str, float]]:
    """The (setting, value) writes that take current to wanted, in a safe order. Settings
    the device does not report are left out."""
    changes = {
        key: value
        for key, value in wanted.items()
        if key in current and abs(current[key] - value) > SAME
    }

    def group(kind: Kind, down: bool) -> list[tuple[str, float]]:
        chosen = [
            (key, value)
            for key, value in changes.items()
            if kinds.get(key, Kind.OTHER) is kind and (value < current[key]) is down
        ]
        # Down: the lowest target first; up: the highest first.
        return sorted(chosen, key=lambda kv: kv[1], reverse=not down)

    return [
        *group(Kind.VOLTAGE, True),
        *group(Kind.CURRENT, True),
        *group(Kind.CURRENT, False),
        *group(Kind.VOLTAGE, False),
        *[(k, v) for k, v in changes.items() if kinds.get(k, Kind.OTHER) is Kind.OTHER],
    ]
