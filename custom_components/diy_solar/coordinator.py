"""The base of every device coordinator, and the translated errors they raise."""

from __future__ import annotations

from abc import abstractmethod
from datetime import timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.loader import async_get_loaded_integration

from .const import CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL, DOMAIN, LOGGER


class DeviceCoordinator[DataT](DataUpdateCoordinator[DataT]):
    """Polls one device entry at the interval its options set."""

    # Any entry: runtime.py, which types entries with their runtime data, builds on this.
    config_entry: ConfigEntry[Any]

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            update_interval=timedelta(
                seconds=entry.options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL)
            ),
        )

    @property
    def device_key(self) -> str:
        return self.config_entry.unique_id or self.config_entry.entry_id

    @property
    def software_version(self) -> str | None:
        """This integration's version: the firmware of what runs inside Home Assistant."""
        return str(async_get_loaded_integration(self.hass, DOMAIN).version or "") or None

    @abstractmethod
    def device_info(self, unit: int | None = None) -> DeviceInfo:
        """The HA device of the entry, or of one unit on a shared bus."""

    def subject(self, unit: int | None = None) -> Any:
        """What entities of unit read their values from (None: unit unavailable)."""
        return self.data

    @abstractmethod
    async def async_close(self) -> None:
        """Release the port or bus."""

    @abstractmethod
    def diagnostics(self) -> dict[str, Any]:
        """Device state for the diagnostics download."""


def translated[E: HomeAssistantError](cls: type[E], key: str, err: Exception) -> E:
    return cls(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={"error": str(err)},
    )
