"""Services that let automations, scripts and voice act on policies and devices.

Each names what it acts on by its device (`device_id`, the pickers offer only devices of
the right kind); `config_entry_id` is still taken, so automations written before keep
working."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import voluptuous as vol
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_DEVICE_ID, ATTR_NAME
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.util.json import JsonValueType

from .const import CONF_DEVICE_TYPE, DOMAIN, DeviceType
from .coordinator import DeviceCoordinator
from .generator import GeneratorRunner
from .output_priority import OutputPriorityRunner
from .policies.output_priority import Source
from .policy_runner import PolicyRunner
from .profiles import ProfileDevice
from .runtime import DiySolarConfigEntry
from .smart_charging import ChargingRunner
from .zero_export.runner import ZeroExportRunner

ATTR_CONFIG_ENTRY_ID = "config_entry_id"
ATTR_DURATION = "duration"
ATTR_TARGET = "target"
ATTR_SOURCE = "source"
# The longest pause or override: longer ones are a setting, not a pause.
MAX_DURATION = timedelta(days=7)

_POSITIVE_DURATION = vol.All(
    cv.positive_time_period, vol.Range(min=timedelta(seconds=1), max=MAX_DURATION)
)


def _schema(**fields: Any) -> vol.All:
    """A service's schema: what it acts on (a device, or an entry as before), and fields."""
    schema: dict[vol.Marker, Any] = {
        vol.Exclusive(ATTR_DEVICE_ID, "target"): cv.string,
        vol.Exclusive(ATTR_CONFIG_ENTRY_ID, "target"): cv.string,
    }
    schema |= {vol.Required(key): value for key, value in fields.items()}
    return vol.All(
        vol.Schema(schema), cv.has_at_least_one_key(ATTR_DEVICE_ID, ATTR_CONFIG_ENTRY_ID)
    )


PAUSE_SCHEMA = _schema(**{ATTR_DURATION: _POSITIVE_DURATION})
RESUME_SCHEMA = _schema()
PROFILE_SCHEMA = _schema(**{ATTR_NAME: vol.All(cv.string, vol.Length(min=1, max=40))})
OVERRIDE_SCHEMA = _schema(
    **{ATTR_SOURCE: vol.In([s.value for s in Source]), ATTR_DURATION: _POSITIVE_DURATION}
)
TARGET_SCHEMA = _schema(
    **{
        ATTR_TARGET: vol.All(vol.Coerce(float), vol.Range(min=-20_000, max=20_000)),
        ATTR_DURATION: _POSITIVE_DURATION,
    }
)
# Every policy that can pause: each has its own paused state (see the README).
PAUSABLE = (
    DeviceType.ZERO_EXPORT,
    DeviceType.OUTPUT_PRIORITY,
    DeviceType.GENERATOR,
    DeviceType.GRID_CONNECT,
    DeviceType.SMART_CHARGING,
)


def _entry(hass: HomeAssistant, call: ServiceCall) -> DiySolarConfigEntry:
    """The entry the call names by its device or its id; ServiceValidationError if none."""
    if device_id := call.data.get(ATTR_DEVICE_ID):
        device = dr.async_get(hass).async_get(device_id)
        for entry_id in device.config_entries if device else ():
            entry: DiySolarConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
            if entry is not None and entry.domain == DOMAIN:
                return entry
        name = (device.name_by_user or device.name) if device else None
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_device",
            translation_placeholders={"device": name or device_id},
        )
    entry_id = call.data[ATTR_CONFIG_ENTRY_ID]
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_entry",
            translation_placeholders={"entry": entry_id},
        )
    return entry


def _policy(hass: HomeAssistant, call: ServiceCall, *kinds: DeviceType) -> Any:
    """The running policy the call names; ServiceValidationError for anything else."""
    entry = _entry(hass, call)
    if entry.data.get(CONF_DEVICE_TYPE) not in kinds:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="wrong_policy",
            translation_placeholders={"entry": entry.title},
        )
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="policy_not_loaded",
            translation_placeholders={"entry": entry.title},
        )
    return entry.runtime_data.coordinator


def _runner(hass: HomeAssistant, call: ServiceCall) -> ZeroExportRunner:
    runner: ZeroExportRunner = _policy(hass, call, DeviceType.ZERO_EXPORT)
    return runner


