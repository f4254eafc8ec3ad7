"""The forms of the policies that own a relay, by kind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import voluptuous as vol

from . import generator, grid_connect
from .const import DeviceType

type Validator = Callable[[dict[str, Any]], dict[str, str]]

RELAY_POLICIES: dict[DeviceType, tuple[Callable[[], vol.Schema], Validator]] = {
    DeviceType.GENERATOR: (generator.options_schema, generator.validate),
    DeviceType.GRID_CONNECT: (grid_connect.options_schema, grid_connect.validate),
}
