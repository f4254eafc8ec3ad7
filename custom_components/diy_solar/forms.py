"""Form fields several flows share."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import voluptuous as vol
from homeassistant.data_entry_flow import section
from homeassistant.helpers import selector


def box(minimum: float, maximum: float, step: float, unit: str) -> selector.NumberSelector:
    """A number typed into a box, with its unit."""
    return selector.NumberSelector(
        selector.NumberSelectorConfig(
            min=minimum,
            max=maximum,
            step=step,
            unit_of_measurement=unit,
            mode=selector.NumberSelectorMode.BOX,
        )
    )


def option(options: Mapping[str, Any], key: str, default: float, scale: float = 1.0) -> float:
    """A number from an entry's options (default where unset), in the policy's units:
    scale turns the form's unit into the policy's (minutes to seconds, say)."""
    value = options.get(key)
    return default if value is None else float(value) * scale


def minute_of_day(text: str | None) -> int | None:
    """A time option ("23:30:00") as the minute of the day; None where unset."""
    if not text:
        return None
    hours, minutes, *_ = (int(part) for part in str(text).split(":"))
    return hours * 60 + minutes


def folded(key: str, fields: dict[Any, Any], *, collapsed: bool = True) -> dict[Any, Any]:
    """A section of a form: fields under a heading, folded away until opened. The answers
    are stored flat, as if the form had no sections (see flatten).

    Required, without a default of its own: the frontend then fills the section's fields
    with their defaults (with an empty default it would show them empty).
    """
    return {vol.Required(key): section(vol.Schema(fields), {"collapsed": collapsed})}


def _sections(schema: vol.Schema) -> dict[str, set[str]]:
    return {
        str(key): {str(field) for field in value.schema.schema}
        for key, value in schema.schema.items()
        if isinstance(value, section)
    }


def fields_of(schema: vol.Schema) -> set[str]:
    """Every field of a form, those in its sections included."""
    sections = _sections(schema)
    top = {str(key) for key in schema.schema if str(key) not in sections}
    return top.union(*sections.values())


def flatten(schema: vol.Schema, answer: Mapping[str, Any]) -> dict[str, Any]:
    """A form's answer with its sections' fields lifted to the top."""
    sections = _sections(schema)
    flat: dict[str, Any] = {}
    for key, value in answer.items():
        flat |= value if key in sections else {key: value}
    return flat


def nest(schema: vol.Schema, values: Mapping[str, Any]) -> dict[str, Any]:
    """Flat values (stored options) placed in the form's sections, as the form takes them."""
    sections = _sections(schema)
    inside = set().union(*sections.values())
    nested: dict[str, Any] = {k: v for k, v in values.items() if k not in inside}
    for key, fields in sections.items():
        nested[key] = {k: v for k, v in values.items() if k in fields}
    return nested


def read_answer(
    schema: vol.Schema,
    user_input: Mapping[str, Any],
    validate: Callable[[dict[str, Any]], dict[str, str]],
) -> tuple[dict[str, Any], dict[str, str]]:
    """A form's answer, flat, and the errors to show on the form (none: it can be kept)."""
    answers = flatten(schema, user_input)
    return answers, shown_errors(schema, validate(answers))


def replacing(
    options: Mapping[str, Any], schema: vol.Schema, answers: Mapping[str, Any]
) -> dict[str, Any]:
    """Stored options with a form's own fields replaced by its answers (an optional field
    left empty clears what was stored); the other forms' fields are kept."""
    own = fields_of(schema)
    return {**{k: v for k, v in options.items() if k not in own}, **answers}


def shown_errors(schema: vol.Schema, errors: dict[str, str]) -> dict[str, str]:
    """Errors as the frontend can show them: it shows none on a field inside a section,
    so the first such error is the form's own (its text names what is wrong)."""
    inside = set().union(*_sections(schema).values())
    shown = {key: error for key, error in errors.items() if key not in inside}
    folded_errors = [error for key, error in errors.items() if key in inside]
    if folded_errors:
        shown.setdefault("base", folded_errors[0])
    return shown