def _generator(hass: HomeAssistant, call: ServiceCall) -> GeneratorRunner:
    runner: GeneratorRunner = _policy(hass, call, DeviceType.GENERATOR)
    return runner


def _pausable(hass: HomeAssistant, call: ServiceCall) -> PolicyRunner[Any]:
    runner: PolicyRunner[Any] = _policy(hass, call, *PAUSABLE)
    return runner


def _profile_device(hass: HomeAssistant, call: ServiceCall) -> ProfileDevice:
    """The loaded device entry the call names, if it keeps setting profiles."""
    entry = _entry(hass, call)
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="policy_not_loaded",
            translation_placeholders={"entry": entry.title},
        )
    device = entry.runtime_data.coordinator
    if not isinstance(device, ProfileDevice):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="no_profiles",
            translation_placeholders={"entry": entry.title},
        )
    return device


def async_register_services(hass: HomeAssistant) -> None:
    async def save_profile(call: ServiceCall) -> ServiceResponse:
        device = _profile_device(hass, call)
        settings = await device.profiles.async_save_current(device, call.data[ATTR_NAME])
        cast(DeviceCoordinator[Any], device).async_update_listeners()
        return {"settings": dict(settings)}

    async def apply_profile(call: ServiceCall) -> ServiceResponse:
        device = _profile_device(hass, call)
        try:
            changed = await device.profiles.async_apply(device, call.data[ATTR_NAME])
        finally:
            cast(DeviceCoordinator[Any], device).async_update_listeners()
        return {"changed": cast(list[JsonValueType], changed)}

    for name, handler in (("save_profile", save_profile), ("apply_profile", apply_profile)):
        hass.services.async_register(
            DOMAIN,
            name,
            handler,
            schema=PROFILE_SCHEMA,
            supports_response=SupportsResponse.OPTIONAL,
        )

    async def pause(call: ServiceCall) -> None:
        await _pausable(hass, call).async_pause(call.data[ATTR_DURATION])

    async def resume(call: ServiceCall) -> None:
        await _pausable(hass, call).async_resume()

    async def override_output(call: ServiceCall) -> None:
        runner: OutputPriorityRunner = _policy(hass, call, DeviceType.OUTPUT_PRIORITY)
        await runner.async_override(Source(call.data[ATTR_SOURCE]), call.data[ATTR_DURATION])

    async def set_target(call: ServiceCall) -> None:
        await _runner(hass, call).async_set_target(call.data[ATTR_TARGET], call.data[ATTR_DURATION])

    async def start_generator(call: ServiceCall) -> None:
        await _generator(hass, call).async_start_manual(call.data[ATTR_DURATION])

    async def stop_generator(call: ServiceCall) -> None:
        await _generator(hass, call).async_stop_manual()

    async def generator_serviced(call: ServiceCall) -> None:
        await _generator(hass, call).async_serviced()

    hass.services.async_register(
        DOMAIN, "generator_serviced", generator_serviced, schema=RESUME_SCHEMA
    )
    hass.services.async_register(DOMAIN, "start_generator", start_generator, schema=PAUSE_SCHEMA)
    hass.services.async_register(DOMAIN, "stop_generator", stop_generator, schema=RESUME_SCHEMA)

    async def start_absorption(call: ServiceCall) -> None:
        runner: ChargingRunner = _policy(hass, call, DeviceType.SMART_CHARGING)
        await runner.async_start_absorption()

    async def stop_absorption(call: ServiceCall) -> None:
        runner: ChargingRunner = _policy(hass, call, DeviceType.SMART_CHARGING)
        await runner.async_stop_absorption()

    hass.services.async_register(DOMAIN, "start_absorption", start_absorption, schema=RESUME_SCHEMA)
    hass.services.async_register(DOMAIN, "stop_absorption", stop_absorption, schema=RESUME_SCHEMA)
    hass.services.async_register(
        DOMAIN, "override_output_priority", override_output, schema=OVERRIDE_SCHEMA
    )
    hass.services.async_register(DOMAIN, "pause_policy", pause, schema=PAUSE_SCHEMA)
    hass.services.async_register(DOMAIN, "resume_policy", resume, schema=RESUME_SCHEMA)
    hass.services.async_register(DOMAIN, "set_zero_export_target", set_target, schema=TARGET_SCHEMA)
