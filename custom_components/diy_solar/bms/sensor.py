"""Battery values a BMS reports, per-cell voltages, and charge/discharge energy."""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity, SensorStateClass
from homeassistant.const import (
    PERCENTAGE,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfPower,
    UnitOfTemperature,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.typing import StateType

from ..drivers.bms import BmsStatus
from ..energy import EnergySensor, energy_description
from ..runtime import DiySolarConfigEntry
from ..values import ValueSensor, ValueSensorDescription, measurement
from .coordinator import coordinator_of

VOLT = UnitOfElectricPotential.VOLT
CELSIUS = UnitOfTemperature.CELSIUS
AMPERE_HOURS = "Ah"


def _cell_volts(
    key: str,
    fn: Callable[[BmsStatus], StateType],
    *,
    enabled: bool = True,
    translation_key: str | None = None,
    placeholders: dict[str, str] | None = None,
) -> ValueSensorDescription:
    return measurement(
        key,
        SensorDeviceClass.VOLTAGE,
        VOLT,
        fn,
        precision=3,
        enabled=enabled,
        translation_key=translation_key,
        placeholders=placeholders,
    )


SENSORS = (
    measurement("soc", SensorDeviceClass.BATTERY, PERCENTAGE, lambda s: s.soc),
    measurement("voltage", SensorDeviceClass.VOLTAGE, VOLT, lambda s: s.voltage, precision=2),
    measurement(
        "current", SensorDeviceClass.CURRENT, UnitOfElectricCurrent.AMPERE, lambda s: s.current
    ),
    measurement("power", SensorDeviceClass.POWER, UnitOfPower.WATT, lambda s: s.power),
    _cell_volts("cell_min", lambda s: s.cell_min),
    _cell_volts("cell_max", lambda s: s.cell_max),
    _cell_volts("cell_delta", lambda s: s.cell_delta),
    measurement("cell_min_index", None, None, lambda s: s.cell_min_index, diagnostic=True),
    measurement("cell_max_index", None, None, lambda s: s.cell_max_index, diagnostic=True),
    measurement(
        "cycles",
        None,
        None,
        lambda s: s.cycles,
        state_class=SensorStateClass.TOTAL_INCREASING,
    ),
    measurement("remaining_capacity", None, AMPERE_HOURS, lambda s: s.remaining_capacity),
)
# Only where the BMS reports them.
OPTIONAL_SENSORS = (
    measurement(
        "mosfet_temperature",
        SensorDeviceClass.TEMPERATURE,
        CELSIUS,
        lambda s: s.mosfet_temperature,
    ),
    measurement(
        "nominal_capacity",
        None,
        AMPERE_HOURS,
        lambda s: s.nominal_capacity,
        diagnostic=True,
        state_class=None,
    ),
    measurement(
        "cycle_capacity",
        None,
        AMPERE_HOURS,
        lambda s: s.cycle_capacity,
        diagnostic=True,
        state_class=SensorStateClass.TOTAL_INCREASING,
    ),
)
ENERGY = (
    energy_description("charge_energy", lambda s: s.charge_power),
    energy_description("discharge_energy", lambda s: s.discharge_power),
)


def _reading(
    getter: Callable[[BmsStatus], tuple[float, ...]], index: int
) -> Callable[[BmsStatus], float | None]:
    def read(status: BmsStatus) -> float | None:
        values = getter(status)
        return values[index] if index < len(values) else None

    return read


def cell_sensors(cells: int) -> list[ValueSensorDescription]:
    """One voltage per cell, off by default: a 16S pack would add 16 entities."""
    return [
        _cell_volts(
            f"cell_{n}_voltage",
            _reading(lambda s: s.cell_voltages, n - 1),
            enabled=False,
            translation_key="cell_voltage",
            placeholders={"cell": str(n)},
        )
        for n in range(1, cells + 1)
    ]


def temperature_sensors(probes: int) -> list[ValueSensorDescription]:
    return [
        measurement(
            f"temperature_{n}",
            SensorDeviceClass.TEMPERATURE,
            CELSIUS,
            _reading(lambda s: s.temperatures, n - 1),
            translation_key="temperature_probe",
            placeholders={"probe": str(n)},
        )
        for n in range(1, probes + 1)
    ]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DiySolarConfigEntry,
    async_add_entities: AddEntitiesCallback,
) -> None:
    coordinator = coordinator_of(entry)
    status = coordinator.data.status
    descriptions = [
        *SENSORS,
        *(d for d in OPTIONAL_SENSORS if d.value_fn(status) is not None),
        *temperature_sensors(len(status.temperatures)),
        *cell_sensors(len(status.cell_voltages)),
    ]
    entities: list[SensorEntity] = [ValueSensor(coordinator, d) for d in descriptions]
    entities += [EnergySensor(coordinator, d) for d in ENERGY]
    async_add_entities(entities)
