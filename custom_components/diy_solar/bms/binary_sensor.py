"""MOSFET and balancing state, and every alarm the BMS family defines."""

from __future__ import annotations

from homeassistant.components.binary_sensor import BinarySensorDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from ..const import DeviceType
from ..drivers import dalybms, jkbms
from ..runtime import DiySolarConfigEntry
from ..values import ValueBinarySensor, ValueBinarySensorDescription
from .coordinator import coordinator_of

ALARMS = {DeviceType.JK_BMS: jkbms.ALARMS, DeviceType.DALY_BMS: dalybms.ALARMS}


def _state(key: str) -> ValueBinarySensorDescription:
    return ValueBinarySensorDescription(
        key=key,
        translation_key=key,
        device_class=BinarySensorDeviceClass.RUNNING if key == "balancing" else None,
        value_fn=lambda s: bool(getattr(s, key)),
    )


BALANCING = _state("balancing")
# A Daly shows these as switches instead.
MOSFETS = (_state("charge_mosfet"), _state("discharge_mosfet"))
ANY_ALARM = ValueBinarySensorDescription(
    key="alarm",
    translation_key="alarm",
    device_class=BinarySensorDeviceClass.PROBLEM,
    value_fn=lambda s: bool(s.alarms),
)


def alarm(name: str) -> ValueBinarySensorDescription:
    return ValueBinarySensorDescription(
        key=f"alarm_{name}",
        translation_key=f"alarm_{name}",
        device_class=BinarySensorDeviceClass.PROBLEM,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda s: name in s.alarms,
    )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DiySolarConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    coordinator = coordinator_of(entry)
    descriptions = [BALANCING, ANY_ALARM]
    if coordinator.device_type is DeviceType.JK_BMS:
        descriptions += MOSFETS
    descriptions += [alarm(name) for name in ALARMS[coordinator.device_type]]
    async_add_entities(ValueBinarySensor(coordinator, d) for d in descriptions)
