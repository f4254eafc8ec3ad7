"""The grid connect policy's form: what it reads and writes and the levels it decides by
(the same form adds the policy and changes its options)."""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.config_entries import ConfigFlowResult
from homeassistant.helpers import selector

from ..const import DeviceType
from ..forms import box, folded
from ..policies.grid_connect import Settings
from ..policy_form import PolicyForm, PolicyFormFlow
from ..relay_runner import CONF_RELAY
from . import (
    CONF_BATTERY_CURRENT,
    CONF_BATTERY_VOLTAGE,
    CONF_GRID_FREQUENCY,
    CONF_GRID_VOLTAGE,
    CONF_PHASES,
)


def options_schema() -> vol.Schema:
    d = Settings()

    def sensor(device_class: SensorDeviceClass) -> selector.EntitySelector:
        return selector.EntitySelector(
            selector.EntitySelectorConfig(domain="sensor", device_class=device_class)
        )

    fields: dict[Any, Any] = {
        vol.Required(CONF_RELAY): selector.EntitySelector(
            selector.EntitySelectorConfig(domain="switch")
        ),
        vol.Required(CONF_BATTERY_VOLTAGE): sensor(SensorDeviceClass.VOLTAGE),
        vol.Required(CONF_GRID_VOLTAGE): sensor(SensorDeviceClass.VOLTAGE),
        vol.Required(CONF_GRID_FREQUENCY): sensor(SensorDeviceClass.FREQUENCY),
        vol.Required("connect_below", default=d.connect_below_v): box(0, 100, 0.1, "V"),
        vol.Required("connect_after", default=d.connect_after_s / 60): box(0, 120, 0.5, "min"),
        vol.Required("disconnect_above", default=d.disconnect_above_v): box(0, 100, 0.1, "V"),
        vol.Required("disconnect_after", default=d.disconnect_after_s / 60): box(
            0, 240, 0.5, "min"
        ),
        vol.Optional(CONF_BATTERY_CURRENT): sensor(SensorDeviceClass.CURRENT),
    }
    fields |= folded(
        "grid",
        {
            vol.Required("grid_v_min", default=d.grid_voltage[0]): box(0, 300, 1, "V"),
            vol.Required("grid_v_max", default=d.grid_voltage[1]): box(0, 300, 1, "V"),
            vol.Required("grid_hz_min", default=d.grid_frequency[0]): box(40, 70, 0.1, "Hz"),
            vol.Required("grid_hz_max", default=d.grid_frequency[1]): box(40, 70, 0.1, "Hz"),
            vol.Optional(CONF_PHASES[0]): sensor(SensorDeviceClass.VOLTAGE),
            vol.Optional(CONF_PHASES[1]): sensor(SensorDeviceClass.VOLTAGE),
            vol.Optional("max_asymmetry"): box(0, 100, 1, "V"),
        },
    )
    fields |= folded(
        "stale",
        {
            vol.Required("stale_after", default=d.stale_after_s / 60): box(1, 120, 1, "min"),
            vol.Required("grid_stale_after", default=d.grid_stale_after_s / 60): box(
                0.5, 60, 0.5, "min"
            ),
            vol.Required("connect_when_stale", default=False): selector.BooleanSelector(),
        },
    )
    return vol.Schema(fields)


def validate(options: dict[str, Any]) -> dict[str, str]:
    if float(options["connect_below"]) >= float(options["disconnect_above"]):
        return {"disconnect_above": "voltage_order"}
    if options.get("max_asymmetry") is not None and not all(options.get(k) for k in CONF_PHASES):
        return {"max_asymmetry": "phases_needed"}
    return {}


FORM = PolicyForm(DeviceType.GRID_CONNECT, "Grid connect", options_schema, validate)


class GridConnectFlow(PolicyFormFlow):
    async def async_step_grid_connect(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return await self._async_policy_form_step(FORM, user_input)
