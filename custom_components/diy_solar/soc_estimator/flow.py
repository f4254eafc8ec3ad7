"""The SOC estimator's form: what it reads, the battery's figures and the corrections (the
same form adds the estimator and changes its options)."""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.config_entries import ConfigFlowResult
from homeassistant.helpers import selector

from ..const import DeviceType
from ..forms import box
from ..policies.soc_estimator import Chemistry, Settings
from ..policy_form import PolicyForm, PolicyFormFlow
from . import CONF_CURRENT, CONF_OTHER_SOC, CONF_TABLE, CONF_VOLTAGE, table_error


def options_schema() -> vol.Schema:
    d = Settings(capacity_ah=100.0)

    def sensor(device_class: SensorDeviceClass) -> selector.EntitySelector:
        return selector.EntitySelector(
            selector.EntitySelectorConfig(domain="sensor", device_class=device_class)
        )

    return vol.Schema(
        {
            vol.Required(CONF_VOLTAGE): sensor(SensorDeviceClass.VOLTAGE),
            vol.Optional(CONF_CURRENT): sensor(SensorDeviceClass.CURRENT),
            vol.Optional(CONF_OTHER_SOC): sensor(SensorDeviceClass.BATTERY),
            vol.Required("capacity", default=d.capacity_ah): box(1, 100_000, 1, "Ah"),
            vol.Required("chemistry", default=d.chemistry.value): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=[c.value for c in Chemistry], translation_key="estimator_chemistry"
                )
            ),
            vol.Required("cells", default=d.cells): box(1, 64, 1, "cells"),
            vol.Required("full_voltage", default=d.full_voltage): box(5, 150, 0.1, "V"),
            vol.Required("tail_current", default=d.tail_current_a): box(0, 500, 0.5, "A"),
            vol.Required("full_hold", default=d.full_hold_s / 60): box(0, 120, 1, "min"),
            vol.Required("charge_efficiency", default=d.charge_efficiency * 100): box(
                50, 100, 1, "%"
            ),
            vol.Required("rest_current", default=d.rest_current_a): box(0, 50, 0.1, "A"),
            vol.Required("rest_time", default=d.rest_s / 60): box(1, 1440, 1, "min"),
            vol.Optional(CONF_TABLE): selector.TextSelector(),
            vol.Required("drift", default=d.drift_pct): box(1, 100, 1, "%"),
            vol.Required("drift_time", default=d.drift_s / 60): box(1, 1440, 1, "min"),
        }
    )


def validate(options: dict[str, Any]) -> dict[str, str]:
    if error := table_error(options.get(CONF_TABLE)):
        return {CONF_TABLE: error}
    return {}


FORM = PolicyForm(DeviceType.SOC_ESTIMATOR, "State of charge estimator", options_schema, validate)


class EstimatorFlow(PolicyFormFlow):
    async def async_step_soc_estimator(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return await self._async_policy_form_step(FORM, user_input)
