"""The one-form policies (generator, grid connect, smart charging): schema and check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import voluptuous as vol

from . import generator, grid_connect, smart_charging
from .const import DeviceType

type Validator = Callable[[dict[str, Any]], dict[str, str]]

RELAY_POLICIES: dict[DeviceType, tuple[Callable[[], vol.Schema], Validator]] = {
    DeviceType.GENERATOR: (generator.options_schema, generator.validate),
    DeviceType.GRID_CONNECT: (grid_connect.options_schema, grid_connect.validate),
    DeviceType.SMART_CHARGING: (smart_charging.options_schema, smart_charging.validate),
}
