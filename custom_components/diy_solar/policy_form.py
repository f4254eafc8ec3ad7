"""Policies set up with forms (generator, grid connect, smart charging and others): the
forms add the policy entry, reconfigure it, and are its options.

A form may lead to another chosen by its answers (smart charging asks the battery's
chemistry, then only that chemistry's levels); the entry keeps the answers of the forms
shown, so what belonged to another choice does not linger.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import voluptuous as vol
from homeassistant.config_entries import SOURCE_RECONFIGURE, ConfigFlowResult, OptionsFlow
from homeassistant.const import CONF_NAME

from .const import CONF_DEVICE_TYPE, DeviceType
from .flow import DiySolarFlow
from .forms import nest, read_answer


@dataclass(frozen=True)
class PolicyForm:
    kind: DeviceType
    default_name: str
    schema: Callable[[], vol.Schema]
    # The form's errors by field; empty when the policy can work with the answers.
    validate: Callable[[dict[str, Any]], dict[str, str]]
    # The form that follows, chosen by the answers so far; None: this is the last.
    then: Callable[[dict[str, Any]], PolicyForm] | None = None
    # The step showing the form, where it is not the first (whose step is the kind's).
    step: str | None = None

    @property
    def step_id(self) -> str:
        return self.step or self.kind.value


class _Answers:
    """The answers of the forms shown so far, kept until the last form."""

    _policy_answers: dict[str, Any]

    def _keep(
        self, form: PolicyForm, schema: vol.Schema, user_input: dict[str, Any]
    ) -> dict[str, str]:
        """Read a form's answer; kept with the earlier forms' when it has no errors (the
        first form starts afresh). The errors to show."""
        answers, errors = read_answer(schema, user_input, form.validate)
        if not errors:
            earlier = {} if form.step is None else self._policy_answers
            self._policy_answers = earlier | answers
        return errors


class PolicyFormFlow(DiySolarFlow, _Answers):
    """Adds a policy; reconfiguring one, the same forms rename it and change its options
    (its entry is updated and reloads)."""

    async def _async_policy_form_step(
        self, form: PolicyForm, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        reconfiguring = self.source == SOURCE_RECONFIGURE
        schema = form.schema()
        if form.step is None:
            schema = vol.Schema({vol.Required(CONF_NAME, default=form.default_name): str}).extend(
                schema.schema
            )
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = self._keep(form, schema, user_input)
            if not errors:
                if form.then is not None:
                    return await self._async_policy_form_step(form.then(self._policy_answers), None)
                options = dict(self._policy_answers)
                title = options.pop(CONF_NAME)
                if reconfiguring:
                    entry = self._get_reconfigure_entry()
                    self.hass.config_entries.async_update_entry(entry, title=title, options=options)
                    return self.async_abort(reason="reconfigure_successful")
                return self.async_create_entry(
                    title=title, data={CONF_DEVICE_TYPE: form.kind}, options=options
                )
        shown: dict[str, Any] = user_input or {}
        if reconfiguring and user_input is None:
            entry = self._get_reconfigure_entry()
            shown = nest(schema, {**entry.options, CONF_NAME: entry.title})
        return self.async_show_form(
            step_id=form.step_id,
            data_schema=self.add_suggested_values_to_schema(schema, shown),
            errors=errors,
        )


class PolicyFormOptions(OptionsFlow, _Answers):
    async def _async_policy_form_options(
        self, form: PolicyForm, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        """Everything the policy reads, writes and decides by."""
        schema = form.schema()
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = self._keep(form, schema, user_input)
            if not errors:
                if form.then is not None:
                    return await self._async_policy_form_options(
                        form.then(self._policy_answers), None
                    )
                return self.async_create_entry(data=self._policy_answers)
        return self.async_show_form(
            step_id=form.step_id,
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or nest(schema, self.config_entry.options)
            ),
            errors=errors,
        )
