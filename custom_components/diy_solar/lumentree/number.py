"""The output power of each Lumentree unit as a number."""

from __future__ import annotations

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import UnitOfPower
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from ..entity import DiySolarEntity
from ..runtime import DiySolarConfigEntry
from .coordinator import LumentreeCoordinator, coordinator_of

OUTPUT_POWER = NumberEntityDescription(
    key="output_power_limit",
    translation_key="output_power_limit",
    device_class=NumberDeviceClass.POWER,
    native_unit_of_measurement=UnitOfPower.WATT,
    native_min_value=0,
    native_step=1,
    mode=NumberMode.BOX,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DiySolarConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    coordinator = coordinator_of(entry)
    async_add_entities(
        LumentreePower(coordinator, OUTPUT_POWER, unit) for unit in coordinator.client.slaves
    )


class LumentreePower(DiySolarEntity[LumentreeCoordinator], NumberEntity):
    """What the unit was last told; the register cannot be read back."""

    @property
    def native_max_value(self) -> float:
        return self.coordinator.client.max_power

    @property
    def native_value(self) -> float | None:
        return self.coordinator.client.commanded.get(self.unit or 0)

    async def async_set_native_value(self, value: float) -> None:
        assert self.unit is not None
        await self.coordinator.async_set_power(self.unit, value)
