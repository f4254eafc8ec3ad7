"""Output on/off of a Mean Well charger, and an NPB's charger mode."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import (
    SwitchDeviceClass,
    SwitchEntity,
    SwitchEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from ..drivers.meanwell import Family
from ..entity import DiySolarEntity
from ..runtime import DiySolarConfigEntry
from .coordinator import MeanWellCoordinator, MeanWellData, coordinator_of


@dataclass(frozen=True, kw_only=True)
class MeanWellSwitchEntityDescription(SwitchEntityDescription):
    value_fn: Callable[[MeanWellData], bool | None]
    set_fn: Callable[[MeanWellCoordinator, bool], Awaitable[None]]


OUTPUT = MeanWellSwitchEntityDescription(
    key="output",
    translation_key="output",
    device_class=SwitchDeviceClass.SWITCH,
    value_fn=lambda d: d.readings.output_on,
    set_fn=lambda c, on: c.async_set_output(on),
)
CHARGER_MODE = MeanWellSwitchEntityDescription(
    key="charger_mode",
    translation_key="charger_mode",
    entity_category=EntityCategory.CONFIG,
    value_fn=lambda d: d.curve_enabled,
    set_fn=lambda c, on: c.async_set_curve_enabled(on),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DiySolarConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    coordinator = coordinator_of(entry)
    descriptions = [OUTPUT]
    if coordinator.family is Family.NPB:
        descriptions.append(CHARGER_MODE)
    async_add_entities(MeanWellSwitch(coordinator, d) for d in descriptions)


class MeanWellSwitch(DiySolarEntity[MeanWellCoordinator], SwitchEntity):
    """Shows what the device reports after the write, not what was asked."""

    entity_description: MeanWellSwitchEntityDescription

    @property
    def is_on(self) -> bool | None:
        return self.entity_description.value_fn(self.coordinator.data)

    async def async_turn_on(self, **kwargs: Any) -> None:
        await self.entity_description.set_fn(self.coordinator, True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        await self.entity_description.set_fn(self.coordinator, False)
