"""Fault and status bits of a Mean Well charger as problem sensors."""

from __future__ import annotations

from homeassistant.components.binary_sensor import BinarySensorDeviceClass
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from ..drivers.meanwell import ChargeStatus, Family, FaultStatus, SystemStatus
from ..runtime import DiySolarConfigEntry
from ..values import ValueBinarySensor, ValueBinarySensorDescription, flag
from .coordinator import coordinator_of


def _fault(key: str, bit: FaultStatus) -> ValueBinarySensorDescription:
    return flag(
        key,
        lambda d: bit in d.readings.faults,
        device_class=BinarySensorDeviceClass.PROBLEM,
        diagnostic=True,
    )


# One fault sensor on the device's page; which fault it is, among the diagnostics (as the
# Axpert's warnings and the BMS alarms are).
ANY_FAULT = flag(
    "fault", lambda d: bool(d.readings.faults), device_class=BinarySensorDeviceClass.PROBLEM
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

EEPROM_ERROR = flag(
    "eeprom_error",
    lambda d: SystemStatus.EEPROM_ERROR in d.readings.system_status,
    device_class=BinarySensorDeviceClass.PROBLEM,
    diagnostic=True,
)
BATTERY_NOT_DETECTED = flag(
    "battery_not_detected",
    lambda d: ChargeStatus.BATTERY_NOT_DETECTED in (d.readings.charge_status or ChargeStatus(0)),
    device_class=BinarySensorDeviceClass.PROBLEM,
)
BATTERY_MODE = flag("battery_mode", lambda d: d.battery_mode, diagnostic=True)
EEPROM_OFF = flag("eeprom_off", lambda d: d.readings.eeprom_off, diagnostic=True)


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
        ValueBinarySensor(coordinator, d)
        for d in (ANY_FAULT, *FAULTS, *extra, EEPROM_ERROR, EEPROM_OFF)
    )
