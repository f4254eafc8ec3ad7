"""MOSFET and balancing state, and every alarm the BMS family defines."""

from __future__ import annotations

from homeassistant.components.binary_sensor import BinarySensorDeviceClass
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from ..const import DeviceType
from ..drivers import dalybms, jkbms
from ..runtime import DiySolarConfigEntry
from ..values import ValueBinarySensor, ValueBinarySensorDescription, flag
from .coordinator import coordinator_of

ALARMS = {DeviceType.JK_BMS: jkbms.ALARMS, DeviceType.DALY_BMS: dalybms.ALARMS}


def _state(key: str) -> ValueBinarySensorDescription:
    return flag(
        key,
        lambda s: bool(getattr(s, key)),
        device_class=BinarySensorDeviceClass.RUNNING if key == "balancing" else None,
    )


BALANCING = _state("balancing")
# A Daly shows these as switches instead.
MOSFETS = (_state("charge_mosfet"), _state("discharge_mosfet"))
ANY_ALARM = flag("alarm", lambda s: bool(s.alarms), device_class=BinarySensorDeviceClass.PROBLEM)


def alarm(name: str) -> ValueBinarySensorDescription:
    return flag(
        f"alarm_{name}",
        lambda s: name in s.alarms,
        device_class=BinarySensorDeviceClass.PROBLEM,
        diagnostic=True,
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
