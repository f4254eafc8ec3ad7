"""Charge and discharge voltages and currents of a Mean Well charger as numbers."""

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

from ..drivers.meanwell import Setting, settings_for
from ..entity import DiySolarEntity
from ..runtime import DiySolarConfigEntry
from .coordinator import MeanWellCoordinator, coordinator_of


@dataclass(frozen=True, kw_only=True)
class MeanWellNumberEntityDescription(NumberEntityDescription):
    setting: Setting


_VOLTAGES = frozenset(
    {Setting.CHARGE_VOLTAGE, Setting.DISCHARGE_VOLTAGE, Setting.CURVE_CV, Setting.CURVE_FV}
)
# The currents are what a zero-export policy moves; the rest is configuration.
_CONTROLS = frozenset({Setting.CHARGE_CURRENT, Setting.DISCHARGE_CURRENT})


def _number(setting: Setting) -> MeanWellNumberEntityDescription:
    voltage = setting in _VOLTAGES
    return MeanWellNumberEntityDescription(
        key=setting.value,
        translation_key=setting.value,
        setting=setting,
        device_class=NumberDeviceClass.VOLTAGE if voltage else NumberDeviceClass.CURRENT,
        native_unit_of_measurement=(
            UnitOfElectricPotential.VOLT if voltage else UnitOfElectricCurrent.AMPERE
        ),
        native_step=0.01,
        entity_category=None if setting in _CONTROLS else EntityCategory.CONFIG,
        mode=NumberMode.BOX,
    )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DiySolarConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    coordinator = coordinator_of(entry)
    async_add_entities(
        MeanWellNumber(coordinator, _number(s)) for s in settings_for(coordinator.family)
    )


class MeanWellNumber(DiySolarEntity[MeanWellCoordinator], NumberEntity):
    entity_description: MeanWellNumberEntityDescription

    @property
    def native_min_value(self) -> float:
        return self.coordinator.allowed(self.entity_description.setting).minimum

    @property
    def native_max_value(self) -> float:
        return self.coordinator.allowed(self.entity_description.setting).maximum

    @property
    def native_value(self) -> float | None:
        return self.coordinator.setting_value(self.entity_description.setting)

    async def async_set_native_value(self, value: float) -> None:
        await self.coordinator.async_set(self.entity_description.setting, value)
