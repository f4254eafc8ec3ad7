"""Sensors of a PI30 inverter: live values, mode, energy totals, write count."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    UnitOfApparentPower,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfFrequency,
    UnitOfPower,
    UnitOfTemperature,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.typing import StateType

from .const import MAX_ENERGY_GAP
from .coordinator import DiySolarConfigEntry, Pi30Coordinator, Pi30Data
from .drivers.pi30 import DeviceMode, GeneralStatus
from .entity import DiySolarEntity

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class Pi30SensorEntityDescription(SensorEntityDescription):
    value_fn: Callable[[Pi30Data], StateType]


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
) -> Pi30SensorEntityDescription:
    return Pi30SensorEntityDescription(
        key=key,
        translation_key=key,
        device_class=device_class,
        native_unit_of_measurement=unit,
        state_class=SensorStateClass.MEASUREMENT,
        entity_registry_enabled_default=enabled,
        entity_category=EntityCategory.DIAGNOSTIC if diagnostic else None,
        value_fn=_status(fn),
    )


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

SENSORS: tuple[Pi30SensorEntityDescription, ...] = (
    _measurement("grid_voltage", VOLTAGE, V, lambda s: s.grid_voltage),
    _measurement("grid_frequency", FREQUENCY, HZ, lambda s: s.grid_frequency),
    _measurement("ac_output_voltage", VOLTAGE, V, lambda s: s.ac_output_voltage),
    _measurement("ac_output_frequency", FREQUENCY, HZ, lambda s: s.ac_output_frequency),
    _measurement(
        "ac_output_apparent_power",
        SensorDeviceClass.APPARENT_POWER,
        UnitOfApparentPower.VOLT_AMPERE,
        lambda s: s.ac_output_apparent_power,
    ),
    _measurement("ac_output_active_power", POWER, W, lambda s: s.ac_output_active_power),
    _measurement("output_load_percent", None, PERCENTAGE, lambda s: s.output_load_percent),
    _measurement("bus_voltage", VOLTAGE, V, lambda s: s.bus_voltage, enabled=False),
    _measurement("battery_voltage", VOLTAGE, V, lambda s: s.battery_voltage),
    _measurement("battery_charging_current", CURRENT, A, lambda s: s.battery_charging_current),
    _measurement(
        "battery_discharge_current", CURRENT, A, lambda s: s.battery_discharge_current
    ),
    _measurement(
        "battery_capacity", SensorDeviceClass.BATTERY, PERCENTAGE, lambda s: s.battery_capacity
    ),
    _measurement(
        "heatsink_temperature",
        SensorDeviceClass.TEMPERATURE,
        UnitOfTemperature.CELSIUS,
        lambda s: s.heatsink_temperature,
    ),
    _measurement("pv_input_current", CURRENT, A, lambda s: s.pv_input_current),
    _measurement("pv_input_voltage", VOLTAGE, V, lambda s: s.pv_input_voltage),
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
    Pi30SensorEntityDescription(
        key="eeprom_version",
        translation_key="eeprom_version",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=_status(lambda s: s.eeprom_version),
    ),
    Pi30SensorEntityDescription(
        key="mode",
        translation_key="mode",
        device_class=SensorDeviceClass.ENUM,
        options=[m.value for m in DeviceMode],
        value_fn=lambda data: data.mode.value,
    ),
)


@dataclass(frozen=True, kw_only=True)
class Pi30EnergyEntityDescription(SensorEntityDescription):
    """An energy total integrated from a power reading (trapezoidal rule)."""

    power_fn: Callable[[GeneralStatus], float]


def _energy(key: str, fn: Callable[[GeneralStatus], float]) -> Pi30EnergyEntityDescription:
    return Pi30EnergyEntityDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=2,
        power_fn=fn,
    )


ENERGY_SENSORS: tuple[Pi30EnergyEntityDescription, ...] = (
    _energy("pv_energy", lambda s: s.pv_input_power),
    _energy("battery_charge_energy", lambda s: s.battery_charge_power),
    _energy("battery_discharge_energy", lambda s: s.battery_discharge_power),
    _energy("load_energy", lambda s: float(s.ac_output_active_power)),
)

WRITES = SensorEntityDescription(
    key="setting_writes",
    translation_key="setting_writes",
    entity_category=EntityCategory.DIAGNOSTIC,
    state_class=SensorStateClass.TOTAL_INCREASING,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DiySolarConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    coordinator = entry.runtime_data.coordinator
    entities: list[SensorEntity] = [Pi30Sensor(coordinator, d) for d in SENSORS]
    entities += [Pi30EnergySensor(coordinator, d) for d in ENERGY_SENSORS]
    entities.append(Pi30WritesSensor(coordinator, WRITES))
    async_add_entities(entities)


class Pi30Sensor(DiySolarEntity, SensorEntity):
    entity_description: Pi30SensorEntityDescription

    @property
    def native_value(self) -> StateType:
        return self.entity_description.value_fn(self.coordinator.data)


class Pi30EnergySensor(DiySolarEntity, RestoreSensor):
    """Keeps its total across restarts; a gap in the data is not bridged."""

    entity_description: Pi30EnergyEntityDescription

    def __init__(
        self, coordinator: Pi30Coordinator, description: Pi30EnergyEntityDescription
    ) -> None:
        super().__init__(coordinator, description)
        self._total = 0.0
        self._last: Pi30Data | None = None

    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        restored = await self.async_get_last_sensor_data()
        if restored is not None and isinstance(restored.native_value, int | float):
            self._total = float(restored.native_value)
        self._last = self.coordinator.data

    @callback
    def _handle_coordinator_update(self) -> None:
        data, last = self.coordinator.data, self._last
        if last is not None:
            elapsed = data.sampled_at - last.sampled_at
            if timedelta(0) < elapsed <= MAX_ENERGY_GAP:
                power_fn = self.entity_description.power_fn
                mean_w = (power_fn(last.status) + power_fn(data.status)) / 2
                self._total += mean_w * elapsed.total_seconds() / 3_600_000
        self._last = data
        super()._handle_coordinator_update()

    @property
    def native_value(self) -> float:
        return round(self._total, 4)


class Pi30WritesSensor(DiySolarEntity, SensorEntity):
    """Setting writes sent since start-up: EEPROM wear is what users watch."""

    @property
    def native_value(self) -> int:
        return self.coordinator.client.writes.sent
