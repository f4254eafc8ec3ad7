"""Diagnostics: what the inverter said last, raw frames included."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant

from .coordinator import DiySolarConfigEntry
from .drivers.pi30.models import CurrentOptions

TO_REDACT = {CONF_HOST, "serial_number", "unique_id", "title"}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: DiySolarConfigEntry
) -> dict[str, Any]:
    coordinator = entry.runtime_data.coordinator
    client = coordinator.client
    data = coordinator.data
    return async_redact_data(
        {
            "entry": {"data": dict(entry.data), "options": dict(entry.options)},
            "identity": asdict(coordinator.identity),
            "last_update_success": coordinator.last_update_success,
            "status": asdict(data.status),
            "mode": data.mode.value,
            "warnings": list(data.warnings.active),
            "rated": asdict(data.capabilities.rated),
            "charge_currents": _maybe(data.capabilities.charge_currents),
            "utility_charge_currents": _maybe(data.capabilities.utility_charge_currents),
            "writes": asdict(client.writes),
            # QID's frame is the serial number itself.
            "raw_frames": {
                cmd: frame.hex(" ") for cmd, frame in client.raw_frames.items() if cmd != "QID"
            },
        },
        TO_REDACT,
    )


def _maybe(options: CurrentOptions | None) -> dict[str, Any] | None:
    return None if options is None else asdict(options)
