"""Helpers shared by the Home Assistant tests."""

from __future__ import annotations

from datetime import timedelta
from enum import Enum
from typing import Any

import voluptuous as vol
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowManager, FlowResultType, section
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.service_info.usb import UsbServiceInfo
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.diy_solar.const import DOMAIN
from custom_components.diy_solar.forms import fields_of, nest

PREFIX = "axpert_92932105105315"


async def poll(hass: HomeAssistant) -> None:
    """Run the next coordinator poll now.

    Real time, not a frozen clock: serial I/O and reply timeouts need a running loop clock.
    """
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=11), fire_all=True)
    await hass.async_block_till_done(wait_background_tasks=True)


def registry_summary(
    hass: HomeAssistant, entity_registry: er.EntityRegistry, entry_id: str
) -> dict[str, Any]:
    """The entry's entities and states, in a projection of our own for snapshots: the
    registry's serialised shape differs between HA versions."""
    entries = er.async_entries_for_config_entry(entity_registry, entry_id)
    assert entries
    summary = {}
    for entry in sorted(entries, key=lambda e: e.entity_id):
        state = hass.states.get(entry.entity_id)
        assert state is not None
        summary[entry.entity_id] = {
            "unique_id": entry.unique_id,
            "translation_key": entry.translation_key,
            "original_name": entry.original_name,
            "device_class": entry.original_device_class,
            "entity_category": entry.entity_category,
            "unit": entry.unit_of_measurement,
            "state": state.state,
            "attributes": dict(state.attributes),
        }
    return _plain(summary)


def _plain(value: Any) -> Any:
    """Enums as their values: newer HA uses StrEnum keys where older uses str."""
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value.value if isinstance(value, Enum) else value


def device_with(hass: HomeAssistant, entry_id: str, identifier: str) -> dr.DeviceEntry | None:
    """The entry's device with this identifier (device_registry.async_get_device is
    deprecated on current Home Assistant; this works on both lanes)."""
    registry = dr.async_get(hass)
    return next(
        (
            device
            for device in dr.async_entries_for_config_entry(registry, entry_id)
            if (DOMAIN, identifier) in device.identifiers
        ),
        None,
    )


def usb_info(vid: str, pid: str) -> UsbServiceInfo:
    """What HA's USB discovery hands a flow for a device with these ids."""
    return UsbServiceInfo(
        device="/dev/bus/usb/001/004",
        vid=vid,
        pid=pid,
        serial_number=None,
        manufacturer=None,
        description="USB to Serial",
    )


def device_of(hass: HomeAssistant, entry_id: str) -> str:
    """The id of the one device of an entry (what an action or a blueprint names)."""
    (device,) = dr.async_entries_for_config_entry(dr.async_get(hass), entry_id)
    return device.id


def suggested(schema: vol.Schema) -> dict[str, Any]:
    """Every field of a form, those in its sections included, with what it shows filled in
    (None: empty, or its default)."""
    shown: dict[str, Any] = {}
    for key, value in schema.schema.items():
        inner = value.schema.schema if isinstance(value, section) else {key: value}
        shown |= {str(k): (k.description or {}).get("suggested_value") for k in inner}
    return shown


async def answer_forms(
    manager: FlowManager[Any, Any, Any],
    result: Any,
    answers: dict[str, Any],
    *,
    forms: int | None = None,
) -> Any:
    """Fill in each form the flow shows from flat answers, as a person would: each form
    takes the answers for its own fields, in its sections, and keeps what it shows filled in
    for the others. Stops at a form that refuses, or after that many forms."""
    while result["type"] is FlowResultType.FORM and forms != 0:
        forms = None if forms is None else forms - 1
        schema, step = result["data_schema"], result["step_id"]
        shown = {k: v for k, v in suggested(schema).items() if v is not None}
        fields = fields_of(schema)
        own = {k: v for k, v in answers.items() if k in fields}
        answer = nest(schema, shown | own)
        result = await manager.async_configure(result["flow_id"], answer)
        if result["type"] is FlowResultType.FORM and result["step_id"] == step:
            break
    return result
