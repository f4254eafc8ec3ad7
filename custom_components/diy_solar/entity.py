"""The one base class of DIY Solar entities."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import Pi30Coordinator


class DiySolarEntity(CoordinatorEntity[Pi30Coordinator]):
    _attr_has_entity_name = True

    def __init__(self, coordinator: Pi30Coordinator, description: EntityDescription) -> None:
        super().__init__(coordinator)
        self.entity_description = description
        device_id = coordinator.config_entry.unique_id or coordinator.config_entry.entry_id
        self._attr_unique_id = f"{device_id}-{description.key}"
        rated = coordinator.data.capabilities.rated
        identity = coordinator.identity
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, device_id)},
            manufacturer="Voltronic Power",
            model=f"PI30 inverter {rated.ac_output_rating_active_power} W",
            name=coordinator.config_entry.title,
            serial_number=identity.serial_number,
            sw_version=identity.firmware_version,
        )
