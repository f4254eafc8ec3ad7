"""Adding a Mean Well charger: CAN interface, channel and address; MODEL and serial are read
before the entry exists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import voluptuous as vol
from homeassistant.config_entries import SOURCE_RECONFIGURE, ConfigFlowResult
from homeassistant.helpers import selector

from ..const import (
    CONF_ADDRESS,
    CONF_BITRATE,
    CONF_CHANNEL,
    CONF_DEVICE_TYPE,
    CONF_EEP_OFF_UNSUPPORTED,
    CONF_INTERFACE,
    LOGGER,
    CanInterface,
    DeviceType,
)
from ..drivers.meanwell import (
    BITRATE,
    MAX_ADDRESS,
    MeanWellConnectionError,
    MeanWellError,
    MeanWellRejectedError,
)
from ..flow import DiySolarFlow, async_probe
from .connection import FAMILIES, async_identify, async_set_eep_off, describe
from .options import CONF_EEP_OFF


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
    # What the set-up found, while EEP_OFF is offered: entry data and title.
    _found: tuple[dict[str, Any], str]

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
            found = await async_probe(
                async_identify(data),
                errors,
                unreachable=(MeanWellConnectionError,),
                wrong=(MeanWellError,),
                what="identifying the charger",
            )
            if found is not None:
                identity, eep_off = found
                unique_id = identity.serial_number or describe(data)
                title = f"{identity.model} {identity.serial_number}".strip()
                simulated = data[CONF_INTERFACE] == CanInterface.SIMULATOR
                if self.source == SOURCE_RECONFIGURE or eep_off or simulated:
                    return await self._async_create_or_update(data, unique_id, title)
                await self._async_claim(data, unique_id)
                self._found = (data, title)
                return await self.async_step_meanwell_eeprom()
            current = user_input
        family = FAMILIES[device_type]
        return self.async_show_form(
            step_id=device_type.value,
            data_schema=_can_schema(MAX_ADDRESS[family], current),
            errors=errors,
        )

    async def async_step_meanwell_eeprom(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Offer EEP_OFF before the first write: a zero-export policy changes the current
        many times a day, and each change would otherwise wear the EEPROM."""
        data, title = self._found
        errors: dict[str, str] = {}
        if user_input is not None:
            options: dict[str, Any] = {}
            if user_input[CONF_EEP_OFF]:
                try:
                    await async_set_eep_off(data)
                except MeanWellRejectedError:
                    # Firmware before EEP_OFF: go on without it, and stop offering it.
                    options[CONF_EEP_OFF_UNSUPPORTED] = True
                except MeanWellError as err:
                    LOGGER.warning("Setting EEP_OFF failed: %s", err)
                    errors["base"] = "cannot_connect"
            if not errors:
                return self.async_create_entry(title=title, data=data, options=options)
        return self.async_show_form(
            step_id="meanwell_eeprom",
            data_schema=vol.Schema(
                {vol.Required(CONF_EEP_OFF, default=True): selector.BooleanSelector()}
            ),
            description_placeholders={"title": title},
            errors=errors,
        )

    async def _async_reconfigure_meanwell(
        self, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        current = self._current()
        # From the simulator to the real charger, which keeps its entities.
        self._from_simulator = current[CONF_INTERFACE] == CanInterface.SIMULATOR
        return await self._async_meanwell_step(DeviceType(current[CONF_DEVICE_TYPE]), user_input)
