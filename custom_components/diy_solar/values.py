"""Entities that show one value read from their subject, described by tables."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.typing import StateType

from .entity import DiySolarEntity
from .runtime import DiySolarConfigEntry, PlatformSetup


@dataclass(frozen=True, kw_only=True)
class ValueSensorDescription(SensorEntityDescription):
    value_fn: Callable[[Any], StateType | datetime]


def measurement(
    key: str,
    device_class: SensorDeviceClass | None,
    unit: str | None,
    fn: Callable[[Any], StateType],
    *,
    enabled: bool = True,
    diagnostic: bool = False,
    precision: int | None = None,
    state_class: SensorStateClass | None = SensorStateClass.MEASUREMENT,
    translation_key: str | None = None,
    placeholders: dict[str, str] | None = None,
) -> ValueSensorDescription:
    """A value read from the subject by fn; a measurement unless state_class says not."""
    return ValueSensorDescription(
        key=key,
        translation_key=translation_key or key,
        translation_placeholders=placeholders,
        device_class=device_class,
        native_unit_of_measurement=unit,
        suggested_display_precision=precision,
        state_class=state_class,
        entity_registry_enabled_default=enabled,
        entity_category=EntityCategory.DIAGNOSTIC if diagnostic else None,
        value_fn=fn,
    )


def enum_sensor(
    key: str, choices: Iterable[str], fn: Callable[[Any], str | None]
) -> ValueSensorDescription:
    """One of a fixed set of states (a policy's status or reason), translated by key."""
    return ValueSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.ENUM,
        options=[str(c) for c in choices],
        value_fn=fn,
    )


class ValueSensor(DiySolarEntity[Any], SensorEntity):
    entity_description: ValueSensorDescription

    @property
    def native_value(self) -> StateType | datetime:
        return self.entity_description.value_fn(self.subject)


@dataclass(frozen=True, kw_only=True)
class ValueBinarySensorDescription(BinarySensorEntityDescription):
    value_fn: Callable[[Any], bool | None]


def flag(
    key: str,
    fn: Callable[[Any], bool | None],
    *,
    device_class: BinarySensorDeviceClass | None = None,
    enabled: bool = True,
    diagnostic: bool = False,
) -> ValueBinarySensorDescription:
    """A yes/no value read from the subject by fn."""
    return ValueBinarySensorDescription(
        key=key,
        translation_key=key,
        device_class=device_class,
        entity_registry_enabled_default=enabled,
        entity_category=EntityCategory.DIAGNOSTIC if diagnostic else None,
        value_fn=fn,
    )


class ValueBinarySensor(DiySolarEntity[Any], BinarySensorEntity):
    entity_description: ValueBinarySensorDescription

    @property
    def is_on(self) -> bool | None:
        return self.entity_description.value_fn(self.subject)


def writes_description(key: str) -> SensorEntityDescription:
    return SensorEntityDescription(
        key=key,
        translation_key=key,
        entity_category=EntityCategory.DIAGNOSTIC,
        state_class=SensorStateClass.TOTAL_INCREASING,
    )


class WritesSensor(DiySolarEntity[Any], SensorEntity):
    """Setting writes that reached the device's EEPROM, kept across restarts."""

    @property
    def native_value(self) -> int:
        return int(self.coordinator.ledger.count)


def value_sensors(descriptions: Iterable[ValueSensorDescription]) -> PlatformSetup:
    """A sensor platform showing these values of the entry's coordinator."""

    async def setup(
        hass: HomeAssistant, entry: DiySolarConfigEntry, async_add_entities: AddEntitiesCallback
    ) -> None:
        coordinator = entry.runtime_data.coordinator
        async_add_entities(ValueSensor(coordinator, d) for d in descriptions)

    return setup
