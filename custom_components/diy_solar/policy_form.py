"""Policies set up with one form (generator, grid connect, smart charging): the form adds
the policy entry, and the same form is its options."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import voluptuous as vol
from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.const import CONF_NAME

from .const import CONF_DEVICE_TYPE, DeviceType
from .flow import DiySolarFlow


@dataclass(frozen=True)
class PolicyForm:
    kind: DeviceType
    default_name: str
    schema: Callable[[], vol.Schema]
    # The form's errors by field; empty when the policy can work with the answers.
    validate: Callable[[dict[str, Any]], dict[str, str]]


class PolicyFormFlow(DiySolarFlow):
    async def _async_policy_form_step(
        self, form: PolicyForm, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = form.validate(user_input)
            if not errors:
                options = {k: v for k, v in user_input.items() if k != CONF_NAME}
                return self.async_create_entry(
                    title=user_input[CONF_NAME], data={CONF_DEVICE_TYPE: form.kind}, options=options
                )
        schema = vol.Schema({vol.Required(CONF_NAME, default=form.default_name): str}).extend(
            form.schema().schema
        )
        return self.async_show_form(
            step_id=form.kind.value,
            data_schema=self.add_suggested_values_to_schema(schema, user_input or {}),
            errors=errors,
        )


class PolicyFormOptions(OptionsFlow):
    async def _async_policy_form_options(
        self, form: PolicyForm, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        """Everything the policy reads, writes and decides by."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = form.validate(user_input)
            if not errors:
                return self.async_create_entry(data=user_input)
        return self.async_show_form(
            step_id=form.kind.value,
            data_schema=self.add_suggested_values_to_schema(
                form.schema(), user_input or self.config_entry.options
            ),
            errors=errors,
        )
