"""What the add-device steps of every family share: probing, port pickers, and creating or
updating the entry once the device has answered."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import Any

import serialx
from homeassistant.config_entries import SOURCE_RECONFIGURE, ConfigFlow, ConfigFlowResult
from homeassistant.helpers import selector

from .const import LOGGER


async def async_probe[T](
    probe: Awaitable[T],
    errors: dict[str, str],
    *,
    unreachable: tuple[type[Exception], ...],
    wrong: tuple[type[Exception], ...] = (),
    what: str,
) -> T | None:
    """Run a device probe; on failure None, with errors["base"] saying why."""
    try:
        return await probe
    except unreachable:
        errors["base"] = "cannot_connect"
    except wrong:
        errors["base"] = "wrong_protocol"
    except Exception:
        LOGGER.exception("Unexpected error while %s", what)
        errors["base"] = "unknown"
    return None


def serial_ports() -> list[selector.SelectOptionDict]:
    """The serial ports of this machine (blocking: run in the executor)."""
    return [
        selector.SelectOptionDict(
            value=port.device,
            label=f"{port.device} ({port.product or port.manufacturer or 'unknown'})",
        )
        for port in serialx.list_serial_ports()
    ]


class DiySolarFlow(ConfigFlow):
    """The base of every family's steps; config_flow.py composes them."""

    def _current(self) -> Mapping[str, Any]:
        """The entry's data while reconfiguring (the form's defaults), else nothing."""
        return self._get_reconfigure_entry().data if self.source == SOURCE_RECONFIGURE else {}

    def _port_identity(self, port_id: str) -> str:
        """The unique id of a device that reports none: its port, kept when a
        reconfigure moves the device to another port."""
        if self.source == SOURCE_RECONFIGURE:
            return self._get_reconfigure_entry().unique_id or port_id
        return port_id

    async def _async_claim(self, data: dict[str, Any], unique_id: str) -> None:
        """This flow adds the device unique_id; one already configured has its entry
        updated with data instead, and the flow ends there."""
        await self.async_set_unique_id(unique_id)
        # The entry's update listener reloads it once; HA must not reload it as well.
        self._abort_if_unique_id_configured(updates=data, reload_on_update=False)

    async def _async_create_or_update(
        self, data: dict[str, Any], unique_id: str, title: str
    ) -> ConfigFlowResult:
        if self.source == SOURCE_RECONFIGURE:
            await self.async_set_unique_id(unique_id)
            self._abort_if_unique_id_mismatch(reason="wrong_device")
            entry = self._get_reconfigure_entry()
            self.hass.config_entries.async_update_entry(entry, data=data)
            return self.async_abort(reason="reconfigure_successful")
        await self._async_claim(data, unique_id)
        return self.async_create_entry(title=title, data=data)
