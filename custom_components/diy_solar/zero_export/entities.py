"""The entities of a zero-export policy entry: its switch, numbers and status sensors."""

from __future__ import annotations

from typing import Any

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorStateClass,
)
from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory, UnitOfPower
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from ..entity import DiySolarEntity
from ..policies.zero_export import Status
from ..runtime import DiySolarConfigEntry
from ..values import ValueSensor, ValueSensorDescription
from .runner import ZeroExportRunner, runner_of

SENSORS = (
    ValueSensorDescription(
        key="status",
        translation_key="policy_status",
        device_class=SensorDeviceClass.ENUM,
        options=[s.value for s in Status],
        value_fn=lambda d: d.status.value,
    ),
    *(
        ValueSensorDescription(
            key=key,
            translation_key=key,
            device_class=SensorDeviceClass.POWER,
            native_unit_of_measurement=UnitOfPower.WATT,
            state_class=SensorStateClass.MEASUREMENT,
            value_fn=fn,
        )
        for key, fn in (
            ("target_power", lambda d: d.target_w),
            ("last_command", lambda d: d.command_w),
        )
    ),
    ValueSensorDescription(
        key="policy_writes",
        translation_key="policy_writes",
        entity_category=EntityCategory.DIAGNOSTIC,
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda d: d.writes,
    ),
    ValueSensorDescription(
        key="policy_corrections",
        translation_key="policy_corrections",
        entity_category=EntityCategory.DIAGNOSTIC,
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda d: d.corrections,
    ),
    ValueSensorDescription(
        key="paused_until",
        translation_key="paused_until",
        device_class=SensorDeviceClass.TIMESTAMP,
        # Unknown whenever the policy runs: on the device page it would say so all the
        # time; the dashboard and automations read it while a pause lasts.
        entity_registry_visible_default=False,
        value_fn=lambda d: d.paused_until,
    ),
)


def _power(key: str, minimum: float, maximum: float) -> NumberEntityDescription:
    return NumberEntityDescription(
        key=key,
        translation_key=key,
        device_class=NumberDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        native_min_value=minimum,
        native_max_value=maximum,
        native_step=1,
        mode=NumberMode.BOX,
        entity_category=EntityCategory.CONFIG,
    )


# Keys are the runner's tunables.
NUMBERS = (
    _power("target", -5000, 5000),
    _power("deadband", 0, 500),
    _power("max_charge", 0, 20_000),
    _power("max_discharge", 0, 20_000),
)
ENABLED = SwitchEntityDescription(key="enabled", translation_key="policy_enabled")


class PolicyNumber(DiySolarEntity[ZeroExportRunner], NumberEntity):
    @property
    def native_value(self) -> float:
        return self.coordinator.data.tunables[self.entity_description.key]

    async def async_set_native_value(self, value: float) -> None:
        await self.coordinator.async_set_tunable(self.entity_description.key, value)


class PolicySwitch(DiySolarEntity[ZeroExportRunner], SwitchEntity):
    @property
    def is_on(self) -> bool:
        return self.coordinator.data.enabled

    async def async_turn_on(self, **kwargs: Any) -> None:
        await self.coordinator.async_set_enabled(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        await self.coordinator.async_set_enabled(False)


async def async_setup_sensors(
    hass: HomeAssistant, entry: DiySolarConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    runner = runner_of(entry)
    async_add_entities(ValueSensor(runner, d) for d in SENSORS)


async def async_setup_numbers(
    hass: HomeAssistant, entry: DiySolarConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    runner = runner_of(entry)
    async_add_entities(PolicyNumber(runner, d) for d in NUMBERS)


async def async_setup_switches(
    hass: HomeAssistant, entry: DiySolarConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    async_add_entities([PolicySwitch(runner_of(entry), ENABLED)])
