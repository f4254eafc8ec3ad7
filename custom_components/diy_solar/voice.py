"""Assist: the intents behind the sentences DIY Solar ships (sentences/en/diy_solar.yaml,
installed into custom_sentences/en/ like the blueprints).

Each command acts through the integration's own actions and entities, so a spoken command
is checked, clamped and refused exactly as an automation's is. English only so far."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import intent

from .const import CONF_DEVICE_TYPE, DOMAIN, DeviceType

# What a policy command does, given the one policy of its kind and the spoken slots; it
# returns what Assist says.
Act = Callable[[HomeAssistant, ConfigEntry, dict[str, Any]], Awaitable[str]]
# Where a state of charge comes from, the most trusted first.
SOC_SOURCES = (
    DeviceType.BATTERY_BANK,
    DeviceType.SOC_ESTIMATOR,
    DeviceType.JK_BMS,
    DeviceType.DALY_BMS,
    DeviceType.AXPERT,
    DeviceType.SIMULATED_PLANT,
)
KIND_NAMES = {
    DeviceType.GENERATOR: "generator auto-start",
    DeviceType.ZERO_EXPORT: "zero export",
    DeviceType.SMART_CHARGING: "smart charging",
}


def _loaded(hass: HomeAssistant, kind: DeviceType) -> list[ConfigEntry]:
    return [
        entry
        for entry in hass.config_entries.async_loaded_entries(DOMAIN)
        if entry.data.get(CONF_DEVICE_TYPE) == kind
    ]


def _minutes(slots: dict[str, Any]) -> int:
    return int(slots["minutes"]) if "minutes" in slots else int(slots.get("hours", 1)) * 60


def _spoken(minutes: int) -> str:
    if minutes % 60:
        return f"{minutes} minutes"
    hours = minutes // 60
    return "an hour" if hours == 1 else f"{hours} hours"


async def _call(hass: HomeAssistant, service: str, entry: ConfigEntry, **data: Any) -> None:
    await hass.services.async_call(
        DOMAIN, service, {"config_entry_id": entry.entry_id, **data}, blocking=True
    )


async def _start_generator(hass: HomeAssistant, entry: ConfigEntry, slots: dict[str, Any]) -> str:
    minutes = _minutes(slots)
    await _call(hass, "start_generator", entry, duration={"minutes": minutes})
    return f"Running the generator for {_spoken(minutes)}."


async def _stop_generator(hass: HomeAssistant, entry: ConfigEntry, slots: dict[str, Any]) -> str:
    await _call(hass, "stop_generator", entry)
    return "Stopping the generator."


async def _generator_running(hass: HomeAssistant, entry: ConfigEntry, slots: dict[str, Any]) -> str:
    data = entry.runtime_data.coordinator.data
    if data.relay_on:
        return "Yes, the generator is running."
    return f"No, the generator is {data.status.value.replace('_', ' ')}."


async def _pause_zero_export(hass: HomeAssistant, entry: ConfigEntry, slots: dict[str, Any]) -> str:
    minutes = _minutes(slots)
    await _call(hass, "pause_policy", entry, duration={"minutes": minutes})
    return f"Zero export is paused for {_spoken(minutes)}."


async def _resume_zero_export(
    hass: HomeAssistant, entry: ConfigEntry, slots: dict[str, Any]
) -> str:
    await _call(hass, "resume_policy", entry)
    return "Zero export is back on."


async def _set_grid_target(hass: HomeAssistant, entry: ConfigEntry, slots: dict[str, Any]) -> str:
    watts = int(slots["watts"])
    runner = entry.runtime_data.coordinator
    number = er.async_get(hass).async_get_entity_id(
        Platform.NUMBER, DOMAIN, f"{runner.device_key}-target"
    )
    if number is None:
        raise Refused("Zero export has no target number.")
    await hass.services.async_call(
        Platform.NUMBER, "set_value", {ATTR_ENTITY_ID: number, "value": watts}, blocking=True
    )
    return f"The grid target is {watts} watts."


async def _start_absorption(hass: HomeAssistant, entry: ConfigEntry, slots: dict[str, Any]) -> str:
    await _call(hass, "start_absorption", entry)
    return "Starting an absorption charge."


class Refused(Exception):
    """What Assist says instead of doing a command."""


def _answer(
    intent_obj: intent.Intent, speech: str, *, error: bool = False
) -> intent.IntentResponse:
    """A response that says speech; an error one for a command not done (Assist speaks its
    text, where it would replace an IntentHandleError's with a generic one)."""
    response = intent_obj.create_response()
    if error:
        response.async_set_error(intent.IntentResponseErrorCode.FAILED_TO_HANDLE, speech)
    else:
        response.async_set_speech(speech)
    return response


class PolicyIntent(intent.IntentHandler):
    """A command for the one policy of a kind (with several, Assist asks for an action)."""

    def __init__(self, intent_type: str, kind: DeviceType, act: Act) -> None:
        self.intent_type = intent_type
        self.kind = kind
        self._act = act

    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        hass = intent_obj.hass
        entries = _loaded(hass, self.kind)
        name = KIND_NAMES[self.kind]
        if not entries:
            return _answer(intent_obj, f"There is no {name} policy running.", error=True)
        if len(entries) > 1:
            count = len(entries)
            text = f"There are {count} {name} policies; an action can name one."
            return _answer(intent_obj, text, error=True)
        slots = {key: slot["value"] for key, slot in intent_obj.slots.items()}
        try:
            return _answer(intent_obj, await self._act(hass, entries[0], slots))
        except Refused as err:
            return _answer(intent_obj, str(err), error=True)
        except HomeAssistantError as err:
            return _answer(intent_obj, str(err) or type(err).__name__, error=True)


class BatteryLevelIntent(intent.IntentHandler):
    """The state of charge from the most trusted source there is."""

    intent_type = "DiySolarBatteryLevel"

    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        hass = intent_obj.hass
        registry = er.async_get(hass)
        for kind in SOC_SOURCES:
            for entry in _loaded(hass, kind):
                for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
                    if (
                        entity.domain != Platform.SENSOR
                        or (entity.device_class or entity.original_device_class)
                        != SensorDeviceClass.BATTERY
                    ):
                        continue
                    state = hass.states.get(entity.entity_id)
                    try:
                        soc = float(state.state) if state else None
                    except ValueError:
                        soc = None
                    if soc is not None:
                        return _answer(intent_obj, f"The battery is at {soc:.0f} percent.")
        return _answer(intent_obj, "No battery reports its state of charge now.", error=True)


def async_register_intents(hass: HomeAssistant) -> None:
    for handler in (
        PolicyIntent("DiySolarStartGenerator", DeviceType.GENERATOR, _start_generator),
        PolicyIntent("DiySolarStopGenerator", DeviceType.GENERATOR, _stop_generator),
        PolicyIntent("DiySolarGeneratorRunning", DeviceType.GENERATOR, _generator_running),
        PolicyIntent("DiySolarPauseZeroExport", DeviceType.ZERO_EXPORT, _pause_zero_export),
        PolicyIntent("DiySolarResumeZeroExport", DeviceType.ZERO_EXPORT, _resume_zero_export),
        PolicyIntent("DiySolarSetGridTarget", DeviceType.ZERO_EXPORT, _set_grid_target),
        PolicyIntent("DiySolarStartAbsorption", DeviceType.SMART_CHARGING, _start_absorption),
        BatteryLevelIntent(),
    ):
        intent.async_register(hass, handler)
