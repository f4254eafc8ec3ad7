"""The zero-export policy entry: the controller run against the user's meter and devices."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant

from ..runtime import DiySolarConfigEntry, RuntimeData, async_start
from .entities import async_setup_numbers, async_setup_sensors, async_setup_switches
from .runner import ZeroExportRunner


async def async_setup(hass: HomeAssistant, entry: DiySolarConfigEntry) -> RuntimeData:
    return await async_start(
        ZeroExportRunner(hass, entry),
        {
            Platform.NUMBER: async_setup_numbers,
            Platform.SENSOR: async_setup_sensors,
            Platform.SWITCH: async_setup_switches,
        },
    )
