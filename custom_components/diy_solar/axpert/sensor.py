"""Sensors of a PI30 inverter: live values, mode, energy totals, write count."""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
)
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    UnitOfApparentPower,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfFrequency,
    UnitOfPower,
    UnitOfTemperature,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.typing import StateType

from ..drivers.pi30 import DeviceMode, GeneralStatus
from ..energy import EnergySensor, energy_description
from ..runtime import DiySolarConfigEntry
from ..values import (
    ValueSensor,
    ValueSensorDescription,
    WritesSensor,
    measurement,
    writes_description,
)
from .coordinator import Pi30Data, coordinator_of


def _status(fn: Callable[[GeneralStatus], StateType]) -> Callable[[Pi30Data], StateType]:
    return lambda data: fn(data.status)


def _measurement(
    key: str,
    device_class: SensorDeviceClass | None,
    unit: str | None,
    fn: Callable[[GeneralStatus], StateType],
    *,
    enabled: bool = True,
    diagnostic: bool = False,
) -> ValueSensorDescription:
    return measurement(key, device_class, unit, _status(fn), enabled=enabled, diagnostic=diagnostic)


V, A, W, HZ = (
    UnitOfElectricPotential.VOLT,
    UnitOfElectricCurrent.AMPERE,
    UnitOfPower.WATT,
    UnitOfFrequency.HERTZ,
)
VOLTAGE, CURRENT, POWER, FREQUENCY = (
    SensorDeviceClass.VOLTAGE,
    SensorDeviceClass.CURRENT,
    SensorDeviceClass.POWER,
    SensorDeviceClass.FREQUENCY,
)

# What QPIGS (the unit we talk to) and QPGSn (each unit of a parallel system) both report,
# under the same names: (field, device class, unit).
_SHARED: tuple[tuple[str, SensorDeviceClass | None, str], ...] = (
    ("grid_voltage", VOLTAGE, V),
    ("grid_frequency", FREQUENCY, HZ),
    ("ac_output_voltage", VOLTAGE, V),
    ("ac_output_frequency", FREQUENCY, HZ),
    ("ac_output_apparent_power", SensorDeviceClass.APPARENT_POWER, UnitOfApparentPower.VOLT_AMPERE),
    ("ac_output_active_power", POWER, W),
    ("battery_voltage", VOLTAGE, V),
    ("battery_charging_current", CURRENT, A),
    ("battery_discharge_current", CURRENT, A),
    ("battery_capacity", SensorDeviceClass.BATTERY, PERCENTAGE),
    ("pv_input_voltage", VOLTAGE, V),
    ("pv_input_current", CURRENT, A),
)

SENSORS: tuple[ValueSensorDescription, ...] = (
    *(_measurement(key, cls, unit, attrgetter(key)) for key, cls, unit in _SHARED),
    _measurement("output_load_percent", None, PERCENTAGE, lambda s: s.output_load_percent),
    _measurement("bus_voltage", VOLTAGE, V, lambda s: s.bus_voltage, enabled=False),
    _measurement(
        "heatsink_temperature",
        SensorDeviceClass.TEMPERATURE,
        UnitOfTemperature.CELSIUS,
        lambda s: s.heatsink_temperature,
    ),
    _measurement("pv_input_power", POWER, W, lambda s: s.pv_input_power),
    _measurement(
        "battery_voltage_from_scc", VOLTAGE, V, lambda s: s.battery_voltage_from_scc, enabled=False
    ),
    _measurement("battery_charge_power", POWER, W, lambda s: s.battery_charge_power),
    _measurement("battery_discharge_power", POWER, W, lambda s: s.battery_discharge_power),
    _measurement(
        "battery_power",
        POWER,
        W,
        lambda s: round(s.battery_charge_power - s.battery_discharge_power, 1),
    ),
    _measurement(
        "fan_voltage_offset",
        VOLTAGE,
        UnitOfElectricPotential.MILLIVOLT,
        lambda s: None if s.fan_voltage_offset is None else s.fan_voltage_offset * 10,
        enabled=False,
        diagnostic=True,
    ),
    ValueSensorDescription(
        key="eeprom_version",
        translation_key="eeprom_version",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=_status(lambda s: s.eeprom_version),
    ),
    ValueSensorDescription(
        key="mode",
        translation_key="mode",
        device_class=SensorDeviceClass.ENUM,
        options=[m.value for m in DeviceMode],
        value_fn=lambda data: data.mode.value,
    ),
)


# One unit of a parallel system (QPGSn), on a device of its own.
UNIT_SENSORS: tuple[ValueSensorDescription, ...] = (
    ValueSensorDescription(
        key="mode",
        translation_key="mode",
        device_class=SensorDeviceClass.ENUM,
        options=[m.value for m in DeviceMode],
        value_fn=lambda unit: unit.mode.value,
    ),
    measurement("fault_code", None, None, lambda u: u.fault_code, state_class=None),
    *(measurement(key, cls, unit, attrgetter(key)) for key, cls, unit in _SHARED),
    measurement("output_load_percent", None, PERCENTAGE, lambda u: u.load_percent),
)

# A parallel system as a whole, on the inverter's device.
SYSTEM_SENSORS: tuple[ValueSensorDescription, ...] = (
    measurement("system_pv_power", POWER, W, lambda d: d.system and d.system.pv_power),
    measurement("system_load", POWER, W, lambda d: d.system and d.system.load),
    measurement(
        "system_charging_current", CURRENT, A, lambda d: d.system and d.system.charging_current
    ),
)

ENERGY_SENSORS = (
    energy_description("pv_energy", lambda d: d.status.pv_input_power),
    energy_description("battery_charge_energy", lambda d: d.status.battery_charge_power),
    energy_description("battery_discharge_energy", lambda d: d.status.battery_discharge_power),
    energy_description("load_energy", lambda d: float(d.status.ac_output_active_power)),
)

WRITES = writes_description("setting_writes")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DiySolarConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    coordinator = coordinator_of(entry)
    entities: list[SensorEntity] = [ValueSensor(coordinator, d) for d in SENSORS]
    entities += [EnergySensor(coordinator, d) for d in ENERGY_SENSORS]
    entities.append(WritesSensor(coordinator, WRITES))
    if coordinator.unit_count:
        entities += [ValueSensor(coordinator, d) for d in SYSTEM_SENSORS]
        for unit in range(coordinator.unit_count):
            entities += [ValueSensor(coordinator, d, unit) for d in UNIT_SENSORS]
    async_add_entities(entities)
