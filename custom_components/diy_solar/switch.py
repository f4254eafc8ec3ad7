"""The switch platform: entities come from the entry's device kind."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .runtime import DiySolarConfigEntry, async_setup_platform

# Writes go one at a time: the device serialises them anyway, and EEPROM is spared.
PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant, entry: DiySolarConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    await async_setup_platform(hass, entry, async_add_entities, Platform.SWITCH)
