"""Adding Lumentree units: the port and the slave ids on it; every unit is sent 0 W and read
before the entry exists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import voluptuous as vol
from homeassistant.config_entries import ConfigFlowResult
from homeassistant.const import CONF_DEVICE
from homeassistant.helpers import selector

from ..const import CONF_DEVICE_TYPE, CONF_MAX_POWER, CONF_SLAVES, DeviceType
from ..drivers import lumentree as driver
from ..flow import DiySolarFlow, async_probe, serial_ports
from .connection import async_probe as async_probe_units


def _schema(current: Mapping[str, Any]) -> vol.Schema:
    units = [str(n) for n in range(1, driver.MAX_UNITS + 1)]
    return vol.Schema(
        {
            # Local ports to pick from, or a URL typed in (socket://host:port).
            vol.Required(CONF_DEVICE, default=current.get(CONF_DEVICE, vol.UNDEFINED)): (
                selector.SelectSelector(
                    selector.SelectSelectorConfig(options=serial_ports(), custom_value=True)
                )
            ),
            vol.Required(
                CONF_SLAVES, default=[str(s) for s in current.get(CONF_SLAVES, [1])]
            ): vol.All(
                selector.SelectSelector(
                    selector.SelectSelectorConfig(options=units, multiple=True)
                ),
                vol.Length(min=1),
            ),
            vol.Required(CONF_MAX_POWER, default=str(current.get(CONF_MAX_POWER, 1000))): (
                selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=[str(m) for m in driver.MODELS],
                        translation_key=CONF_MAX_POWER,
                    )
                )
            ),
        }
    )


class LumentreeFlow(DiySolarFlow):
    async def async_step_lumentree(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        current = self._current()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {
                CONF_DEVICE_TYPE: DeviceType.LUMENTREE,
                CONF_DEVICE: user_input[CONF_DEVICE],
                CONF_SLAVES: sorted(int(s) for s in user_input[CONF_SLAVES]),
                CONF_MAX_POWER: int(user_input[CONF_MAX_POWER]),
            }
            await async_probe(
                async_probe_units(data),
                errors,
                unreachable=(driver.LumentreeError,),
                what="probing the Lumentree units",
            )
            if not errors:
                port = data[CONF_DEVICE]
                # The units report no serial number.
                return await self._async_create_or_update(
                    data, self._port_identity(port), f"Lumentree {port}"
                )
            current = user_input
        schema = await self.hass.async_add_executor_job(_schema, current)
        return self.async_show_form(step_id="lumentree", data_schema=schema, errors=errors)

    async def _async_reconfigure_lumentree(
        self, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        return await self.async_step_lumentree(user_input)
