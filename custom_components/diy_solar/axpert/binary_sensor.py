"""Binary sensors of a PI30 inverter: status bits, warnings and faults."""

from __future__ import annotations

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from ..drivers.pi30.models import WARNING_BITS
from ..runtime import DiySolarConfigEntry
from ..values import ValueBinarySensor, ValueBinarySensorDescription, flag
from .coordinator import coordinator_of


def _status_bit(
    key: str, *, enabled: bool = True, device_class: BinarySensorDeviceClass | None = None
) -> ValueBinarySensorDescription:
    return flag(
        key,
        lambda data: getattr(data.status, key),
        device_class=device_class,
        enabled=enabled,
    )


STATUS_BITS = (
    _status_bit("load_on", device_class=BinarySensorDeviceClass.POWER),
    _status_bit("charging", device_class=BinarySensorDeviceClass.BATTERY_CHARGING),
    _status_bit("scc_charging"),
    _status_bit("ac_charging"),
    _status_bit("charging_to_float"),
    _status_bit("switched_on", enabled=False),
    _status_bit("battery_voltage_steady", enabled=False),
    _status_bit("configuration_changed", enabled=False),
    _status_bit("sbu_priority_version", enabled=False),
    _status_bit("scc_firmware_updated", enabled=False),
    _status_bit("dustproof_installed", enabled=False),
)

# Warnings most installations can act on; the rest exist but start disabled.
COMMON_WARNINGS = frozenset(
    (
        "inverter_fault",
        "line_fail",
        "over_temperature",
        "fan_locked",
        "battery_voltage_high",
        "battery_low",
        "battery_under_shutdown",
        "overload",
        "battery_open",
        "pv_voltage_high",
        "mppt_overload_warning",
    )
)


def _warning(name: str) -> ValueBinarySensorDescription:
    return flag(
        f"warning_{name}",
        lambda data: data.warnings.is_set(name),
        device_class=BinarySensorDeviceClass.PROBLEM,
        enabled=name in COMMON_WARNINGS,
        diagnostic=True,
    )


WARNINGS = tuple(_warning(name) for name in WARNING_BITS)

FAULT = flag(
    "fault",
    lambda data: bool(data.warnings.faults),
    device_class=BinarySensorDeviceClass.PROBLEM,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DiySolarConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    coordinator = coordinator_of(entry)
    async_add_entities(ValueBinarySensor(coordinator, d) for d in (*STATUS_BITS, FAULT, *WARNINGS))
