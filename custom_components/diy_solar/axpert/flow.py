"""Adding an Axpert: how it is connected, then its identity read before the entry exists;
USB discovery of its HID port; moving it to another port."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import voluptuous as vol
from homeassistant.config_entries import SOURCE_RECONFIGURE, ConfigFlowResult
from homeassistant.const import CONF_DEVICE, CONF_HOST, CONF_PORT
from homeassistant.helpers import selector

from ..compat import serial_port_selector
from ..const import (
    CONF_DEVICE_TYPE,
    CONF_HID_PID,
    CONF_HID_VID,
    CONF_TRANSPORT,
    DEFAULT_TCP_PORT,
    DeviceType,
    TransportKind,
)
from ..drivers.pi30 import (
    AXPERT_HID_PID,
    AXPERT_HID_VID,
    Identity,
    Pi30ConnectionError,
    Pi30Error,
    is_placeholder_serial,
    list_hidraw,
)
from ..flow import DiySolarFlow, async_probe, serial_ports
from .connection import build_client, describe


class CannotConnect(Exception):
    """Nothing answered."""


class WrongProtocol(Exception):
    """Something answered, but not in PI30."""


async def async_identify(data: Mapping[str, Any]) -> Identity:
    client = build_client(data)
    try:
        identity = await client.get_identity()
    except Pi30ConnectionError as err:
        raise CannotConnect from err
    except Pi30Error as err:  # a NAK or a frame that is not PI30
        raise WrongProtocol from err
    finally:
        await client.close()
    if identity.protocol_id != "PI30":
        raise WrongProtocol
    return identity


def _device_schema(picker: Any, default: str | None) -> vol.Schema:
    return vol.Schema({vol.Required(CONF_DEVICE, default=default or vol.UNDEFINED): picker})


def _serial_schema(current: Mapping[str, Any]) -> vol.Schema:
    return _device_schema(serial_port_selector(serial_ports()), current.get(CONF_DEVICE))


def _hid_schema(current: Mapping[str, Any]) -> vol.Schema:
    options = [
        selector.SelectOptionDict(value=d.path, label=f"{d.path} ({d.vid:04x}:{d.pid:04x})")
        for d in list_hidraw()
    ]
    # custom_value: a node the listing misses can still be typed in.
    picker = selector.SelectSelector(
        selector.SelectSelectorConfig(options=options, custom_value=True)
    )
    return _device_schema(picker, current.get(CONF_DEVICE))


def _tcp_schema(current: Mapping[str, Any]) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_HOST, default=current.get(CONF_HOST) or vol.UNDEFINED): str,
            vol.Required(CONF_PORT, default=current.get(CONF_PORT, DEFAULT_TCP_PORT)): vol.All(
                vol.Coerce(int), vol.Range(min=1, max=65535)
            ),
        }
    )


# The form of each transport; built in the executor (port listings read the disk).
SCHEMAS: dict[TransportKind, Callable[[Mapping[str, Any]], vol.Schema]] = {
    TransportKind.SERIAL: _serial_schema,
    TransportKind.TCP: _tcp_schema,
    TransportKind.HID: _hid_schema,
}


class AxpertFlow(DiySolarFlow):
    _discovered: dict[str, Any]

    async def async_step_axpert(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        return self.async_show_menu(step_id="axpert", menu_options=[t.value for t in TransportKind])

    async def async_step_serial(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        return await self._async_transport_step(TransportKind.SERIAL, user_input)

    async def async_step_tcp(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        return await self._async_transport_step(TransportKind.TCP, user_input)

    async def async_step_hid(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        return await self._async_transport_step(TransportKind.HID, user_input)

    async def async_step_simulator(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        data = {CONF_DEVICE_TYPE: DeviceType.AXPERT, CONF_TRANSPORT: TransportKind.SIMULATOR}
        return await self._async_finish(data, {}) or self.async_abort(reason="cannot_connect")

    async def _async_transport_step(
        self, kind: TransportKind, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        current = self._current()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {**current, CONF_DEVICE_TYPE: DeviceType.AXPERT, CONF_TRANSPORT: kind}
            data.update(user_input)
            if kind is TransportKind.HID:
                data.setdefault(CONF_HID_VID, AXPERT_HID_VID)
                data.setdefault(CONF_HID_PID, AXPERT_HID_PID)
            result = await self._async_finish(data, errors)
            if result is not None:
                return result
            current = user_input
        schema = await self.hass.async_add_executor_job(SCHEMAS[kind], current)
        return self.async_show_form(step_id=kind.value, data_schema=schema, errors=errors)

    async def _async_finish(
        self, data: dict[str, Any], errors: dict[str, str]
    ) -> ConfigFlowResult | None:
        """Identify the device and create or update the entry; None with errors set."""
        identity = await async_probe(
            async_identify(data),
            errors,
            unreachable=(CannotConnect,),
            wrong=(WrongProtocol,),
            what="identifying the inverter",
        )
        if identity is None:
            return None
        serial = identity.serial_number
        unique_id = serial
        if is_placeholder_serial(serial):
            # Shared by many units: the port identifies it, and a reconfigure that moves
            # such an inverter keeps the identity it had (only if it had a port's: a unit
            # with a real serial is never taken for one with a placeholder).
            unique_id = describe(data)
            if self.source == SOURCE_RECONFIGURE:
                entry = self._get_reconfigure_entry()
                if entry.unique_id == describe(entry.data):
                    unique_id = entry.unique_id
        return await self._async_create_or_update(data, unique_id, f"Axpert {serial}")

    async def _async_discovered_hid(self, vid: int, pid: int) -> ConfigFlowResult:
        """USB discovery of an inverter's own HID port: confirm, then identify."""
        nodes = await self.hass.async_add_executor_job(list_hidraw)
        paths = [d.path for d in nodes if (d.vid, d.pid) == (vid, pid)]
        if not paths:
            return self.async_abort(reason="no_hidraw")
        self._discovered = {
            CONF_DEVICE_TYPE: DeviceType.AXPERT,
            CONF_TRANSPORT: TransportKind.HID,
            CONF_DEVICE: paths[0],
            CONF_HID_VID: vid,
            CONF_HID_PID: pid,
        }
        self._async_abort_entries_match({CONF_TRANSPORT: TransportKind.HID, CONF_DEVICE: paths[0]})
        self.context["title_placeholders"] = {"device": paths[0]}
        return await self.async_step_usb_confirm()

    async def async_step_usb_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            result = await self._async_finish(self._discovered, errors)
            if result is not None:
                return result
        self._set_confirm_only()
        return self.async_show_form(
            step_id="usb_confirm",
            description_placeholders={"device": self._discovered[CONF_DEVICE]},
            errors=errors,
        )

    async def _async_reconfigure_axpert(
        self, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        kind = TransportKind(self._current()[CONF_TRANSPORT])
        if kind is TransportKind.SIMULATOR:
            # From the simulator to the real inverter, which keeps its entities.
            self._from_simulator = True
            real = [t.value for t in TransportKind if t is not TransportKind.SIMULATOR]
            return self.async_show_menu(step_id="axpert", menu_options=real)
        return await self._async_transport_step(kind, user_input)
