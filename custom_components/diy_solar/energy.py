"""Energy totals integrated from a power reading, for the Energy panel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import UnitOfEnergy
from homeassistant.core import callback

from .const import MAX_ENERGY_GAP
from .entity import DiySolarEntity


@dataclass(frozen=True, kw_only=True)
class EnergyEntityDescription(SensorEntityDescription):
    """power_fn reads watts from the entity's subject (the device's latest data)."""

    power_fn: Callable[[Any], float]


def energy_description(key: str, power_fn: Callable[[Any], float]) -> EnergyEntityDescription:
    return EnergyEntityDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=2,
        power_fn=power_fn,
    )


class EnergySensor(DiySolarEntity[Any], RestoreSensor):
    """Trapezoidal integration that keeps its total across restarts; gaps are not bridged."""

    entity_description: EnergyEntityDescription

    _total = 0.0
    _last: tuple[datetime, float] | None = None

    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        restored = await self.async_get_last_sensor_data()
        if restored is not None and isinstance(restored.native_value, int | float):
            self._total = float(restored.native_value)
        self._last = self._sample()

    def _sample(self) -> tuple[datetime, float] | None:
        subject = self.subject
        if subject is None:
            return None
        return self.coordinator.data.sampled_at, self.entity_description.power_fn(subject)

    @callback
    def _handle_coordinator_update(self) -> None:
        sample, last = self._sample(), self._last
        if sample is not None and last is not None:
            elapsed = sample[0] - last[0]
            if timedelta(0) < elapsed <= MAX_ENERGY_GAP:
                self._total += (last[1] + sample[1]) / 2 * elapsed.total_seconds() / 3_600_000
        self._last = sample
        super()._handle_coordinator_update()

    @property
    def native_value(self) -> float:
        return round(self._total, 4)
