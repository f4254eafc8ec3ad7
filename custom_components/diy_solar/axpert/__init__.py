"""Voltronic / Axpert inverters (PI30) in Home Assistant."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant

from ..const import CONF_EEPROM_BUDGET, DEFAULT_EEPROM_BUDGET
from ..runtime import DiySolarConfigEntry, RuntimeData
from ..wear import WriteLedger
from . import binary_sensor, number, select, sensor
from .connection import build_client
from .coordinator import Pi30Coordinator


async def async_setup(hass: HomeAssistant, entry: DiySolarConfigEntry) -> RuntimeData:
    ledger = WriteLedger(
        hass,
        entry.entry_id,
        entry.title,
        entry.options.get(CONF_EEPROM_BUDGET, DEFAULT_EEPROM_BUDGET),
    )
    await ledger.async_load()
    coordinator = Pi30Coordinator(hass, entry, build_client(entry.data), ledger)
    try:
        await coordinator.async_config_entry_first_refresh()
    except Exception:
        await coordinator.async_close()
        raise
    return RuntimeData(
        coordinator,
        {
            Platform.BINARY_SENSOR: binary_sensor.async_setup_entry,
            Platform.NUMBER: number.async_setup_entry,
            Platform.SELECT: select.async_setup_entry,
            Platform.SENSOR: sensor.async_setup_entry,
        },
    )
