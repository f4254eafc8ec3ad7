"""Direction of a BIC-2200: charge the battery or discharge it to the grid."""

from __future__ import annotations

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from ..drivers.meanwell import Family
from ..entity import DiySolarEntity
from ..profiles import ProfileSelect
from ..runtime import DiySolarConfigEntry
from .coordinator import MeanWellCoordinator, coordinator_of

CHARGE, DISCHARGE = "charge", "discharge"

DIRECTION = SelectEntityDescription(
    key="direction", translation_key="direction", options=[CHARGE, DISCHARGE]
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DiySolarConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    coordinator = coordinator_of(entry)
    entities: list[SelectEntity] = [ProfileSelect(coordinator)]
    if coordinator.family is Family.BIC:
        entities.append(MeanWellDirection(coordinator, DIRECTION))
    async_add_entities(entities)


class MeanWellDirection(DiySolarEntity[MeanWellCoordinator], SelectEntity):
    @property
    def current_option(self) -> str | None:
        discharging = self.coordinator.data.readings.discharging
        if discharging is None:
            return None
        return DISCHARGE if discharging else CHARGE

    async def async_select_option(self, option: str) -> None:
        await self.coordinator.async_set_discharging(option == DISCHARGE)
