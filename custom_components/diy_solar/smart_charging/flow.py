"""The smart charging policy's form: what it reads and writes and the levels it decides by
(the same form adds the policy and changes its options)."""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from homeassistant.config_entries import ConfigFlowResult
from homeassistant.helpers import selector

from ..const import DeviceType
from ..forms import box
from ..policies.charging import Chemistry, Settings
from ..policy_form import PolicyForm, PolicyFormFlow
from . import BMS_IN, CONF_CHEMISTRY, CONF_TEMPERATURES, NUMBERS_OUT, SENSORS_IN


def options_schema() -> vol.Schema:
    def entity(domain: str, device_class: str | None = None) -> selector.EntitySelector:
        config = selector.EntitySelectorConfig(domain=domain)
        if device_class is not None:
            config["device_class"] = device_class
        return selector.EntitySelector(config)

    d = Settings()
    volts = box(10, 70, 0.1, "V")
    fields: dict[Any, Any] = {
        vol.Required(CONF_CHEMISTRY, default=Chemistry.LEAD_ACID): selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=[c.value for c in Chemistry], translation_key=CONF_CHEMISTRY
            )
        )
    }
    fields |= {vol.Required(k): entity("sensor", c.value) for k, c in SENSORS_IN.items()}
    fields |= {vol.Required(k): entity("number") for k in NUMBERS_OUT.values()}
    fields |= {vol.Optional(k): entity("sensor") for k in BMS_IN}
    fields[vol.Optional(CONF_TEMPERATURES)] = selector.EntitySelector(
        selector.EntitySelectorConfig(domain="sensor", multiple=True)
    )
    fields |= {
        vol.Required("absorption_v", default=d.absorption_v): volts,
        vol.Required("float_v", default=d.float_v): volts,
        vol.Required("tail_current", default=d.tail_current_a): box(0, 200, 0.5, "A"),
        vol.Required("tail_time", default=d.tail_s / 60): box(0, 240, 1, "min"),
        vol.Required("max_absorption", default=d.max_absorption_s / 60): box(0, 720, 5, "min"),
        vol.Optional("rebulk_v"): volts,
        vol.Optional("rebulk_soc"): box(0, 100, 1, "%"),
        vol.Required("float_step", default=d.float_step_v): box(0.1, 5, 0.1, "V"),
        vol.Required("float_step_time", default=d.float_step_s): box(0, 3600, 1, "s"),
        vol.Required("max_charge", default=d.max_charge_a): box(1, 500, 1, "A"),
        vol.Required("min_charge", default=d.min_charge_a): box(0, 500, 1, "A"),
        vol.Required("lithium_absorption", default=d.lithium_absorption): bool,
        vol.Required("target_soc", default=d.target_soc): box(50, 100, 1, "%"),
        vol.Required("cell_limit", default=d.cell_limit_v): box(2, 4.5, 0.01, "V"),
        vol.Required("taper_from", default=d.taper_from_v): box(2, 4.5, 0.01, "V"),
        vol.Required("temp_min", default=d.charge_temperature[0]): box(-20, 30, 1, "°C"),
        vol.Required("temp_max", default=d.charge_temperature[1]): box(20, 70, 1, "°C"),
        vol.Required("min_write_interval", default=d.min_write_interval_s): box(0, 3600, 1, "s"),
        vol.Required("stale_after", default=d.stale_after_s): box(10, 3600, 1, "s"),
        vol.Required("reset_time", default="00:00:00"): selector.TimeSelector(),
    }
    return vol.Schema(fields)


def validate(options: dict[str, Any]) -> dict[str, str]:
    if float(options["float_v"]) >= float(options["absorption_v"]):
        return {"float_v": "float_order"}
    if float(options["taper_from"]) >= float(options["cell_limit"]):
        return {"taper_from": "taper_order"}
    return {}


FORM = PolicyForm(DeviceType.SMART_CHARGING, "Smart charging", options_schema, validate)


class SmartChargingFlow(PolicyFormFlow):
    async def async_step_smart_charging(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return await self._async_policy_form_step(FORM, user_input)
