"""Voltage and current settings of a PI30 inverter as numbers."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import EntityCategory, UnitOfElectricCurrent, UnitOfElectricPotential
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from ..const import ATTR_ALLOWED_VALUES
from ..drivers.pi30 import Allowed, SettingKey
from ..entity import DiySolarEntity
from ..runtime import DiySolarConfigEntry
from .coordinator import Pi30Coordinator, coordinator_of


@dataclass(frozen=True, kw_only=True)
class Pi30NumberEntityDescription(NumberEntityDescription):
    setting: SettingKey


def _number(setting: SettingKey, device_class: NumberDeviceClass) -> Pi30NumberEntityDescription:
    return Pi30NumberEntityDescription(
        key=setting.value,
        translation_key=setting.value,
        setting=setting,
        device_class=device_class,
        native_unit_of_measurement=(
            UnitOfElectricPotential.VOLT
            if device_class is NumberDeviceClass.VOLTAGE
            else UnitOfElectricCurrent.AMPERE
        ),
        entity_category=EntityCategory.CONFIG,
        mode=NumberMode.BOX,
    )


NUMBERS = (
    _number(SettingKey.BULK_VOLTAGE, NumberDeviceClass.VOLTAGE),
    _number(SettingKey.FLOAT_VOLTAGE, NumberDeviceClass.VOLTAGE),
    _number(SettingKey.RECHARGE_VOLTAGE, NumberDeviceClass.VOLTAGE),
    _number(SettingKey.REDISCHARGE_VOLTAGE, NumberDeviceClass.VOLTAGE),
    _number(SettingKey.CUTOFF_VOLTAGE, NumberDeviceClass.VOLTAGE),
    _number(SettingKey.MAX_CHARGE_CURRENT, NumberDeviceClass.CURRENT),
    _number(SettingKey.MAX_UTILITY_CHARGE_CURRENT, NumberDeviceClass.CURRENT),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DiySolarConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    coordinator = coordinator_of(entry)
    caps = coordinator.data.capabilities
    # A unit that does not report the allowed values of a setting gets no entity for it.
    entities = [Pi30Number(coordinator, d) for d in NUMBERS if caps.allowed(d.setting) is not None]
    if caps.allowed(UNIT_CHARGE_CURRENT.setting) is not None:
        # Each unit of a parallel system has its own (MNCHGC<unit>).
        entities += [
            Pi30UnitCurrent(coordinator, UNIT_CHARGE_CURRENT, unit)
            for unit in range(coordinator.unit_count)
        ]
    async_add_entities(entities)


class Pi30Number(DiySolarEntity[Pi30Coordinator], NumberEntity):
    entity_description: Pi30NumberEntityDescription

    @property
    def _allowed(self) -> Allowed:
        allowed = self.coordinator.data.capabilities.allowed(self.entity_description.setting)
        assert allowed is not None  # entities exist only for reported settings
        return allowed

    @property
    def native_min_value(self) -> float:
        return min((self._allowed.minimum, *self._allowed.extra))

    @property
    def native_max_value(self) -> float:
        return self._allowed.maximum

    @property
    def native_step(self) -> float:
        return self._allowed.step

    @property
    def extra_state_attributes(self) -> dict[str, list[float]] | None:
        # Current settings take only the values the unit lists (QMCHGCR, QMUCHGCR): shown,
        # so that a policy or an automation can pick one.
        choices = self._allowed.choices
        return None if choices is None else {ATTR_ALLOWED_VALUES: list(choices)}

    @property
    def native_value(self) -> float | None:
        return self.coordinator.data.capabilities.current_value(self.entity_description.setting)

    async def async_set_native_value(self, value: float) -> None:
        await self.coordinator.async_set(self.entity_description.setting, value)


UNIT_CHARGE_CURRENT = _number(SettingKey.MAX_CHARGE_CURRENT, NumberDeviceClass.CURRENT)


class Pi30UnitCurrent(Pi30Number):
    """One parallel unit's maximum charge current, as its QPGSn reports it."""

    @property
    def native_value(self) -> float | None:
        unit = self.subject
        return None if unit is None else float(unit.max_charging_current)

    async def async_set_native_value(self, value: float) -> None:
        assert self.unit is not None  # one entity per unit
        await self.coordinator.async_set_unit_charge_current(self.unit, value)
