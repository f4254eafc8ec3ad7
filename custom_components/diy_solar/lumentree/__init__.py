"""Lumentree discharge inverters on one Modbus port in Home Assistant."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant

from ..runtime import DiySolarConfigEntry, RuntimeData, async_start
from . import number, sensor
from .connection import build_client
from .coordinator import LumentreeCoordinator


async def async_setup(hass: HomeAssistant, entry: DiySolarConfigEntry) -> RuntimeData:
    coordinator = LumentreeCoordinator(hass, entry, build_client(entry.data))
    return await async_start(
        coordinator,
        {Platform.NUMBER: number.async_setup_entry, Platform.SENSOR: sensor.async_setup_entry},
    )
