"""What each Mean Well model allows, and the typed readings the client returns.

Limits per model are the ranges given for the BIC-2200 and NPB series (charge voltage
and current, and for the BIC the reverse, discharge, direction).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .exceptions import MeanWellProtocolError
from .protocol import (
    EEP_OFF,
    ChargeStatus,
    Command,
    Family,
    FaultStatus,
    Scaling,
    SystemStatus,
    decode_raw,
    scale_for,
)


@dataclass(frozen=True)
class Range:
    minimum: float
    maximum: float

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int | float) and self.minimum <= value <= self.maximum


@dataclass(frozen=True)
class ModelLimits:
    model: str
    family: Family
    nominal_voltage: int
    rated_power: int
    charge_voltage: Range
    charge_current: Range
    discharge_voltage: Range | None = None
    discharge_current: Range | None = None


def _bic(volts: int, v: tuple[float, float], charge_a: float, discharge_a: float) -> ModelLimits:
    return ModelLimits(
        f"BIC-2200-{volts}",
        Family.BIC,
        volts,
        2160,
        Range(*v),
        Range(0.0, charge_a),
        Range(*v),
        Range(0.0, discharge_a),
    )


def _npb(watts: int, volts: int, v: tuple[float, float], a: tuple[float, float]) -> ModelLimits:
    return ModelLimits(f"NPB-{watts}-{volts}", Family.NPB, volts, watts, Range(*v), Range(*a))


_NPB_V = {12: (10.5, 21.0), 24: (21.0, 42.0), 48: (42.0, 80.0)}
_NPB_A = {
    450: {12: (5.0, 25.0), 24: (2.7, 13.5), 48: (1.36, 6.8)},
    750: {12: (8.6, 43.0), 24: (4.5, 22.5), 48: (2.26, 11.3)},
    1200: {12: (14.0, 70.0), 24: (7.2, 36.0), 48: (3.6, 18.0)},
    1700: {12: (17.0, 85.0), 24: (10.0, 50.0), 48: (5.0, 25.0)},
}

MODELS: dict[tuple[Family, int, int], ModelLimits] = {
    (Family.BIC, 2200, 12): _bic(12, (10.0, 15.0), 180.0, 150.0),
    (Family.BIC, 2200, 24): _bic(24, (19.0, 28.0), 90.0, 75.0),
    (Family.BIC, 2200, 48): _bic(48, (38.0, 65.0), 45.0, 37.5),
    (Family.BIC, 2200, 96): _bic(96, (76.0, 112.0), 22.5, 18.75),
}
MODELS.update(
    {
        (Family.NPB, watts, volts): _npb(watts, volts, _NPB_V[volts], amps)
        for watts, by_volts in _NPB_A.items()
        for volts, amps in by_volts.items()
    }
)
# The 12 V NPB-1200 tops out lower than its siblings.
MODELS[(Family.NPB, 1200, 12)] = _npb(1200, 12, (10.5, 17.5), (14.0, 70.0))

# "BIC-2200-48CAN", "NPB-1200-48", "NPB-0450-24": series, power, voltage.
_MODEL_RE = re.compile(r"(BIC|NPB)-0*(\d+)-(\d+)")


def limits_for(model: str) -> ModelLimits:
    match = _MODEL_RE.search(model.upper())
    if match is None:
        raise MeanWellProtocolError(f"not a BIC-2200 or NPB model: {model!r}")
    key = (Family(match[1].lower()), int(match[2]), int(match[3]))
    if key not in MODELS:
        raise MeanWellProtocolError(f"unknown Mean Well model: {model!r}")
    return MODELS[key]


# Beyond its rated range a charger's output only goes this far; a reading further out is
# a garbled frame, not a value.
_OUTPUT_MARGIN = 1.2


def reading_bounds(limits: ModelLimits) -> dict[Command, Range]:
    """What each measured value of this model can physically read."""
    amps = max(limits.charge_current.maximum, (limits.discharge_current or Range(0, 0)).maximum)
    amps *= _OUTPUT_MARGIN
    return {
        Command.READ_VOUT: Range(0.0, limits.charge_voltage.maximum * _OUTPUT_MARGIN),
        Command.READ_IOUT: Range(-amps if limits.family is Family.BIC else 0.0, amps),
        Command.READ_VIN: Range(0.0, 300.0),
        Command.READ_TEMPERATURE_1: Range(-40.0, 125.0),
        Command.READ_FAN_SPEED_1: Range(0.0, 30000.0),
        Command.READ_FAN_SPEED_2: Range(0.0, 30000.0),
    }


def decode_reading(command: Command, data: bytes, scaling: Scaling, limits: ModelLimits) -> float:
    """A reply's value bytes in volts, amps, rpm or °C; a protocol error if this model
    cannot read that."""
    factor = scale_for(command, scaling)
    if factor is None:
        raise MeanWellProtocolError(f"the device does not support {command.name}")
    value = round(decode_raw(command, data, limits.family) * factor, 3)
    bounds = reading_bounds(limits).get(command)
    if bounds is not None and value not in bounds:
        raise MeanWellProtocolError(
            f"{command.name} reads {value}, outside {bounds.minimum}..{bounds.maximum}"
        )
    return value


@dataclass(frozen=True)
class Identity:
    manufacturer: str
    model: str
    firmware: str
    serial_number: str


@dataclass(frozen=True)
class Readings:
    """One poll of a charger."""

    output_on: bool
    output_voltage: float
    output_current: float  # negative while a BIC discharges
    ac_voltage: float | None
    temperature: float | None
    fan_speeds: tuple[float, ...]
    faults: FaultStatus
    system_status: SystemStatus
    system_config: int
    discharging: bool | None  # None on an NPB (no direction)
    charge_status: ChargeStatus | None  # NPB only

    @property
    def eeprom_off(self) -> bool:
        """EEP_OFF is set (it takes effect after the next power cycle)."""
        return bool(self.system_config & EEP_OFF)

    @property
    def output_power(self) -> float:
        return round(self.output_voltage * self.output_current, 1)
