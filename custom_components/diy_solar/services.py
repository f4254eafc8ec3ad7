"""Services that let automations, scripts and voice act on policy entries."""

from __future__ import annotations

from datetime import timedelta

import voluptuous as vol
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv

from .const import CONF_DEVICE_TYPE, DOMAIN, DeviceType
from .runtime import DiySolarConfigEntry
from .zero_export.runner import ZeroExportRunner

ATTR_CONFIG_ENTRY_ID = "config_entry_id"
ATTR_DURATION = "duration"
ATTR_TARGET = "target"
# The longest pause or override: longer ones are a setting, not a pause.
MAX_DURATION = timedelta(days=7)

_POSITIVE_DURATION = vol.All(
    cv.positive_time_period, vol.Range(min=timedelta(seconds=1), max=MAX_DURATION)
)
PAUSE_SCHEMA = vol.Schema(
    {vol.Required(ATTR_CONFIG_ENTRY_ID): cv.string, vol.Required(ATTR_DURATION): _POSITIVE_DURATION}
)
RESUME_SCHEMA = vol.Schema({vol.Required(ATTR_CONFIG_ENTRY_ID): cv.string})
TARGET_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_TARGET): vol.All(vol.Coerce(float), vol.Range(min=-20_000, max=20_000)),
        vol.Required(ATTR_DURATION): _POSITIVE_DURATION,
    }
)


def _runner(hass: HomeAssistant, call: ServiceCall) -> ZeroExportRunner:
    entry_id = call.data[ATTR_CONFIG_ENTRY_ID]
    entry: DiySolarConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_entry",
            translation_placeholders={"entry": entry_id},
        )
    if entry.data.get(CONF_DEVICE_TYPE) != DeviceType.ZERO_EXPORT:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_a_policy",
            translation_placeholders={"entry": entry.title},
        )
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="policy_not_loaded",
            translation_placeholders={"entry": entry.title},
        )
    runner = entry.runtime_data.coordinator
    assert isinstance(runner, ZeroExportRunner)
    return runner


def async_register_services(hass: HomeAssistant) -> None:
    async def pause(call: ServiceCall) -> None:
        await _runner(hass, call).async_pause(call.data[ATTR_DURATION])

    async def resume(call: ServiceCall) -> None:
        await _runner(hass, call).async_resume()

    async def set_target(call: ServiceCall) -> None:
        await _runner(hass, call).async_set_target(call.data[ATTR_TARGET], call.data[ATTR_DURATION])

    hass.services.async_register(DOMAIN, "pause_policy", pause, schema=PAUSE_SCHEMA)
    hass.services.async_register(DOMAIN, "resume_policy", resume, schema=RESUME_SCHEMA)
    hass.services.async_register(DOMAIN, "set_zero_export_target", set_target, schema=TARGET_SCHEMA)
