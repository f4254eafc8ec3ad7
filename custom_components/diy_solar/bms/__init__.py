"""JK and Daly battery management systems in Home Assistant."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant

from ..const import DeviceType
from ..emulators.plant import shared_plant
from ..runtime import DiySolarConfigEntry, PlatformSetup, RuntimeData, async_start
from . import binary_sensor, sensor, switch
from .connection import async_probe, connect
from .coordinator import BmsCoordinator

__all__ = ["async_probe", "async_setup"]


async def async_setup(hass: HomeAssistant, entry: DiySolarConfigEntry) -> RuntimeData:
    plant = shared_plant(hass.config.config_dir)
    coordinator = BmsCoordinator(hass, entry, connect(entry.data, entry.options, plant))
    platforms: dict[Platform, PlatformSetup] = {
        Platform.BINARY_SENSOR: binary_sensor.async_setup_entry,
        Platform.SENSOR: sensor.async_setup_entry,
    }
    if coordinator.device_type is DeviceType.DALY_BMS:
        platforms[Platform.SWITCH] = switch.async_setup_entry
    return await async_start(coordinator, platforms)
