"""Diagnostics: the entry and what its device said last."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_DEVICE, CONF_HOST
from homeassistant.core import HomeAssistant

from .const import CONF_SERIAL
from .runtime import DiySolarConfigEntry

# Serial numbers, and what contains them: a BMS's device (manufacturer) id, a relay
# board's serial, and port paths (/dev/serial/by-id/ names carry the adapter's serial).
TO_REDACT = {
    CONF_HOST,
    CONF_DEVICE,
    CONF_SERIAL,
    "serial_number",
    "device_id",
    "manufacturer_id",
    "port",
    "unique_id",
    "title",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: DiySolarConfigEntry
) -> dict[str, Any]:
    coordinator = entry.runtime_data.coordinator
    return async_redact_data(
        {
            "entry": {"data": dict(entry.data), "options": dict(entry.options)},
            "last_update_success": coordinator.last_update_success,
            **coordinator.diagnostics(),
        },
        TO_REDACT,
    )
