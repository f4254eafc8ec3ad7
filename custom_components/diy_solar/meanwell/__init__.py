"""Mean Well BIC-2200 and NPB chargers in Home Assistant."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady

from ..const import CONF_MAX_CHARGE_CURRENT, CONF_MAX_DISCHARGE_CURRENT
from ..coordinator import translated
from ..drivers.meanwell import MeanWellConnectionError, Range, Setting
from ..emulators.plant import shared_plant
from ..runtime import DiySolarConfigEntry, RuntimeData, async_start
from ..wear import async_load_ledger
from . import binary_sensor, number, select, sensor, switch
from .connection import connect
from .coordinator import MeanWellCoordinator

# Which settings each user limit narrows.
_USER_LIMITS = {
    CONF_MAX_CHARGE_CURRENT: (Setting.CHARGE_CURRENT, Setting.CURVE_CC),
    CONF_MAX_DISCHARGE_CURRENT: (Setting.DISCHARGE_CURRENT,),
}


async def async_setup(hass: HomeAssistant, entry: DiySolarConfigEntry) -> RuntimeData:
    ledger = await async_load_ledger(hass, entry)
    user_limits = {
        setting: Range(0.0, float(entry.options[option]))
        for option, settings in _USER_LIMITS.items()
        if entry.options.get(option) is not None
        for setting in settings
    }
    plant = shared_plant(hass.config.config_dir)
    try:
        connection = await hass.async_add_executor_job(
            lambda: connect(
                entry.data, user_limits=user_limits, on_eeprom_write=ledger.add, plant=plant
            )
        )
    except MeanWellConnectionError as err:
        # An adapter not plugged in yet, or a CAN interface not up yet: try again later.
        raise translated(ConfigEntryNotReady, "communication_error", err) from err
    connection.client.eep_off_active = ledger.eeprom_off
    coordinator = MeanWellCoordinator(hass, entry, connection, ledger)
    return await async_start(
        coordinator,
        {
            Platform.BINARY_SENSOR: binary_sensor.async_setup_entry,
            Platform.NUMBER: number.async_setup_entry,
            Platform.SELECT: select.async_setup_entry,
            Platform.SENSOR: sensor.async_setup_entry,
            Platform.SWITCH: switch.async_setup_entry,
        },
    )
