"""Sensors of a Mean Well charger: output, AC input, temperature, fans, wear, energy."""

from __future__ import annotations

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
)
from homeassistant.const import (
    REVOLUTIONS_PER_MINUTE,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfPower,
    UnitOfTemperature,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from ..drivers.meanwell import ChargeStatus, Family
from ..energy import EnergySensor, energy_description
from ..runtime import DiySolarConfigEntry
from ..values import (
    ValueSensor,
    ValueSensorDescription,
    WritesSensor,
    measurement,
    writes_description,
)
from .coordinator import MeanWellData, coordinator_of

SENSORS = (
    measurement(
        "output_voltage",
        SensorDeviceClass.VOLTAGE,
        UnitOfElectricPotential.VOLT,
        lambda d: d.readings.output_voltage,
    ),
    measurement(
        "output_current",
        SensorDeviceClass.CURRENT,
        UnitOfElectricCurrent.AMPERE,
        lambda d: d.readings.output_current,
    ),
    measurement(
        "output_power", SensorDeviceClass.POWER, UnitOfPower.WATT, lambda d: d.readings.output_power
    ),
    measurement(
        "ac_voltage",
        SensorDeviceClass.VOLTAGE,
        UnitOfElectricPotential.VOLT,
        lambda d: d.readings.ac_voltage,
    ),
    measurement(
        "temperature",
        SensorDeviceClass.TEMPERATURE,
        UnitOfTemperature.CELSIUS,
        lambda d: d.readings.temperature,
    ),
)


def _fan(index: int) -> ValueSensorDescription:
    return measurement(
        f"fan_speed_{index + 1}",
        None,
        REVOLUTIONS_PER_MINUTE,
        lambda d: d.readings.fan_speeds[index] if len(d.readings.fan_speeds) > index else None,
        diagnostic=True,
        precision=0,
    )


_CHARGE_STAGES = (
    (ChargeStatus.FULL, "full"),
    (ChargeStatus.CONSTANT_CURRENT, "constant_current"),
    (ChargeStatus.CONSTANT_VOLTAGE, "constant_voltage"),
    (ChargeStatus.FLOAT, "float"),
)


def _charge_stage(data: MeanWellData) -> str:
    status = data.readings.charge_status or ChargeStatus(0)
    return next((name for flag, name in _CHARGE_STAGES if flag in status), "idle")


CHARGE_STAGE = ValueSensorDescription(
    key="charge_stage",
    translation_key="charge_stage",
    device_class=SensorDeviceClass.ENUM,
    options=[name for _, name in _CHARGE_STAGES] + ["idle"],
    value_fn=_charge_stage,
)

CHARGE_ENERGY = energy_description("charge_energy", lambda d: max(0.0, d.readings.output_power))
DISCHARGE_ENERGY = energy_description(
    "discharge_energy", lambda d: max(0.0, -d.readings.output_power)
)
WRITES = writes_description("eeprom_writes")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DiySolarConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    coordinator = coordinator_of(entry)
    bic = coordinator.family is Family.BIC
    fans = len(coordinator.data.readings.fan_speeds)
    entities: list[SensorEntity] = [ValueSensor(coordinator, d) for d in SENSORS]
    entities += [ValueSensor(coordinator, _fan(i)) for i in range(fans)]
    entities.append(EnergySensor(coordinator, CHARGE_ENERGY))
    if bic:
        entities.append(EnergySensor(coordinator, DISCHARGE_ENERGY))
    else:
        entities.append(ValueSensor(coordinator, CHARGE_STAGE))
    entities.append(WritesSensor(coordinator, WRITES))
    async_add_entities(entities)
