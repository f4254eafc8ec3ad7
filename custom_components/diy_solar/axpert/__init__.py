"""Voltronic / Axpert inverters (PI30) in Home Assistant."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant

from ..emulators.plant import shared_plant
from ..runtime import DiySolarConfigEntry, RuntimeData, async_start
from ..wear import async_load_ledger
from . import binary_sensor, number, select, sensor
from .connection import build_client
from .coordinator import Pi30Coordinator


async def async_setup(hass: HomeAssistant, entry: DiySolarConfigEntry) -> RuntimeData:
    ledger = await async_load_ledger(hass, entry)
    plant = shared_plant(hass.config.config_dir)
    coordinator = Pi30Coordinator(hass, entry, build_client(entry.data, plant), ledger)
    return await async_start(
        coordinator,
        {
            Platform.BINARY_SENSOR: binary_sensor.async_setup_entry,
            Platform.NUMBER: number.async_setup_entry,
            Platform.SELECT: select.async_setup_entry,
            Platform.SENSOR: sensor.async_setup_entry,
        },
    )
