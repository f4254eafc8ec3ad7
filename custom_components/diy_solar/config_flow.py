"""Config flow: device type, then transport, then a real read before the entry exists."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import Any

import serialx
import voluptuous as vol
from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
)
from homeassistant.const import CONF_DEVICE, CONF_HOST, CONF_NAME, CONF_PORT
from homeassistant.core import callback
from homeassistant.helpers import selector
from homeassistant.helpers.service_info.usb import UsbServiceInfo

from . import relay
from .axpert.connection import build_client, describe
from .bms import async_probe as async_probe_bms
from .compat import serial_port_selector
from .const import (
    CONF_ADDRESS,
    CONF_BITRATE,
    CONF_BMS_PORT,
    CONF_CHANNEL,
    CONF_DEVICE_TYPE,
    CONF_HID_PID,
    CONF_HID_VID,
    CONF_INTERFACE,
    CONF_MAX_POWER,
    CONF_SERIAL,
    CONF_SLAVES,
    CONF_TRANSPORT,
    DEFAULT_TCP_PORT,
    DOMAIN,
    LOGGER,
    SIMULATOR_PORT,
    BmsPort,
    CanInterface,
    DeviceType,
    TransportKind,
)
from .drivers import lumentree as lumentree_driver
from .drivers.bms import BmsConnectionError, BmsError
from .drivers.meanwell import BITRATE, MAX_ADDRESS, MeanWellConnectionError, MeanWellError
from .drivers.pi30 import (
    AXPERT_HID_PID,
    AXPERT_HID_VID,
    Identity,
    Pi30ConnectionError,
    Pi30Error,
    is_placeholder_serial,
    list_hidraw,
)
from .drivers.usbrelay import PID as RELAY_PID
from .drivers.usbrelay import VID as RELAY_VID
from .lumentree import async_probe
from .meanwell.connection import FAMILIES, async_identify
from .meanwell.connection import describe as describe_can
from .options_flow import DiySolarOptionsFlow
from .ports import stable_port
from .relay_policies import RELAY_POLICIES
from .zero_export.flow import entities_schema, validate_entities

BMS_NAMES = {DeviceType.JK_BMS: "JK BMS", DeviceType.DALY_BMS: "Daly BMS"}


class CannotConnect(Exception):
    """Nothing answered."""


class WrongProtocol(Exception):
    """Something answered, but not in PI30."""


async def _async_identify(data: Mapping[str, Any]) -> Identity:
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


async def _async_probe[T](
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


def _serial_ports() -> list[selector.SelectOptionDict]:
    return [
        selector.SelectOptionDict(
            value=port.device,
            label=f"{port.device} ({port.product or port.manufacturer or 'unknown'})",
        )
        for port in serialx.list_serial_ports()
    ]


def _hid_devices() -> list[selector.SelectOptionDict]:
    return [
        selector.SelectOptionDict(value=d.path, label=f"{d.path} ({d.vid:04x}:{d.pid:04x})")
        for d in list_hidraw()
    ]


def _device_schema(picker: Any, default: str | None) -> vol.Schema:
    return vol.Schema({vol.Required(CONF_DEVICE, default=default or vol.UNDEFINED): picker})


def _hid_picker() -> selector.SelectSelector:
    # custom_value: a node the listing misses can still be typed in.
    return selector.SelectSelector(
        selector.SelectSelectorConfig(options=_hid_devices(), custom_value=True)
    )


def _tcp_schema(host: str | None, port: int) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_HOST, default=host or vol.UNDEFINED): str,
            vol.Required(CONF_PORT, default=port): vol.All(
                vol.Coerce(int), vol.Range(min=1, max=65535)
            ),
        }
    )


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


def _lumentree_schema(current: Mapping[str, Any]) -> vol.Schema:
    units = [str(n) for n in range(1, lumentree_driver.MAX_UNITS + 1)]
    return vol.Schema(
        {
            # A plain list: minimalmodbus opens local ports only, not network proxies.
            vol.Required(CONF_DEVICE, default=current.get(CONF_DEVICE, vol.UNDEFINED)): (
                selector.SelectSelector(
                    selector.SelectSelectorConfig(options=_serial_ports(), custom_value=True)
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
                        options=[str(m) for m in lumentree_driver.MODELS],
                        translation_key=CONF_MAX_POWER,
                    )
                )
            ),
        }
    )


def _bms_schema(device_type: DeviceType, current: Mapping[str, Any]) -> vol.Schema:
    ports = [
        *_serial_ports(),
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


class DiySolarConfigFlow(ConfigFlow, domain=DOMAIN):
    VERSION = 1

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> DiySolarOptionsFlow:
        return DiySolarOptionsFlow()

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        return self.async_show_menu(step_id="user", menu_options=[t.value for t in DeviceType])

    async def async_step_axpert(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        return self.async_show_menu(step_id="axpert", menu_options=[t.value for t in TransportKind])

    async def async_step_serial(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        return await self._async_transport_step(
            TransportKind.SERIAL,
            user_input,
            lambda current: _device_schema(
                serial_port_selector(_serial_ports()), current.get(CONF_DEVICE)
            ),
        )

    async def async_step_tcp(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        return await self._async_transport_step(
            TransportKind.TCP,
            user_input,
            lambda current: _tcp_schema(
                current.get(CONF_HOST), current.get(CONF_PORT, DEFAULT_TCP_PORT)
            ),
        )

    async def async_step_hid(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        return await self._async_transport_step(
            TransportKind.HID,
            user_input,
            lambda current: _device_schema(_hid_picker(), current.get(CONF_DEVICE)),
        )

    async def async_step_simulator(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return await self._async_finish(
            {CONF_DEVICE_TYPE: DeviceType.AXPERT, CONF_TRANSPORT: TransportKind.SIMULATOR}, {}
        ) or self.async_abort(reason="cannot_connect")

    async def _async_transport_step(
        self,
        kind: TransportKind,
        user_input: dict[str, Any] | None,
        schema_fn: Any,
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
        schema = await self.hass.async_add_executor_job(schema_fn, current)
        return self.async_show_form(step_id=kind.value, data_schema=schema, errors=errors)

    async def _async_finish(
        self, data: dict[str, Any], errors: dict[str, str]
    ) -> ConfigFlowResult | None:
        """Identify the device and create or update the entry; None with errors set."""
        identity = await _async_probe(
            _async_identify(data),
            errors,
            unreachable=(CannotConnect,),
            wrong=(WrongProtocol,),
            what="identifying the inverter",
        )
        if identity is None:
            return None
        serial = identity.serial_number
        # Placeholder serials are shared by many units; the stable port path is not.
        unique_id = describe(data) if is_placeholder_serial(serial) else serial
        return await self._async_create_or_update(data, unique_id, f"Axpert {serial}")

    async def async_step_meanwell_bic(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return await self._async_meanwell_step(DeviceType.MEANWELL_BIC, user_input)

    async def async_step_meanwell_npb(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return await self._async_meanwell_step(DeviceType.MEANWELL_NPB, user_input)

    def _current(self) -> Mapping[str, Any]:
        return self._get_reconfigure_entry().data if self.source == SOURCE_RECONFIGURE else {}

    async def _async_meanwell_step(
        self, device_type: DeviceType, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        """Interface, channel and address; the flow reads MODEL and serial first."""
        current = self._current()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {CONF_DEVICE_TYPE: device_type, **user_input}
            identity = await _async_probe(
                async_identify(data),
                errors,
                unreachable=(MeanWellConnectionError,),
                wrong=(MeanWellError,),
                what="identifying the charger",
            )
            if identity is not None:
                return await self._async_create_or_update(
                    data,
                    identity.serial_number or describe_can(data),
                    f"{identity.model} {identity.serial_number}".strip(),
                )
            current = user_input
        family = FAMILIES[device_type]
        return self.async_show_form(
            step_id=device_type.value,
            data_schema=_can_schema(MAX_ADDRESS[family], current),
            errors=errors,
        )

    async def async_step_lumentree(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The port and the slave ids on it; every unit is sent 0 W and read first."""
        current = self._current()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {
                CONF_DEVICE_TYPE: DeviceType.LUMENTREE,
                CONF_DEVICE: user_input[CONF_DEVICE],
                CONF_SLAVES: sorted(int(s) for s in user_input[CONF_SLAVES]),
                CONF_MAX_POWER: int(user_input[CONF_MAX_POWER]),
            }
            await _async_probe(
                async_probe(data),
                errors,
                unreachable=(lumentree_driver.LumentreeError,),
                what="probing the Lumentree units",
            )
            if not errors:
                port = data[CONF_DEVICE]
                # The units report no serial number.
                return await self._async_create_or_update(
                    data, self._port_identity(port), f"Lumentree {port}"
                )
            current = user_input
        schema = await self.hass.async_add_executor_job(_lumentree_schema, current)
        return self.async_show_form(step_id="lumentree", data_schema=schema, errors=errors)

    async def async_step_jk_bms(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        return await self._async_bms_step(DeviceType.JK_BMS, user_input)

    async def async_step_daly_bms(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return await self._async_bms_step(DeviceType.DALY_BMS, user_input)

    async def _async_bms_step(
        self, device_type: DeviceType, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        """The port (a Daly: which of its ports); a full status is read first."""
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
            status = await _async_probe(
                async_probe_bms(data),
                errors,
                unreachable=(BmsConnectionError,),
                wrong=(BmsError,),
                what="reading the BMS",
            )
            if status is not None:
                name = BMS_NAMES[device_type]
                if status.device_id:
                    unique_id, title = status.device_id, f"{name} {status.device_id}"
                else:
                    unique_id = self._port_identity(f"{device_type}:{port}")
                    title = f"{name} {port.rsplit('/', 1)[-1]}"
                return await self._async_create_or_update(data, unique_id, title)
            current = user_input
        schema = await self.hass.async_add_executor_job(_bms_schema, device_type, current)
        return self.async_show_form(step_id=device_type.value, data_schema=schema, errors=errors)

    def _port_identity(self, port_id: str) -> str:
        """The unique id of a device that reports none: its port, kept when a
        reconfigure moves the device to another port."""
        if self.source == SOURCE_RECONFIGURE:
            return self._get_reconfigure_entry().unique_id or port_id
        return port_id

    async def async_step_usb_relay(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pick a board by the serial it reports; its channels are read before adding."""
        boards = await relay.async_find_boards(self.hass)
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

    async def async_step_simulated_plant(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The plant every simulator shares: one per Home Assistant."""
        await self.async_set_unique_id(DeviceType.SIMULATED_PLANT)
        self._abort_if_unique_id_configured()
        return self.async_create_entry(
            title="Simulated plant", data={CONF_DEVICE_TYPE: DeviceType.SIMULATED_PLANT}
        )

    async def async_step_generator(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return await self._async_relay_policy_step(DeviceType.GENERATOR, user_input)

    async def async_step_grid_connect(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return await self._async_relay_policy_step(DeviceType.GRID_CONNECT, user_input)

    async def async_step_smart_charging(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return await self._async_relay_policy_step(DeviceType.SMART_CHARGING, user_input)

    async def _async_relay_policy_step(
        self, kind: DeviceType, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        """A one-form policy: its entities and levels (all in its options later)."""
        schema_fn, validate = RELAY_POLICIES[kind]
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = validate(user_input)
            if not errors:
                options = {k: v for k, v in user_input.items() if k != CONF_NAME}
                return self.async_create_entry(
                    title=user_input[CONF_NAME], data={CONF_DEVICE_TYPE: kind}, options=options
                )
        default_name = {
            DeviceType.GENERATOR: "Generator",
            DeviceType.GRID_CONNECT: "Grid connect",
            DeviceType.SMART_CHARGING: "Smart charging",
        }
        schema = vol.Schema({vol.Required(CONF_NAME, default=default_name[kind]): str}).extend(
            schema_fn().schema
        )
        return self.async_show_form(
            step_id=kind.value,
            data_schema=self.add_suggested_values_to_schema(schema, user_input or {}),
            errors=errors,
        )

    async def async_step_zero_export(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A policy entry: the meter it reads and the chargers and dischargers it drives."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = validate_entities(self.hass, user_input)
            if not errors:
                options = {k: v for k, v in user_input.items() if k != CONF_NAME}
                return self.async_create_entry(
                    title=user_input[CONF_NAME],
                    data={CONF_DEVICE_TYPE: DeviceType.ZERO_EXPORT},
                    options=options,
                )
        schema = self.add_suggested_values_to_schema(entities_schema(True), user_input or {})
        return self.async_show_form(step_id="zero_export", data_schema=schema, errors=errors)

    async def _async_create_or_update(
        self, data: dict[str, Any], unique_id: str, title: str
    ) -> ConfigFlowResult:
        await self.async_set_unique_id(unique_id)
        if self.source == SOURCE_RECONFIGURE:
            self._abort_if_unique_id_mismatch(reason="wrong_device")
            entry = self._get_reconfigure_entry()
            self.hass.config_entries.async_update_entry(entry, data=data)
            return self.async_abort(reason="reconfigure_successful")
        self._abort_if_unique_id_configured(updates=data)
        return self.async_create_entry(title=title, data=data)

    async def async_step_usb(self, discovery_info: UsbServiceInfo) -> ConfigFlowResult:
        vid, pid = int(discovery_info.vid, 16), int(discovery_info.pid, 16)
        if (vid, pid) == (RELAY_VID, RELAY_PID):
            return await self.async_step_usb_relay()
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

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        data = self._get_reconfigure_entry().data
        device_type = DeviceType(data[CONF_DEVICE_TYPE])
        if device_type in FAMILIES:
            if data[CONF_INTERFACE] == CanInterface.SIMULATOR:
                return self.async_abort(reason="nothing_to_reconfigure")
            return await self._async_meanwell_step(device_type, user_input)
        if device_type is DeviceType.LUMENTREE:
            return await self.async_step_lumentree(user_input)
        if device_type in (DeviceType.ZERO_EXPORT, *RELAY_POLICIES):
            return self.async_abort(reason="policy_in_options")
        if device_type in (DeviceType.SIMULATED_PLANT, DeviceType.USB_RELAY):
            # A relay board is found by its serial wherever it is plugged in.
            return self.async_abort(reason="nothing_to_reconfigure")
        if device_type in BMS_NAMES:
            if data[CONF_DEVICE] == SIMULATOR_PORT:
                return self.async_abort(reason="nothing_to_reconfigure")
            return await self._async_bms_step(device_type, user_input)
        kind = TransportKind(data[CONF_TRANSPORT])
        if kind is TransportKind.SIMULATOR:
            return self.async_abort(reason="nothing_to_reconfigure")
        step = {
            TransportKind.SERIAL: self.async_step_serial,
            TransportKind.TCP: self.async_step_tcp,
            TransportKind.HID: self.async_step_hid,
        }[kind]
        return await step(user_input)
