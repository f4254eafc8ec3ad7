"""Adding a USB relay board: picked by the serial it reports, wherever it is plugged in."""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from homeassistant.config_entries import ConfigFlowResult
from homeassistant.helpers import selector

from ..const import CONF_DEVICE_TYPE, CONF_SERIAL, DeviceType
from ..flow import DiySolarFlow
from .connection import async_find_boards


class RelayFlow(DiySolarFlow):
    async def async_step_usb_relay(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        boards = await async_find_boards(self.hass)
        configured = {e.unique_id for e in self._async_current_entries()}
        free = [b for b in boards if b.serial not in configured]
        if not free:
            return self.async_abort(reason="no_relay_boards")
        if user_input is not None:
            serial = user_input[CONF_SERIAL]
            await self.async_set_unique_id(serial)
            self._abort_if_unique_id_configured()
            return self.async_create_entry(
                title=f"USB relay {serial}",
                data={CONF_DEVICE_TYPE: DeviceType.USB_RELAY, CONF_SERIAL: serial},
            )
        options = [
            selector.SelectOptionDict(value=b.serial, label=f"{b.serial} ({b.channels} channels)")
            for b in free
        ]
        return self.async_show_form(
            step_id="usb_relay",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_SERIAL, default=options[0]["value"]): selector.SelectSelector(
                        selector.SelectSelectorConfig(options=options)
                    )
                }
            ),
        )
