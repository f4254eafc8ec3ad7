"""Services that let automations, scripts and voice act on policy entries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import voluptuous as vol
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_NAME
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.util.json import JsonValueType

from .const import CONF_DEVICE_TYPE, DOMAIN, DeviceType
from .coordinator import DeviceCoordinator
from .generator import GeneratorRunner
from .output_priority import OutputPriorityRunner
from .policies.output_priority import Source
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
PAUSE_SCHEMA = vol.Schema(
    {vol.Required(ATTR_CONFIG_ENTRY_ID): cv.string, vol.Required(ATTR_DURATION): _POSITIVE_DURATION}
)
RESUME_SCHEMA = vol.Schema({vol.Required(ATTR_CONFIG_ENTRY_ID): cv.string})
PROFILE_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_NAME): vol.All(cv.string, vol.Length(min=1, max=40)),
    }
)
OVERRIDE_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_SOURCE): vol.In([s.value for s in Source]),
        vol.Required(ATTR_DURATION): _POSITIVE_DURATION,
    }
)
TARGET_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_TARGET): vol.All(vol.Coerce(float), vol.Range(min=-20_000, max=20_000)),
        vol.Required(ATTR_DURATION): _POSITIVE_DURATION,
    }
)


def _policy(hass: HomeAssistant, call: ServiceCall, *kinds: DeviceType) -> Any:
    """The running policy the call names; ServiceValidationError for anything else."""
    entry_id = call.data[ATTR_CONFIG_ENTRY_ID]
    entry: DiySolarConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_entry",
            translation_placeholders={"entry": entry_id},
        )
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


def _pausable(hass: HomeAssistant, call: ServiceCall) -> ZeroExportRunner | OutputPriorityRunner:
    runner: ZeroExportRunner | OutputPriorityRunner = _policy(
        hass, call, DeviceType.ZERO_EXPORT, DeviceType.OUTPUT_PRIORITY
    )
    return runner


def _profile_device(hass: HomeAssistant, call: ServiceCall) -> ProfileDevice:
    """The loaded device entry the call names, if it keeps setting profiles."""
    entry_id = call.data[ATTR_CONFIG_ENTRY_ID]
    entry: DiySolarConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN or entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_entry",
            translation_placeholders={"entry": entry_id},
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
