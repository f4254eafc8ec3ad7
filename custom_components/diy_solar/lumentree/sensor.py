"""Per-unit sensors of Lumentree inverters, and their delivered energy."""

from __future__ import annotations

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity
from homeassistant.const import (
    UnitOfElectricPotential,
    UnitOfPower,
    UnitOfTemperature,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from ..energy import EnergySensor, energy_description
from ..runtime import DiySolarConfigEntry
from ..values import ValueSensor, measurement
from .coordinator import coordinator_of

SENSORS = (
    measurement(
        "output_power", SensorDeviceClass.POWER, UnitOfPower.WATT, lambda r: r.output_power
    ),
    measurement(
        "ac_voltage",
        SensorDeviceClass.VOLTAGE,
        UnitOfElectricPotential.VOLT,
        lambda r: r.ac_voltage,
    ),
    measurement(
        "dc_voltage",
        SensorDeviceClass.VOLTAGE,
        UnitOfElectricPotential.VOLT,
        lambda r: r.dc_voltage,
    ),
    measurement(
        "temperature",
        SensorDeviceClass.TEMPERATURE,
        UnitOfTemperature.CELSIUS,
        lambda r: r.temperature,
    ),
)
OUTPUT_ENERGY = energy_description("output_energy", lambda r: r.output_power)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DiySolarConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    coordinator = coordinator_of(entry)
    entities: list[SensorEntity] = []
    for unit in coordinator.client.slaves:
        entities += [ValueSensor(coordinator, d, unit) for d in SENSORS]
        entities.append(EnergySensor(coordinator, OUTPUT_ENERGY, unit))
    async_add_entities(entities)
