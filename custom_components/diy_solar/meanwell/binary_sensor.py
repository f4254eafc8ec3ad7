"""Fault and status bits of a Mean Well charger as problem sensors."""

from __future__ import annotations

from homeassistant.components.binary_sensor import BinarySensorDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from ..drivers.meanwell import ChargeStatus, Family, FaultStatus, SystemStatus
from ..runtime import DiySolarConfigEntry
from ..values import ValueBinarySensor, ValueBinarySensorDescription
from .coordinator import coordinator_of


def _fault(key: str, flag: FaultStatus) -> ValueBinarySensorDescription:
    return ValueBinarySensorDescription(
        key=key,
        translation_key=key,
        device_class=BinarySensorDeviceClass.PROBLEM,
        value_fn=lambda d: flag in d.readings.faults,
    )


FAULTS = (
    _fault("fan_fail", FaultStatus.FAN_FAIL),
    _fault("over_temperature", FaultStatus.OVER_TEMPERATURE),
    _fault("over_voltage", FaultStatus.OVER_VOLTAGE),
    _fault("overload", FaultStatus.OVERLOAD),
    _fault("short_circuit", FaultStatus.SHORT_CIRCUIT),
    _fault("ac_fail", FaultStatus.AC_FAIL),
    _fault("high_temperature", FaultStatus.HIGH_TEMPERATURE),
)
HV_OVER_VOLTAGE = _fault("hv_over_voltage", FaultStatus.HV_OVER_VOLTAGE)

EEPROM_ERROR = ValueBinarySensorDescription(
    key="eeprom_error",
    translation_key="eeprom_error",
    device_class=BinarySensorDeviceClass.PROBLEM,
    entity_category=EntityCategory.DIAGNOSTIC,
    value_fn=lambda d: SystemStatus.EEPROM_ERROR in d.readings.system_status,
)
BATTERY_NOT_DETECTED = ValueBinarySensorDescription(
    key="battery_not_detected",
    translation_key="battery_not_detected",
    device_class=BinarySensorDeviceClass.PROBLEM,
    value_fn=lambda d: (
        ChargeStatus.BATTERY_NOT_DETECTED in (d.readings.charge_status or ChargeStatus(0))
    ),
)
BATTERY_MODE = ValueBinarySensorDescription(
    key="battery_mode",
    translation_key="battery_mode",
    entity_category=EntityCategory.DIAGNOSTIC,
    value_fn=lambda d: d.battery_mode,
)
EEPROM_OFF = ValueBinarySensorDescription(
    key="eeprom_off",
    translation_key="eeprom_off",
    entity_category=EntityCategory.DIAGNOSTIC,
    value_fn=lambda d: d.readings.eeprom_off,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DiySolarConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    coordinator = coordinator_of(entry)
    extra = (
        (HV_OVER_VOLTAGE, BATTERY_MODE)
        if coordinator.family is Family.BIC
        else (BATTERY_NOT_DETECTED,)
    )
    async_add_entities(
        ValueBinarySensor(coordinator, d) for d in (*FAULTS, *extra, EEPROM_ERROR, EEPROM_OFF)
    )
