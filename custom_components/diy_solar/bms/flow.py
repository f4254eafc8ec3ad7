"""Adding a JK or Daly BMS: the port (a Daly: which of its ports); a full status is read
before the entry exists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import voluptuous as vol
from homeassistant.config_entries import SOURCE_RECONFIGURE, ConfigFlowResult
from homeassistant.const import CONF_DEVICE
from homeassistant.helpers import selector

from ..compat import serial_port_selector
from ..const import CONF_BMS_PORT, CONF_DEVICE_TYPE, SIMULATOR_PORT, BmsPort, DeviceType
from ..drivers.bms import BmsConnectionError, BmsError
from ..flow import DiySolarFlow, async_probe, serial_ports
from ..ports import stable_port
from .connection import async_probe as async_probe_bms

NAMES = {DeviceType.JK_BMS: "JK BMS", DeviceType.DALY_BMS: "Daly BMS"}


def _schema(device_type: DeviceType, current: Mapping[str, Any]) -> vol.Schema:
    ports = [
        *serial_ports(),
        selector.SelectOptionDict(value=SIMULATOR_PORT, label="Simulator (no hardware)"),
    ]
    fields: dict[Any, Any] = {
        vol.Required(CONF_DEVICE, default=current.get(CONF_DEVICE, vol.UNDEFINED)): (
            serial_port_selector(ports)
        )
    }
    if device_type is DeviceType.DALY_BMS:
        fields[vol.Required(CONF_BMS_PORT, default=current.get(CONF_BMS_PORT, BmsPort.RS485))] = (
            selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=[p.value for p in BmsPort], translation_key=CONF_BMS_PORT
                )
            )
        )
    return vol.Schema(fields)


class BmsFlow(DiySolarFlow):
    async def async_step_jk_bms(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        return await self._async_bms_step(DeviceType.JK_BMS, user_input)

    async def async_step_daly_bms(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return await self._async_bms_step(DeviceType.DALY_BMS, user_input)

    async def _async_bms_step(
        self, device_type: DeviceType, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        current = self._current()
        errors: dict[str, str] = {}
        if user_input is not None:
            port = user_input[CONF_DEVICE]
            if port != SIMULATOR_PORT:
                port = await self.hass.async_add_executor_job(stable_port, port)
                if self.source != SOURCE_RECONFIGURE:
                    # Its entry holds the port: a probe would only fail to open it.
                    self._async_abort_entries_match({CONF_DEVICE: port})
            data = {**user_input, CONF_DEVICE_TYPE: device_type, CONF_DEVICE: port}
            status = await async_probe(
                async_probe_bms(data),
                errors,
                unreachable=(BmsConnectionError,),
                wrong=(BmsError,),
                what="reading the BMS",
            )
            if status is not None:
                name = NAMES[device_type]
                if status.device_id:
                    unique_id, title = status.device_id, f"{name} {status.device_id}"
                else:
                    unique_id = self._port_identity(f"{device_type}:{port}")
                    title = f"{name} {port.rsplit('/', 1)[-1]}"
                return await self._async_create_or_update(data, unique_id, title)
            current = user_input
        schema = await self.hass.async_add_executor_job(_schema, device_type, current)
        return self.async_show_form(step_id=device_type.value, data_schema=schema, errors=errors)

    async def _async_reconfigure_bms(self, user_input: dict[str, Any] | None) -> ConfigFlowResult:
        current = self._current()
        # From the simulator to the real BMS, which keeps its entities.
        self._from_simulator = current[CONF_DEVICE] == SIMULATOR_PORT
        return await self._async_bms_step(DeviceType(current[CONF_DEVICE_TYPE]), user_input)
