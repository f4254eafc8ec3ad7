"""Options: the menu of each kind of entry, and the settings every device has (poll
interval; EEPROM budget where settings wear an EEPROM); each family and policy adds its own
steps and fields from its package."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import voluptuous as vol
from homeassistant.config_entries import ConfigEntry, ConfigFlowResult

from .bank.flow import FORM as BANK_FORM
from .bms import options as bms_options
from .const import (
    CONF_DEVICE_TYPE,
    CONF_EEPROM_BUDGET,
    CONF_SCAN_INTERVAL,
    CONF_TIME_SHIFT,
    DEFAULT_EEPROM_BUDGET,
    DEFAULT_SCAN_INTERVAL,
    MAX_SCAN_INTERVAL,
    MIN_SCAN_INTERVAL,
    DeviceType,
)
from .forms import box
from .generator.flow import FORM as GENERATOR_FORM
from .grid_connect.flow import FORM as GRID_CONNECT_FORM
from .meanwell import options as meanwell_options
from .meanwell.connection import FAMILIES
from .meanwell.options import MeanWellOptions
from .output_priority.flow import FORM as OUTPUT_PRIORITY_FORM
from .policies.charging import Chemistry
from .policy_form import PolicyFormOptions
from .smart_charging.flow import FORM as SMART_CHARGING_FORM
from .smart_charging.flow import LEVELS as CHARGING_LEVELS
from .soc_estimator.flow import FORM as ESTIMATOR_FORM
from .zero_export.flow import ZeroExportOptions

POLICY_FORMS = {
    f.kind: f
    for f in (
        GENERATOR_FORM,
        GRID_CONNECT_FORM,
        SMART_CHARGING_FORM,
        OUTPUT_PRIORITY_FORM,
        BANK_FORM,
        ESTIMATOR_FORM,
    )
}
# Device kinds whose settings writes wear an EEPROM.
EEPROM_WRITERS = {DeviceType.AXPERT, DeviceType.MEANWELL_BIC, DeviceType.MEANWELL_NPB}
# Each family's settings step: its own texts (a poll interval means something else on a
# 2400 baud Axpert line than on a CAN bus).
SETTINGS_STEP = {
    DeviceType.AXPERT: "axpert_settings",
    DeviceType.MEANWELL_BIC: "meanwell_settings",
    DeviceType.MEANWELL_NPB: "meanwell_settings",
    DeviceType.LUMENTREE: "lumentree_settings",
    DeviceType.JK_BMS: "bms_settings",
    DeviceType.DALY_BMS: "bms_settings",
    DeviceType.USB_RELAY: "relay_settings",
}
# Fields a family adds to the settings form.
SETTINGS_FIELDS: dict[DeviceType, Callable[[ConfigEntry[Any]], dict[Any, Any]]] = {
    DeviceType.MEANWELL_BIC: meanwell_options.settings_fields,
    DeviceType.MEANWELL_NPB: meanwell_options.settings_fields,
    DeviceType.JK_BMS: bms_options.settings_fields,
    DeviceType.DALY_BMS: bms_options.settings_fields,
}


class DiySolarOptionsFlow(MeanWellOptions, ZeroExportOptions, PolicyFormOptions):
    @property
    def _device_type(self) -> DeviceType:
        return DeviceType(self.config_entry.data[CONF_DEVICE_TYPE])

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        kind = self._device_type
        if kind is DeviceType.ZERO_EXPORT:
            return await self._async_zero_export_menu()
        if kind in POLICY_FORMS:
            return await self._async_policy_options(user_input)
        if kind is DeviceType.SIMULATED_PLANT:
            return await self.async_step_plant(user_input)
        more = self._meanwell_menu() if kind in FAMILIES else []
        if more:
            return self.async_show_menu(step_id="init", menu_options=[SETTINGS_STEP[kind], *more])
        return await self.async_step_settings(user_input)

    async def async_step_plant(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The simulated plant has no poll interval; its day can be moved to see any hour."""
        if user_input is not None:
            return self.async_create_entry(data=user_input)
        schema = vol.Schema({vol.Required(CONF_TIME_SHIFT, default=0): box(-23, 23, 1, "h")})
        return self.async_show_form(
            step_id="plant",
            data_schema=self.add_suggested_values_to_schema(schema, self.config_entry.options),
        )

    async def async_step_settings(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        if user_input is not None:
            return self.async_create_entry(data={**self.config_entry.options, **user_input})
        fields: dict[Any, Any] = {
            vol.Required(CONF_SCAN_INTERVAL, default=DEFAULT_SCAN_INTERVAL): box(
                MIN_SCAN_INTERVAL, MAX_SCAN_INTERVAL, 1, "s"
            ),
        }
        if self._device_type in EEPROM_WRITERS:
            fields[vol.Required(CONF_EEPROM_BUDGET, default=DEFAULT_EEPROM_BUDGET)] = box(
                1000, 100_000_000, 1000, "writes"
            )
        if (extra := SETTINGS_FIELDS.get(self._device_type)) is not None:
            fields |= extra(self.config_entry)
        return self.async_show_form(
            step_id=SETTINGS_STEP[self._device_type],
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(fields), self.config_entry.options
            ),
        )

    async_step_axpert_settings = async_step_settings
    async_step_meanwell_settings = async_step_settings
    async_step_lumentree_settings = async_step_settings
    async_step_bms_settings = async_step_settings
    async_step_relay_settings = async_step_settings

    async def _async_policy_options(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return await self._async_policy_form_options(POLICY_FORMS[self._device_type], user_input)

    # One step per policy, each with its own texts.
    async_step_generator = _async_policy_options
    async_step_grid_connect = _async_policy_options
    async_step_smart_charging = _async_policy_options
    async_step_output_priority = _async_policy_options
    async_step_battery_bank = _async_policy_options
    async_step_soc_estimator = _async_policy_options

    async def async_step_smart_charging_lead_acid(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return await self._async_policy_form_options(
            CHARGING_LEVELS[Chemistry.LEAD_ACID], user_input
        )

    async def async_step_smart_charging_lithium(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return await self._async_policy_form_options(CHARGING_LEVELS[Chemistry.LITHIUM], user_input)
