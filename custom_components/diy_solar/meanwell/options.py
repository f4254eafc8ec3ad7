"""A Mean Well's options: user current limits, and EEP_OFF and battery mode, which are
written to the charger from here (so they are offered only while it is loaded)."""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.helpers import selector

from ..const import (
    CONF_DEVICE_TYPE,
    CONF_EEP_OFF_UNSUPPORTED,
    CONF_MAX_CHARGE_CURRENT,
    CONF_MAX_DISCHARGE_CURRENT,
    LOGGER,
    DeviceType,
)
from ..drivers.meanwell import MODELS, Family, MeanWellError, MeanWellRejectedError, Range
from ..forms import box
from .connection import FAMILIES
from .coordinator import coordinator_of

CONF_EEP_OFF = "eep_off"
CONF_POWER_CYCLED = "power_cycled"
CONF_CONFIRM = "confirm"


def _widest(ranges: list[Range]) -> float:
    return max(r.maximum for r in ranges)


def settings_fields(entry: ConfigEntry[Any]) -> dict[Any, Any]:
    """The user limits, up to the model's maxima (the family's while it is not loaded)."""
    family = FAMILIES[DeviceType(entry.data[CONF_DEVICE_TYPE])]
    if entry.state is ConfigEntryState.LOADED:
        limits = [coordinator_of(entry).device.limits]
    else:
        limits = [m for m in MODELS.values() if m.family is family]
    fields: dict[Any, Any] = {
        vol.Optional(CONF_MAX_CHARGE_CURRENT): box(
            0, _widest([m.charge_current for m in limits]), 0.1, "A"
        )
    }
    discharge = [m.discharge_current for m in limits if m.discharge_current is not None]
    if discharge:
        fields[vol.Optional(CONF_MAX_DISCHARGE_CURRENT)] = box(0, _widest(discharge), 0.1, "A")
    return fields


class MeanWellOptions(OptionsFlow):
    def _meanwell_menu(self) -> list[str]:
        if self.config_entry.state is not ConfigEntryState.LOADED:
            return []
        menu = []
        if not self.config_entry.options.get(CONF_EEP_OFF_UNSUPPORTED):
            menu.append("eeprom")
        family = FAMILIES[DeviceType(self.config_entry.data[CONF_DEVICE_TYPE])]
        if family is Family.BIC:
            menu.append("battery_mode")
        return menu

    async def async_step_eeprom(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """EEP_OFF: settings stop wearing the EEPROM, and are lost at power-off. It takes
        effect at the next power cycle, which only the user can tell us about."""
        if self.config_entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="not_loaded")
        coordinator = coordinator_of(self.config_entry)
        client = coordinator.client
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
                if user_input.get(CONF_POWER_CYCLED):
                    client.power_cycled()
                await coordinator.async_refresh()
                return self.async_abort(reason="eeprom_set")
        fields: dict[Any, Any] = {
            vol.Required(CONF_EEP_OFF, default=client.eep_off): selector.BooleanSelector()
        }
        if client.eep_off and not client.eep_off_active:
            fields[vol.Required(CONF_POWER_CYCLED, default=False)] = selector.BooleanSelector()
        return self.async_show_form(step_id="eeprom", data_schema=vol.Schema(fields), errors=errors)

    async def async_step_battery_mode(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The BIC's bidirectional battery mode, confirmed because it needs a power cycle."""
        if self.config_entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="not_loaded")
        errors: dict[str, str] = {}
        if user_input is not None:
            if not user_input.get(CONF_CONFIRM):
                errors["base"] = "confirm_required"
            else:
                try:
                    await coordinator_of(self.config_entry).client.setup_battery_mode()
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
