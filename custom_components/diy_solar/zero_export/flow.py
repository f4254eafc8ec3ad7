"""Adding a zero-export policy, and its options: what it reads and writes, and its tuning."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import voluptuous as vol
from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.config_entries import SOURCE_RECONFIGURE, ConfigFlowResult, OptionsFlow
from homeassistant.const import CONF_NAME, UnitOfElectricCurrent
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import selector

from ..const import (
    CONF_BMS,
    CONF_CELL_MAX_SENSOR,
    CONF_CELL_MIN_SENSOR,
    CONF_CHARGE_PROFILE,
    CONF_CHARGE_RESUME_CELL,
    CONF_CHARGE_STOP_CELL,
    CONF_CHARGE_TEMP_MAX,
    CONF_CHARGE_TEMP_MIN,
    CONF_CHARGERS,
    CONF_DEVICE_TYPE,
    CONF_DEVICES,
    CONF_DISCHARGE_BLOCKS,
    CONF_DISCHARGE_PROFILE,
    CONF_DISCHARGE_RESUME_CELL,
    CONF_DISCHARGE_STOP_CELL,
    CONF_DISCHARGE_TEMP_MAX,
    CONF_DISCHARGE_TEMP_MIN,
    CONF_DISCHARGERS,
    CONF_GRID_SENSOR,
    CONF_IMPORT_NEGATIVE,
    CONF_KD,
    CONF_KI,
    CONF_KP,
    CONF_METER_LAG,
    CONF_MIN_DISCHARGE_BURST,
    CONF_MIN_WRITE_INTERVAL,
    CONF_OFFSET,
    CONF_RAMP,
    CONF_SOC_HYSTERESIS,
    CONF_SOC_MAX,
    CONF_SOC_MIN,
    CONF_SOC_SENSOR,
    CONF_STALE_AFTER,
    CONF_SWITCH_MIN_OFF,
    CONF_SWITCH_MIN_ON,
    CONF_SWITCH_POWER,
    CONF_TEMPERATURE_SENSORS,
    CONF_VOLTAGE_SENSOR,
    CONF_WRITE_BUDGET,
    DEFAULT_WRITE_BUDGET,
    DOMAIN,
    DeviceType,
)
from ..flow import DiySolarFlow
from ..forms import box, folded, nest, read_answer, replacing
from ..policies.zero_export import Settings
from .actuators import can_drive, device_kinds
from .settings import parse_profile, parse_windows

# A BMS, or a bank of them (its figures across the packs).
BMS_KINDS = {DeviceType.JK_BMS, DeviceType.DALY_BMS, DeviceType.BATTERY_BANK}


def _sensor(device_class: SensorDeviceClass) -> selector.EntitySelector:
    return selector.EntitySelector(
        selector.EntitySelectorConfig(domain="sensor", device_class=device_class)
    )


def entities_schema(with_name: bool) -> vol.Schema:
    actuators = selector.EntitySelector(
        selector.EntitySelectorConfig(domain=["number", "switch"], multiple=True)
    )
    fields: dict[Any, Any] = {}
    if with_name:
        fields[vol.Required(CONF_NAME, default="Zero export")] = str
    fields |= {
        vol.Required(CONF_GRID_SENSOR): _sensor(SensorDeviceClass.POWER),
        vol.Required(CONF_IMPORT_NEGATIVE, default=False): selector.BooleanSelector(),
        vol.Optional(CONF_DEVICES, default=[]): selector.DeviceSelector(
            selector.DeviceSelectorConfig(integration=DOMAIN, multiple=True)
        ),
        vol.Optional(CONF_CHARGERS, default=[]): actuators,
        vol.Optional(CONF_DISCHARGERS, default=[]): selector.EntitySelector(
            selector.EntitySelectorConfig(domain="number", multiple=True)
        ),
        vol.Optional(CONF_SWITCH_POWER): box(0, 20_000, 1, "W"),
        vol.Optional(CONF_VOLTAGE_SENSOR): _sensor(SensorDeviceClass.VOLTAGE),
        vol.Optional(CONF_BMS): selector.DeviceSelector(
            selector.DeviceSelectorConfig(integration=DOMAIN)
        ),
        vol.Optional(CONF_SOC_SENSOR): _sensor(SensorDeviceClass.BATTERY),
        vol.Optional(CONF_CELL_MAX_SENSOR): _sensor(SensorDeviceClass.VOLTAGE),
        vol.Optional(CONF_CELL_MIN_SENSOR): _sensor(SensorDeviceClass.VOLTAGE),
        vol.Optional(CONF_TEMPERATURE_SENSORS): selector.EntitySelector(
            selector.EntitySelectorConfig(
                domain="sensor", device_class=SensorDeviceClass.TEMPERATURE, multiple=True
            )
        ),
    }
    return vol.Schema(fields)


# The BMS readings zero export takes, by the translation key of our BMS's sensor.
_BMS_SENSORS = {
    CONF_SOC_SENSOR: ("soc",),
    CONF_CELL_MAX_SENSOR: ("cell_max", "highest_cell"),
    CONF_CELL_MIN_SENSOR: ("cell_min", "lowest_cell"),
    CONF_TEMPERATURE_SENSORS: (
        "temperature_probe",
        "mosfet_temperature",
        "temperature_min",
        "temperature_max",
    ),
}


def with_bms_sensors(hass: HomeAssistant, user_input: dict[str, Any]) -> dict[str, Any]:
    """The form with every BMS reading left empty taken from the DIY Solar BMS picked."""
    device_id = user_input.get(CONF_BMS)
    if not device_id or not device_kinds(hass, device_id) & BMS_KINDS:
        return user_input
    entities = er.async_entries_for_device(er.async_get(hass), device_id)
    filled = dict(user_input)
    for field, keys in _BMS_SENSORS.items():
        if filled.get(field):
            continue
        found = [
            e.entity_id for e in entities if e.domain == "sensor" and e.translation_key in keys
        ]
        if found:
            filled[field] = found if field == CONF_TEMPERATURE_SENSORS else found[0]
    return filled


def validate_entities(hass: HomeAssistant, user_input: Mapping[str, Any]) -> dict[str, str]:
    """Errors of the entities form; empty when the controller can work with it."""
    if (bms := user_input.get(CONF_BMS)) and not device_kinds(hass, bms) & BMS_KINDS:
        return {CONF_BMS: "not_a_bms"}
    devices = user_input.get(CONF_DEVICES, [])
    if any(not can_drive(hass, device) for device in devices):
        return {CONF_DEVICES: "not_an_actuator"}
    actuators = [*user_input.get(CONF_CHARGERS, []), *user_input.get(CONF_DISCHARGERS, [])]
    if not actuators and not devices:
        return {"base": "no_actuators"}
    if len(set(actuators)) != len(actuators):
        return {"base": "actuator_twice"}
    if any(a.startswith("switch.") for a in actuators) and not user_input.get(CONF_SWITCH_POWER):
        return {CONF_SWITCH_POWER: "switch_power_required"}
    in_amperes = any(
        (state := hass.states.get(a)) is not None
        and state.attributes.get("unit_of_measurement") == UnitOfElectricCurrent.AMPERE
        for a in actuators
    )
    if in_amperes and not user_input.get(CONF_VOLTAGE_SENSOR):
        return {CONF_VOLTAGE_SENSOR: "voltage_required"}
    return {}


def tuning_schema() -> vol.Schema:
    d = Settings()
    cell = box(1.5, 5.0, 0.01, "V")
    celsius = box(-40, 80, 1, "°C")
    fields: dict[Any, Any] = {
        vol.Required(CONF_OFFSET, default=d.offset_w): box(-1000, 1000, 1, "W"),
        vol.Optional(CONF_SOC_MIN): box(0, 100, 1, "%"),
        vol.Optional(CONF_SOC_MAX): box(0, 100, 1, "%"),
        vol.Required(CONF_SOC_HYSTERESIS, default=d.soc_hysteresis): box(0, 50, 1, "%"),
    }
    fields |= folded(
        "schedule",
        {
            vol.Optional(CONF_DISCHARGE_BLOCKS, default=""): str,
            vol.Required(CONF_MIN_DISCHARGE_BURST, default=d.min_discharge_burst_s): box(
                0, 3600, 1, "s"
            ),
            vol.Optional(CONF_CHARGE_PROFILE, default=""): str,
            vol.Optional(CONF_DISCHARGE_PROFILE, default=""): str,
        },
    )
    fields |= folded(
        "cells",
        {
            vol.Optional(CONF_CHARGE_STOP_CELL): cell,
            vol.Optional(CONF_CHARGE_RESUME_CELL): cell,
            vol.Optional(CONF_DISCHARGE_STOP_CELL): cell,
            vol.Optional(CONF_DISCHARGE_RESUME_CELL): cell,
        },
    )
    fields |= folded(
        "temperature",
        {
            vol.Optional(CONF_CHARGE_TEMP_MIN): celsius,
            vol.Optional(CONF_CHARGE_TEMP_MAX): celsius,
            vol.Optional(CONF_DISCHARGE_TEMP_MIN): celsius,
            vol.Optional(CONF_DISCHARGE_TEMP_MAX): celsius,
        },
    )
    fields |= folded(
        "switches",
        {
            vol.Required(CONF_SWITCH_MIN_ON, default=5): box(0, 120, 1, "min"),
            vol.Required(CONF_SWITCH_MIN_OFF, default=5): box(0, 120, 1, "min"),
        },
    )
    fields |= folded(
        "control",
        {
            vol.Required(CONF_METER_LAG, default=d.meter_lag_s): box(0, 60, 0.1, "s"),
            vol.Required(CONF_STALE_AFTER, default=d.stale_after_s): box(5, 600, 1, "s"),
            vol.Required(CONF_MIN_WRITE_INTERVAL, default=d.min_write_interval_s): box(
                1, 3600, 1, "s"
            ),
            vol.Required(CONF_RAMP, default=d.ramp_w_per_s): box(10, 100_000, 10, "W/s"),
            vol.Required(CONF_KP, default=d.kp): box(0, 2, 0.01, "W/W per reading"),
            vol.Required(CONF_KI, default=d.ki): box(0, 2, 0.01, "W/W per reading"),
            vol.Required(CONF_KD, default=d.kd): box(0, 2, 0.01, "W/W per reading"),
            vol.Required(CONF_WRITE_BUDGET, default=DEFAULT_WRITE_BUDGET): box(
                10, 100_000, 10, "writes"
            ),
        },
    )
    return vol.Schema(fields)


def validate_tuning(user_input: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    try:
        parse_windows(user_input.get(CONF_DISCHARGE_BLOCKS, ""))
    except ValueError:
        errors[CONF_DISCHARGE_BLOCKS] = "bad_windows"
    for key in (CONF_CHARGE_PROFILE, CONF_DISCHARGE_PROFILE):
        try:
            parse_profile(user_input.get(key, ""))
        except ValueError:
            errors[key] = "bad_profile"
    for low_key, high_key, error in (
        (CONF_SOC_MIN, CONF_SOC_MAX, "soc_order"),
        (CONF_CHARGE_RESUME_CELL, CONF_CHARGE_STOP_CELL, "cell_order"),
        (CONF_DISCHARGE_STOP_CELL, CONF_DISCHARGE_RESUME_CELL, "cell_order"),
        (CONF_CHARGE_TEMP_MIN, CONF_CHARGE_TEMP_MAX, "temperature_order"),
        (CONF_DISCHARGE_TEMP_MIN, CONF_DISCHARGE_TEMP_MAX, "temperature_order"),
    ):
        low, high = user_input.get(low_key), user_input.get(high_key)
        if low is not None and high is not None and low >= high:
            errors[high_key] = error
    return errors


class ZeroExportFlow(DiySolarFlow):
    async def async_step_zero_export(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The meter it reads and the chargers and dischargers it drives; reconfiguring,
        the same form renames the policy and changes them (its tuning is kept)."""
        reconfiguring = self.source == SOURCE_RECONFIGURE
        schema = entities_schema(True)
        errors: dict[str, str] = {}
        if user_input is not None:
            user_input = with_bms_sensors(self.hass, user_input)
            errors = validate_entities(self.hass, user_input)
            if not errors:
                options = {k: v for k, v in user_input.items() if k != CONF_NAME}
                if reconfiguring:
                    entry = self._get_reconfigure_entry()
                    self.hass.config_entries.async_update_entry(
                        entry,
                        title=user_input[CONF_NAME],
                        options=replacing(entry.options, schema, options),
                    )
                    return self.async_abort(reason="reconfigure_successful")
                return self.async_create_entry(
                    title=user_input[CONF_NAME],
                    data={CONF_DEVICE_TYPE: DeviceType.ZERO_EXPORT},
                    options=options,
                )
        shown: Mapping[str, Any] = user_input or {}
        if reconfiguring and user_input is None:
            entry = self._get_reconfigure_entry()
            shown = {**entry.options, CONF_NAME: entry.title}
        schema = self.add_suggested_values_to_schema(schema, shown)
        return self.async_show_form(step_id="zero_export", data_schema=schema, errors=errors)


