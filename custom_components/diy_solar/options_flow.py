"""Options: poll interval and EEPROM budget; for a Mean Well also user limits, EEP_OFF
and battery mode, the last two written to the device from here; for a BMS how to read
its current sign and (JK) its negative temperatures."""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.helpers import selector

from .const import (
    CONF_DEVICE_TYPE,
    CONF_EEP_OFF_UNSUPPORTED,
    CONF_EEPROM_BUDGET,
    CONF_INVERT_CURRENT,
    CONF_MAX_CHARGE_CURRENT,
    CONF_MAX_DISCHARGE_CURRENT,
    CONF_SCAN_INTERVAL,
    CONF_TEMPERATURE_CONVENTION,
    DEFAULT_EEPROM_BUDGET,
    DEFAULT_SCAN_INTERVAL,
    LOGGER,
    MAX_SCAN_INTERVAL,
    MIN_SCAN_INTERVAL,
    DeviceType,
)
from .drivers.jkbms import TemperatureConvention
from .drivers.meanwell import Family, MeanWellError, MeanWellRejectedError
from .forms import box
from .meanwell.connection import FAMILIES
from .relay_policies import RELAY_POLICIES
from .zero_export.flow import entities_schema, tuning_schema, validate_entities, validate_tuning

# Optional fields left empty must clear what was stored, so each form replaces its keys.
ENTITY_KEYS = {str(k) for k in entities_schema(False).schema}
TUNING_KEYS = {str(k) for k in tuning_schema().schema}

CONF_EEP_OFF = "eep_off"
CONF_CONFIRM = "confirm"
# Device kinds whose settings writes wear an EEPROM.
EEPROM_WRITERS = {DeviceType.AXPERT, DeviceType.MEANWELL_BIC, DeviceType.MEANWELL_NPB}
BMS_TYPES = {DeviceType.JK_BMS, DeviceType.DALY_BMS}


class DiySolarOptionsFlow(OptionsFlow):
    @property
    def _device_type(self) -> DeviceType:
        return DeviceType(self.config_entry.data[CONF_DEVICE_TYPE])

    def _family(self) -> Family | None:
        return FAMILIES.get(self._device_type)

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        if self._device_type is DeviceType.ZERO_EXPORT:
            return self.async_show_menu(step_id="init", menu_options=["entities", "tuning"])
        if self._device_type in RELAY_POLICIES:
            return await self.async_step_policy(user_input)
        family = self._family()
        if family is None:
            return await self.async_step_settings(user_input)
        menu = ["settings"]
        if not self.config_entry.options.get(CONF_EEP_OFF_UNSUPPORTED):
            menu.append("eeprom")
        if family is Family.BIC:
            menu.append("battery_mode")
        return self.async_show_menu(step_id="init", menu_options=menu)

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
        if self._device_type in BMS_TYPES:
            fields[vol.Required(CONF_INVERT_CURRENT, default=False)] = selector.BooleanSelector()
        if self._device_type is DeviceType.JK_BMS:
            fields[
                vol.Required(
                    CONF_TEMPERATURE_CONVENTION, default=TemperatureConvention.MINUS_ONE_AT_101
                )
            ] = selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=[c.value for c in TemperatureConvention],
                    translation_key=CONF_TEMPERATURE_CONVENTION,
                )
            )
        family = self._family()
        if family is not None:
            limits = self.config_entry.runtime_data.coordinator.device.limits
            fields[vol.Optional(CONF_MAX_CHARGE_CURRENT)] = box(
                0, limits.charge_current.maximum, 0.1, "A"
            )
            if limits.discharge_current is not None:
                fields[vol.Optional(CONF_MAX_DISCHARGE_CURRENT)] = box(
                    0, limits.discharge_current.maximum, 0.1, "A"
                )
        return self.async_show_form(
            step_id="settings",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(fields),
                self.config_entry.options,
            ),
        )

    async def async_step_eeprom(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """EEP_OFF: settings stop wearing the EEPROM, and are lost at power-off."""
        client = self.config_entry.runtime_data.coordinator.client
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                await client.set_eeprom_off(user_input[CONF_EEP_OFF])
            except MeanWellRejectedError:
                # Firmware before EEP_OFF does not keep the bit; stop offering it.
                return self.async_create_entry(
                    data={**self.config_entry.options, CONF_EEP_OFF_UNSUPPORTED: True}
                )
            except MeanWellError as err:
                LOGGER.warning("Setting EEP_OFF failed: %s", err)
                errors["base"] = "cannot_connect"
            else:
                return self.async_abort(reason="eeprom_set")
        return self.async_show_form(
            step_id="eeprom",
            data_schema=vol.Schema(
                {vol.Required(CONF_EEP_OFF, default=client.eep_off): selector.BooleanSelector()}
            ),
            errors=errors,
        )

    async def async_step_battery_mode(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The BIC's bidirectional battery mode, confirmed because it needs a power cycle."""
        errors: dict[str, str] = {}
        if user_input is not None:
            if not user_input.get(CONF_CONFIRM):
                errors["base"] = "confirm_required"
            else:
                try:
                    await self.config_entry.runtime_data.coordinator.client.setup_battery_mode()
                except MeanWellError as err:
                    LOGGER.warning("Setting battery mode failed: %s", err)
                    errors["base"] = "cannot_connect"
                else:
                    return self.async_abort(reason="battery_mode_set")
        return self.async_show_form(
            step_id="battery_mode",
            data_schema=vol.Schema(
                {vol.Required(CONF_CONFIRM, default=False): selector.BooleanSelector()}
            ),
            errors=errors,
        )

    async def async_step_entities(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """What a policy reads and writes."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = validate_entities(self.hass, user_input)
            if not errors:
                kept = {k: v for k, v in self.config_entry.options.items() if k not in ENTITY_KEYS}
                return self.async_create_entry(data={**kept, **user_input})
        return self.async_show_form(
            step_id="entities",
            data_schema=self.add_suggested_values_to_schema(
                entities_schema(False), user_input or self.config_entry.options
            ),
            errors=errors,
        )

    async def async_step_tuning(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """How a policy regulates: timing, limits, schedules, gains."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = validate_tuning(user_input)
            if not errors:
                kept = {k: v for k, v in self.config_entry.options.items() if k not in TUNING_KEYS}
                return self.async_create_entry(data={**kept, **user_input})
        return self.async_show_form(
            step_id="tuning",
            data_schema=self.add_suggested_values_to_schema(
                tuning_schema(), user_input or self.config_entry.options
            ),
            errors=errors,
        )

    async def async_step_policy(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Everything a generator or grid-connect policy reads, writes and decides by."""
        schema_fn, validate = RELAY_POLICIES[self._device_type]
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = validate(user_input)
            if not errors:
                return self.async_create_entry(data=user_input)
        return self.async_show_form(
            step_id="policy",
            data_schema=self.add_suggested_values_to_schema(
                schema_fn(), user_input or self.config_entry.options
            ),
            errors=errors,
        )
