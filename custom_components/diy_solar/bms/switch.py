"""A Daly's charge and discharge MOSFETs, switched and confirmed by reading them back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchDeviceClass, SwitchEntity, SwitchEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from ..entity import DiySolarEntity
from ..runtime import DiySolarConfigEntry
from .coordinator import BmsCoordinator, coordinator_of


@dataclass(frozen=True, kw_only=True)
class MosfetSwitchDescription(SwitchEntityDescription):
    charge: bool


MOSFETS = tuple(
    MosfetSwitchDescription(
        key=key, translation_key=key, device_class=SwitchDeviceClass.SWITCH, charge=charge
    )
    for key, charge in (("charge_mosfet", True), ("discharge_mosfet", False))
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DiySolarConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    coordinator = coordinator_of(entry)
    async_add_entities(MosfetSwitch(coordinator, d) for d in MOSFETS)


class MosfetSwitch(DiySolarEntity[BmsCoordinator], SwitchEntity):
    """Shows what the BMS reports after the write, not what was asked."""

    entity_description: MosfetSwitchDescription

    @property
    def is_on(self) -> bool:
        status = self.coordinator.data.status
        return status.charge_mosfet if self.entity_description.charge else status.discharge_mosfet

    async def async_turn_on(self, **kwargs: Any) -> None:
        await self.coordinator.async_set_mosfet(self.entity_description.charge, True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        await self.coordinator.async_set_mosfet(self.entity_description.charge, False)
