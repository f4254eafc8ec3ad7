"""The output-priority policy's form: the selects it sets, what it reads, and the levels,
window and limits it decides by (the same form adds the policy and changes its options)."""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.config_entries import ConfigFlowResult
from homeassistant.helpers import selector

from ..const import DeviceType
from ..drivers.pi30 import ChargerSourcePriority, OutputSourcePriority
from ..forms import box, folded
from ..policies.output_priority import Settings
from ..policy_form import PolicyForm, PolicyFormFlow
from . import (
    CONF_BATTERY_VOLTAGE,
    CONF_PV_POWER,
    CONF_SOC,
    CONF_WINDOW_END,
    CONF_WINDOW_START,
    SELECTS,
)


def _choice(options: list[str], key: str) -> selector.SelectSelector:
    return selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=options, translation_key=key, mode=selector.SelectSelectorMode.DROPDOWN
        )
    )


def options_schema() -> vol.Schema:
    d = Settings()

    def sensor(device_class: SensorDeviceClass) -> selector.EntitySelector:
        return selector.EntitySelector(
            selector.EntitySelectorConfig(domain="sensor", device_class=device_class)
        )

    grid_sides = [p.name.lower() for p in OutputSourcePriority if p is not OutputSourcePriority.SBU]
    chargers = [p.name.lower() for p in ChargerSourcePriority]
    select = selector.EntitySelector(selector.EntitySelectorConfig(domain="select"))
    fields: dict[Any, Any] = {
        vol.Required(SELECTS["output"]): select,
        vol.Optional(CONF_SOC): sensor(SensorDeviceClass.BATTERY),
        vol.Optional(CONF_BATTERY_VOLTAGE): sensor(SensorDeviceClass.VOLTAGE),
        vol.Optional("grid_below_soc"): box(0, 100, 1, "%"),
        vol.Optional("battery_above_soc"): box(0, 100, 1, "%"),
        vol.Optional("grid_below_v"): box(10, 70, 0.1, "V"),
        vol.Optional("battery_above_v"): box(10, 70, 0.1, "V"),
        vol.Required("grid_output", default=d.grid_output): _choice(grid_sides, "grid_output"),
    }
    fields |= folded(
        "sun",
        {
            vol.Optional(CONF_PV_POWER): sensor(SensorDeviceClass.POWER),
            vol.Required("battery_min_pv", default=d.battery_min_pv_w): box(0, 50000, 10, "W"),
        },
    )
    fields |= folded(
        "window",
        {
            vol.Optional(CONF_WINDOW_START): selector.TimeSelector(),
            vol.Optional(CONF_WINDOW_END): selector.TimeSelector(),
        },
    )
    fields |= folded(
        "chargers",
        {
            vol.Optional(SELECTS["charger"]): select,
            vol.Optional("grid_charger"): _choice(chargers, "charger_priority"),
            vol.Optional("battery_charger"): _choice(chargers, "charger_priority"),
        },
    )
    fields |= folded(
        "limits",
        {
            vol.Required("min_dwell", default=d.min_dwell_s / 60): box(0, 240, 1, "min"),
            vol.Required("daily_writes", default=d.daily_writes): box(1, 100, 1, "writes"),
            vol.Required("stale_after", default=d.stale_after_s / 60): box(1, 120, 1, "min"),
            vol.Required("grid_when_stale", default=False): selector.BooleanSelector(),
        },
    )
    return vol.Schema(fields)


def validate(options: dict[str, Any]) -> dict[str, str]:
    def pair(low: str, high: str) -> dict[str, str] | None:
        both = options.get(low) is not None and options.get(high) is not None
        if (options.get(low) is None) != (options.get(high) is None):
            return {high: "level_pair"}
        if both and float(options[low]) >= float(options[high]):
            return {high: "level_order"}
        return None

    levels = pair("grid_below_soc", "battery_above_soc") or pair("grid_below_v", "battery_above_v")
    if levels:
        return levels
    if options.get("grid_below_soc") is None and options.get("grid_below_v") is None:
        return {"base": "no_levels"}
    if options.get("grid_below_soc") is not None and not options.get(CONF_SOC):
        return {CONF_SOC: "sensor_needed"}
    if options.get("grid_below_v") is not None and not options.get(CONF_BATTERY_VOLTAGE):
        return {CONF_BATTERY_VOLTAGE: "sensor_needed"}
    if float(options.get("battery_min_pv", 0)) > 0 and not options.get(CONF_PV_POWER):
        return {CONF_PV_POWER: "pv_sensor_needed"}
    if (options.get(CONF_WINDOW_START) is None) != (options.get(CONF_WINDOW_END) is None):
        return {CONF_WINDOW_END: "window_pair"}
    if (options.get("grid_charger") is None) != (options.get("battery_charger") is None) or (
        options.get("grid_charger") and not options.get(SELECTS["charger"])
    ):
        return {"battery_charger": "charger_pair"}
    return {}


FORM = PolicyForm(DeviceType.OUTPUT_PRIORITY, "Output priority", options_schema, validate)


class OutputPriorityFlow(PolicyFormFlow):
    async def async_step_output_priority(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return await self._async_policy_form_step(FORM, user_input)
