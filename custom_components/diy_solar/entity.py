"""The one base class of DIY Solar entities."""

from __future__ import annotations

from typing import Any

from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .coordinator import DeviceCoordinator


class DiySolarEntity[CoordinatorT: DeviceCoordinator[Any]](CoordinatorEntity[CoordinatorT]):
    """An entity of a device entry; unit picks one device on a shared bus."""

    _attr_has_entity_name = True

    def __init__(
        self, coordinator: CoordinatorT, description: EntityDescription, unit: int | None = None
    ) -> None:
        super().__init__(coordinator)
        self.entity_description = description
        self.unit = unit
        scope = coordinator.device_key if unit is None else f"{coordinator.device_key}-{unit}"
        self._attr_unique_id = f"{scope}-{description.key}"
        self._attr_device_info = coordinator.device_info(unit)

    @property
    def subject(self) -> Any:
        return self.coordinator.subject(self.unit)

    @property
    def available(self) -> bool:
        return super().available and self.subject is not None
