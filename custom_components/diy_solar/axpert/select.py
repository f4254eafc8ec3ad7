"""Source priorities of a PI30 inverter as selects."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from ..drivers.pi30 import ChargerSourcePriority, OutputSourcePriority, SettingKey
from ..entity import DiySolarEntity
from ..profiles import ProfileSelect
from ..runtime import DiySolarConfigEntry
from .coordinator import Pi30Coordinator, coordinator_of


@dataclass(frozen=True, kw_only=True)
class Pi30SelectEntityDescription(SelectEntityDescription):
    setting: SettingKey
    choices: type[IntEnum]


def _select(setting: SettingKey, choices: type[IntEnum]) -> Pi30SelectEntityDescription:
    return Pi30SelectEntityDescription(
        key=setting.value,
        translation_key=setting.value,
        setting=setting,
        choices=choices,
        options=[c.name.lower() for c in choices],
        entity_category=EntityCategory.CONFIG,
    )


SELECTS = (
    _select(SettingKey.OUTPUT_SOURCE_PRIORITY, OutputSourcePriority),
    _select(SettingKey.CHARGER_SOURCE_PRIORITY, ChargerSourcePriority),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DiySolarConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    coordinator = coordinator_of(entry)
    entities: list[SelectEntity] = [Pi30Select(coordinator, d) for d in SELECTS]
    async_add_entities([*entities, ProfileSelect(coordinator)])


class Pi30Select(DiySolarEntity[Pi30Coordinator], SelectEntity):
    entity_description: Pi30SelectEntityDescription

    @property
    def current_option(self) -> str | None:
        value = self.coordinator.data.capabilities.current_value(self.entity_description.setting)
        if value is None:
            return None
        try:
            return self.entity_description.choices(int(value)).name.lower()
        except ValueError:
            return None

    async def async_select_option(self, option: str) -> None:
        value = self.entity_description.choices[option.upper()]
        await self.coordinator.async_set(self.entity_description.setting, value)
