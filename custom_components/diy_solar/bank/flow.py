"""The battery bank's form: its packs (DIY Solar JK and Daly BMS devices), a capacity for
packs whose BMS does not report one, and when a pack counts as stale (the same form adds
the bank and changes its options)."""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from homeassistant.config_entries import ConfigFlowResult
from homeassistant.helpers import selector

from ..bms.connection import MANUFACTURERS
from ..const import DOMAIN, DeviceType
from ..forms import box
from ..policy_form import PolicyForm, PolicyFormFlow
from . import CONF_CAPACITY, CONF_PACKS, CONF_STALE_AFTER, DEFAULT_STALE_S


def options_schema() -> vol.Schema:
    packs = selector.DeviceSelector(
        selector.DeviceSelectorConfig(
            multiple=True,
            filter=[
                selector.DeviceFilterSelectorConfig(integration=DOMAIN, manufacturer=maker)
                for maker in MANUFACTURERS.values()
            ],
        )
    )
    return vol.Schema(
        {
            vol.Required(CONF_PACKS): packs,
            vol.Optional(CONF_CAPACITY): box(1, 10000, 1, "Ah"),
            vol.Required(CONF_STALE_AFTER, default=DEFAULT_STALE_S / 60): box(1, 60, 1, "min"),
        }
    )


def validate(options: dict[str, Any]) -> dict[str, str]:
    if not options.get(CONF_PACKS):
        return {CONF_PACKS: "no_packs"}
    return {}


FORM = PolicyForm(DeviceType.BATTERY_BANK, "Battery bank", options_schema, validate)


class BankFlow(PolicyFormFlow):
    async def async_step_battery_bank(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        return await self._async_policy_form_step(FORM, user_input)
