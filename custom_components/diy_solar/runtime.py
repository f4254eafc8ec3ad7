"""What a set-up entry carries, and how platforms find the entities of its device kind."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from .coordinator import DeviceCoordinator

type PlatformSetup = Callable[
    [HomeAssistant, "DiySolarConfigEntry", AddEntitiesCallback], Awaitable[None]
]


@dataclass
class RuntimeData:
    coordinator: DeviceCoordinator[Any]
    platforms: Mapping[Platform, PlatformSetup]


type DiySolarConfigEntry = ConfigEntry[RuntimeData]


async def async_setup_platform(
    hass: HomeAssistant,
    entry: DiySolarConfigEntry,
    async_add_entities: AddEntitiesCallback,
    platform: Platform,
) -> None:
    """Hand the platform to the entry's device kind, if that kind has such entities."""
    setup = entry.runtime_data.platforms.get(platform)
    if setup is not None:
        await setup(hass, entry, async_add_entities)


async def async_start(
    coordinator: DeviceCoordinator[Any], platforms: Mapping[Platform, PlatformSetup]
) -> RuntimeData:
    """First poll of a new coordinator; its port or bus is released if that fails."""
    try:
        await coordinator.async_config_entry_first_refresh()
    except Exception:
        await coordinator.async_close()
        raise
    return RuntimeData(coordinator, platforms)
