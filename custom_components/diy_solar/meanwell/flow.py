"""Adding a Mean Well charger: CAN interface, channel and address; MODEL and serial are read
before the entry exists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import voluptuous as vol
from homeassistant.config_entries import ConfigFlowResult
from homeassistant.helpers import selector

from ..const import (
    CONF_ADDRESS,
    CONF_BITRATE,
    CONF_CHANNEL,
    CONF_DEVICE_TYPE,
    CONF_INTERFACE,
    CanInterface,
    DeviceType,
)
from ..drivers.meanwell import BITRATE, MAX_ADDRESS, MeanWellConnectionError, MeanWellError
from ..flow import DiySolarFlow, async_probe
from .connection import FAMILIES, async_identify, describe


def _can_schema(family_max_address: int, current: Mapping[str, Any]) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(
                CONF_INTERFACE, default=current.get(CONF_INTERFACE, CanInterface.SOCKETCAN)
            ): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=[i.value for i in CanInterface], translation_key=CONF_INTERFACE
                )
            ),
            vol.Optional(CONF_CHANNEL, default=current.get(CONF_CHANNEL, "can0")): str,
            vol.Required(CONF_BITRATE, default=current.get(CONF_BITRATE, BITRATE)): vol.All(
                vol.Coerce(int), vol.Range(min=10_000, max=1_000_000)
            ),
            vol.Required(CONF_ADDRESS, default=current.get(CONF_ADDRESS, 0)): vol.All(
                vol.Coerce(int), vol.Range(min=0, max=family_max_address)
            ),
        }
    )


class MeanWellFlow(DiySolarFlow):
    async def async_step_meanwell_bic(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return await self._async_meanwell_step(DeviceType.MEANWELL_BIC, user_input)

    async def async_step_meanwell_npb(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return await self._async_meanwell_step(DeviceType.MEANWELL_NPB, user_input)

    async def _async_meanwell_step(
        self, device_type: DeviceType, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        current = self._current()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {CONF_DEVICE_TYPE: device_type, **user_input}
            identity = await async_probe(
                async_identify(data),
                errors,
                unreachable=(MeanWellConnectionError,),
                wrong=(MeanWellError,),
                what="identifying the charger",
            )
            if identity is not None:
                return await self._async_create_or_update(
                    data,
                    identity.serial_number or describe(data),
                    f"{identity.model} {identity.serial_number}".strip(),
                )
            current = user_input
        family = FAMILIES[device_type]
        return self.async_show_form(
            step_id=device_type.value,
            data_schema=_can_schema(MAX_ADDRESS[family], current),
            errors=errors,
        )

    async def _async_reconfigure_meanwell(
        self, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        current = self._current()
        if current[CONF_INTERFACE] == CanInterface.SIMULATOR:
            return self.async_abort(reason="nothing_to_reconfigure")
        return await self._async_meanwell_step(DeviceType(current[CONF_DEVICE_TYPE]), user_input)