class ZeroExportOptions(OptionsFlow):
    async def _async_zero_export_menu(self) -> ConfigFlowResult:
        return self.async_show_menu(step_id="init", menu_options=["entities", "tuning"])

    async def async_step_entities(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """What the policy reads and writes."""
        schema = entities_schema(False)
        if user_input is not None:
            user_input = with_bms_sensors(self.hass, user_input)
        return await self._async_form("entities", schema, user_input, self._validate_entities)

    async def async_step_tuning(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """How the policy regulates: timing, limits, schedules, gains."""
        return await self._async_form("tuning", tuning_schema(), user_input, validate_tuning)

    def _validate_entities(self, user_input: Mapping[str, Any]) -> dict[str, str]:
        return validate_entities(self.hass, user_input)

    async def _async_form(
        self,
        step_id: str,
        schema: vol.Schema,
        user_input: dict[str, Any] | None,
        validate: Callable[[Mapping[str, Any]], dict[str, str]],
    ) -> ConfigFlowResult:
        """One of the option forms: it replaces the keys of its own fields (an optional
        field left empty clears what was stored) and keeps the other form's."""
        errors: dict[str, str] = {}
        if user_input is not None:
            answers, errors = read_answer(schema, user_input, validate)
            if not errors:
                return self.async_create_entry(
                    data=replacing(self.config_entry.options, schema, answers)
                )
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or nest(schema, self.config_entry.options)
            ),
            errors=errors,
        )
