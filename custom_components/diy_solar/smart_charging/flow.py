"""The smart charging policy's forms: the battery's chemistry and what the policy reads and
writes, then the levels it decides by for that chemistry only (the same forms add the policy
and change its options)."""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.config_entries import ConfigFlowResult
from homeassistant.helpers import selector

from ..const import DeviceType
from ..forms import box, folded
from ..policies.charging import Chemistry, Settings
from ..policy_form import PolicyForm, PolicyFormFlow
from . import CONF_CHEMISTRY, CONF_TEMPERATURES, NUMBERS_OUT, SENSORS_IN


def _entity(domain: str, device_class: str | None = None) -> selector.EntitySelector:
    config = selector.EntitySelectorConfig(domain=domain)
    if device_class is not None:
        config["device_class"] = device_class
    return selector.EntitySelector(config)


def _volts() -> selector.NumberSelector:
    return box(10, 70, 0.1, "V")


def options_schema() -> vol.Schema:
    """The first form: the battery's chemistry and what the policy reads and writes."""
    fields: dict[Any, Any] = {
        vol.Required(CONF_CHEMISTRY, default=Chemistry.LEAD_ACID): selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=[c.value for c in Chemistry], translation_key=CONF_CHEMISTRY
            )
        )
    }
    fields |= {vol.Required(k): _entity("sensor", c.value) for k, c in SENSORS_IN.items()}
    fields |= {vol.Required(k): _entity("number") for k in NUMBERS_OUT.values()}
    fields |= folded(
        "bms",
        {
            vol.Optional("soc_sensor"): _entity("sensor", SensorDeviceClass.BATTERY),
            vol.Optional("bms_current_sensor"): _entity("sensor", SensorDeviceClass.CURRENT),
        },
    )
    return vol.Schema(fields)


def _charge(d: Settings) -> dict[Any, Any]:
    return {
        vol.Required("absorption_v", default=d.absorption_v): _volts(),
        vol.Required("float_v", default=d.float_v): _volts(),
        vol.Required("max_charge", default=d.max_charge_a): box(1, 500, 1, "A"),
    }


def _tail(d: Settings) -> dict[Any, Any]:
    return {
        vol.Required("tail_current", default=d.tail_current_a): box(0, 200, 0.5, "A"),
        vol.Required("tail_time", default=d.tail_s / 60): box(0, 240, 1, "min"),
        vol.Required("max_absorption", default=d.max_absorption_s / 60): box(0, 720, 5, "min"),
    }


def _float_steps(d: Settings) -> dict[Any, Any]:
    return {
        vol.Required("float_step", default=d.float_step_v): box(0.1, 5, 0.1, "V"),
        vol.Required("float_step_time", default=d.float_step_s): box(0, 3600, 1, "s"),
    }


def _advanced(d: Settings) -> dict[Any, Any]:
    return folded(
        "advanced",
        {
            vol.Required("min_charge", default=d.min_charge_a): box(0, 500, 1, "A"),
            vol.Required("min_write_interval", default=d.min_write_interval_s): box(
                0, 3600, 1, "s"
            ),
            vol.Required("stale_after", default=d.stale_after_s): box(10, 3600, 1, "s"),
            vol.Required("reset_time", default="00:00:00"): selector.TimeSelector(),
        },
    )


def lead_acid_schema() -> vol.Schema:
    d = Settings()
    fields = _charge(d) | _tail(d)
    fields |= folded(
        "rebulk",
        {vol.Optional("rebulk_v"): _volts(), vol.Optional("rebulk_soc"): box(0, 100, 1, "%")},
    )
    fields |= folded("float_steps", _float_steps(d))
    return vol.Schema(fields | _advanced(d))


def lithium_schema() -> vol.Schema:
    d = Settings()
    fields: dict[Any, Any] = {
        vol.Optional("cell_max_sensor"): _entity("sensor", SensorDeviceClass.VOLTAGE),
        **_charge(d),
        vol.Required("target_soc", default=d.target_soc): box(50, 100, 1, "%"),
        vol.Optional("rebulk_soc"): box(0, 100, 1, "%"),
        vol.Required("cell_limit", default=d.cell_limit_v): box(2, 4.5, 0.01, "V"),
        vol.Required("taper_from", default=d.taper_from_v): box(2, 4.5, 0.01, "V"),
    }
    fields |= folded(
        "temperature",
        {
            vol.Optional(CONF_TEMPERATURES): selector.EntitySelector(
                selector.EntitySelectorConfig(
                    domain="sensor", device_class=SensorDeviceClass.TEMPERATURE, multiple=True
                )
            ),
            vol.Required("temp_min", default=d.charge_temperature[0]): box(-20, 30, 1, "°C"),
            vol.Required("temp_max", default=d.charge_temperature[1]): box(20, 70, 1, "°C"),
        },
    )
    fields |= folded(
        "absorption",
        {
            vol.Required("lithium_absorption", default=d.lithium_absorption): bool,
            **_tail(d),
            **_float_steps(d),
        },
    )
    return vol.Schema(fields | _advanced(d))


def validate(options: dict[str, Any]) -> dict[str, str]:
    if float(options["float_v"]) >= float(options["absorption_v"]):
        return {"float_v": "float_order"}
    if "cell_limit" in options and float(options["taper_from"]) >= float(options["cell_limit"]):
        return {"taper_from": "taper_order"}
    return {}


def _levels(answers: dict[str, Any]) -> PolicyForm:
    return LEVELS[Chemistry(answers[CONF_CHEMISTRY])]


KIND, NAME = DeviceType.SMART_CHARGING, "Smart charging"
LEVELS = {
    Chemistry.LEAD_ACID: PolicyForm(
        KIND, NAME, lead_acid_schema, validate, step="smart_charging_lead_acid"
    ),
    Chemistry.LITHIUM: PolicyForm(
        KIND, NAME, lithium_schema, validate, step="smart_charging_lithium"
    ),
}
FORM = PolicyForm(KIND, NAME, options_schema, lambda _: {}, then=_levels)


class SmartChargingFlow(PolicyFormFlow):
    async def async_step_smart_charging(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return await self._async_policy_form_step(FORM, user_input)

    async def async_step_smart_charging_lead_acid(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return await self._async_policy_form_step(LEVELS[Chemistry.LEAD_ACID], user_input)

    async def async_step_smart_charging_lithium(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return await self._async_policy_form_step(LEVELS[Chemistry.LITHIUM], user_input)
