"""The generator policy's form: what it reads and writes and the levels it decides by
(the same form adds the policy and changes its options)."""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from homeassistant.config_entries import ConfigFlowResult
from homeassistant.helpers import selector

from ..const import DeviceType
from ..forms import box, folded
from ..policies.generator import Settings
from ..policy_form import PolicyForm, PolicyFormFlow
from ..relay_runner import CONF_RELAY
from . import CONF_RUNNING, CONF_RUNNING_VOLTAGE, CONF_SOC_SENSORS, CONF_VOLTAGE, MINUTES


def options_schema() -> vol.Schema:
    sensor = selector.EntitySelector(selector.EntitySelectorConfig(domain="sensor"))
    minutes = box(1, 24 * 60, 1, "min")
    d = Settings()
    fields: dict[Any, Any] = {
        vol.Required(CONF_RELAY): selector.EntitySelector(
            selector.EntitySelectorConfig(domain="switch")
        ),
        vol.Required(CONF_SOC_SENSORS): selector.EntitySelector(
            selector.EntitySelectorConfig(domain="sensor", multiple=True)
        ),
        vol.Required("start_soc", default=d.start_soc): box(0, 100, 1, "%"),
        vol.Required("stop_soc", default=d.stop_soc): box(0, 100, 1, "%"),
        vol.Required("min_run", default=d.min_run_s / MINUTES): minutes,
        vol.Required("max_run", default=d.max_run_s / MINUTES): minutes,
    }
    fields |= folded(
        "running",
        {
            vol.Optional(CONF_RUNNING): selector.EntitySelector(
                selector.EntitySelectorConfig(domain=["binary_sensor", "sensor"])
            ),
            vol.Required(CONF_RUNNING_VOLTAGE, default=100): box(0, 300, 1, "V"),
            vol.Required("start_timeout", default=d.start_timeout_s): box(10, 1800, 1, "s"),
            vol.Required("retries", default=d.retries): box(0, 10, 1, "times"),
        },
    )
    fields |= folded(
        "battery_voltage",
        {
            vol.Optional(CONF_VOLTAGE): sensor,
            vol.Optional("start_voltage"): box(0, 100, 0.1, "V"),
            vol.Required("start_voltage_time", default=5): minutes,
            vol.Optional("stop_voltage"): box(0, 100, 0.1, "V"),
            vol.Optional("critical_voltage"): box(0, 100, 0.1, "V"),
        },
    )
    fields |= folded(
        "quiet_hours",
        {
            vol.Optional("quiet_from"): selector.TimeSelector(),
            vol.Optional("quiet_to"): selector.TimeSelector(),
            vol.Required("quiet_start_soc", default=d.quiet_start_soc): box(0, 100, 1, "%"),
            vol.Required("quiet_stop_soc", default=d.quiet_stop_soc): box(0, 100, 1, "%"),
        },
    )
    fields |= folded(
        "exercise",
        {
            vol.Required("exercise_days", default=0): box(0, 90, 1, "d"),
            vol.Optional("exercise_time", default="10:00:00"): selector.TimeSelector(),
            vol.Required("exercise_duration", default=d.exercise_s / MINUTES): minutes,
        },
    )
    fields |= folded(
        "limits",
        {
            vol.Optional("critical_soc", default=d.critical_soc): box(0, 100, 1, "%"),
            vol.Required("max_run_hard", default=d.max_run_hard_s / 3600): box(1, 72, 0.5, "h"),
            vol.Required("cooldown", default=d.cooldown_s / MINUTES): minutes,
            vol.Required("max_starts", default=d.max_starts_per_day): box(1, 50, 1, "starts"),
            vol.Required("service_interval", default=0): box(0, 5000, 10, "h"),
            vol.Required("stale_after", default=d.stale_after_s / MINUTES): minutes,
        },
    )
    return vol.Schema(fields)


def validate(options: dict[str, Any]) -> dict[str, str]:
    if float(options["start_soc"]) >= float(options["stop_soc"]):
        return {"stop_soc": "soc_order"}
    if float(options["quiet_start_soc"]) >= float(options["quiet_stop_soc"]):
        return {"quiet_stop_soc": "quiet_soc_order"}
    if float(options["min_run"]) > float(options["max_run"]):
        return {"max_run": "run_order"}
    if float(options["max_run"]) > float(options["max_run_hard"]) * 60:
        return {"max_run_hard": "hard_run_order"}
    if float(options.get("critical_soc") or 0) >= float(options["start_soc"]):
        return {"critical_soc": "critical_order"}
    return {}


FORM = PolicyForm(DeviceType.GENERATOR, "Generator", options_schema, validate)


class GeneratorFlow(PolicyFormFlow):
    async def async_step_generator(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return await self._async_policy_form_step(FORM, user_input)
