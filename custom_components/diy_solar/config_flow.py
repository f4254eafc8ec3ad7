"""Config flow: the menu of device kinds and policies, USB discovery, and reconfigure
handed to the family that owns the entry. Each family's steps live in its package."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigFlowResult
from homeassistant.core import callback
from homeassistant.helpers.service_info.usb import UsbServiceInfo

from .axpert.flow import AxpertFlow
from .bank.flow import BankFlow
from .bms.flow import BmsFlow
from .const import CONF_DEVICE_TYPE, DOMAIN, DeviceType
from .drivers.usbrelay import PID as RELAY_PID
from .drivers.usbrelay import VID as RELAY_VID
from .generator.flow import GeneratorFlow
from .grid_connect.flow import GridConnectFlow
from .lumentree.flow import LumentreeFlow
from .meanwell.flow import MeanWellFlow
from .options_flow import POLICY_FORMS, DiySolarOptionsFlow
from .output_priority.flow import OutputPriorityFlow
from .plant.flow import PlantFlow
from .relay.flow import RelayFlow
from .smart_charging.flow import SmartChargingFlow
from .soc_estimator.flow import EstimatorFlow
from .zero_export.flow import ZeroExportFlow

type Reconfigure = Callable[[dict[str, Any] | None], Awaitable[ConfigFlowResult]]


class DiySolarConfigFlow(
    AxpertFlow,
    MeanWellFlow,
    LumentreeFlow,
    BmsFlow,
    RelayFlow,
    PlantFlow,
    BankFlow,
    EstimatorFlow,
    ZeroExportFlow,
    GeneratorFlow,
    GridConnectFlow,
    SmartChargingFlow,
    OutputPriorityFlow,
    domain=DOMAIN,
):
    VERSION = 1

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> DiySolarOptionsFlow:
        return DiySolarOptionsFlow()

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        return self.async_show_menu(step_id="user", menu_options=[t.value for t in DeviceType])

    async def async_step_usb(self, discovery_info: UsbServiceInfo) -> ConfigFlowResult:
        vid, pid = int(discovery_info.vid, 16), int(discovery_info.pid, 16)
        if (vid, pid) == (RELAY_VID, RELAY_PID):
            return await self.async_step_usb_relay()
        return await self._async_discovered_hid(vid, pid)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        kind = DeviceType(self._get_reconfigure_entry().data[CONF_DEVICE_TYPE])
        steps: dict[DeviceType, Reconfigure] = {
            DeviceType.AXPERT: self._async_reconfigure_axpert,
            DeviceType.MEANWELL_BIC: self._async_reconfigure_meanwell,
            DeviceType.MEANWELL_NPB: self._async_reconfigure_meanwell,
            DeviceType.LUMENTREE: self._async_reconfigure_lumentree,
            DeviceType.JK_BMS: self._async_reconfigure_bms,
            DeviceType.DALY_BMS: self._async_reconfigure_bms,
        }
        if (step := steps.get(kind)) is not None:
            return await step(user_input)
        if kind in POLICY_FORMS:
            return await self._async_policy_form_step(POLICY_FORMS[kind], user_input)
        if kind is DeviceType.ZERO_EXPORT:
            return await self.async_step_zero_export(user_input)
        # A relay board is found by its serial wherever it is plugged in; the simulated
        # plant has no connection.
        return self.async_abort(reason="nothing_to_reconfigure")
