"""Form fields several flows share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.helpers import selector


def box(minimum: float, maximum: float, step: float, unit: str) -> selector.NumberSelector:
    """A number typed into a box, with its unit."""
    return selector.NumberSelector(
        selector.NumberSelectorConfig(
            min=minimum,
            max=maximum,
            step=step,
            unit_of_measurement=unit,
            mode=selector.NumberSelectorMode.BOX,
        )
    )


def option(options: Mapping[str, Any], key: str, default: float, scale: float = 1.0) -> float:
    """A number from an entry's options (default where unset), in the policy's units:
    scale turns the form's unit into the policy's (minutes to seconds, say)."""
    value = options.get(key)
    return default if value is None else float(value) * scale


def minute_of_day(text: str | None) -> int | None:
    """A time option ("23:30:00") as the minute of the day; None where unset."""
    if not text:
        return None
    hours, minutes, *_ = (int(part) for part in str(text).split(":"))
    return hours * 60 + minutes
