"""The status of a battery as a BMS reports it, in one shape for every BMS family."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .exceptions import BmsFrameError

# What any pack on a DIY Solar system can read; outside it, the frame is wrong.
CELL_VOLTS = (0.5, 5.0)
CELSIUS = (-40.0, 125.0)
MAX_AMPS = 2000.0
MAX_AH = 10_000.0


def _within(value: float, low: float, high: float, what: str) -> None:
    if not low <= value <= high:
        raise BmsFrameError(f"{what} {value:g} outside {low:g}..{high:g}")


@dataclass(frozen=True)
class BmsStatus:
    """Volts, amperes (positive = charging), °C, Ah; None where the BMS does not say."""

    cell_voltages: tuple[float, ...]
    voltage: float
    current: float
    soc: float
    charge_mosfet: bool
    discharge_mosfet: bool
    balancing: bool
    # Active alarms by the names the family's driver gives its alarm bits.
    alarms: frozenset[str]
    # Battery temperature probes in the BMS's order.
    temperatures: tuple[float, ...] = ()
    mosfet_temperature: float | None = None
    remaining_capacity: float | None = None
    nominal_capacity: float | None = None
    cycles: int | None = None
    cycle_capacity: float | None = None
    device_id: str | None = None
    software_version: str | None = None
    # Family-specific values that are shown in diagnostics only.
    extra: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """A reading no battery can give is a bad frame, never a value: the decoders of
        every family end here."""
        numbers = [*self.cell_voltages, self.voltage, self.current, self.soc, *self.temperatures]
        for value in (*numbers, self.mosfet_temperature, self.remaining_capacity):
            if value is not None and not math.isfinite(value):
                raise BmsFrameError(f"{value} is not a reading")
        _within(self.soc, 0, 100, "state of charge")
        _within(abs(self.current), 0, MAX_AMPS, "current")
        if not self.cell_voltages:
            raise BmsFrameError("no cell voltages")
        for volts in self.cell_voltages:
            # 0.000 V: a cell whose sense wire is not connected, as real packs report it.
            if volts != 0:
                _within(volts, *CELL_VOLTS, "cell voltage")
        total = sum(self.cell_voltages)
        if abs(self.voltage - total) > max(2.0, 0.1 * total):
            raise BmsFrameError(f"pack voltage {self.voltage} V, its cells add up to {total} V")
        for celsius in (*self.temperatures, self.mosfet_temperature):
            if celsius is not None:
                _within(celsius, *CELSIUS, "temperature")
        if self.remaining_capacity is not None:
            _within(self.remaining_capacity, 0, MAX_AH, "remaining capacity")

    @property
    def power(self) -> float:
        return round(self.voltage * self.current, 1)

    @property
    def charge_power(self) -> float:
        return max(0.0, self.power)

    @property
    def discharge_power(self) -> float:
        return max(0.0, -self.power)

    @property
    def cell_min(self) -> float | None:
        return min(self.cell_voltages, default=None)

    @property
    def cell_max(self) -> float | None:
        return max(self.cell_voltages, default=None)

    @property
    def cell_delta(self) -> float | None:
        if not self.cell_voltages:
            return None
        return round(max(self.cell_voltages) - min(self.cell_voltages), 3)

    @property
    def cell_min_index(self) -> int | None:
        """1-based number of the lowest cell."""
        if not self.cell_voltages:
            return None
        return self.cell_voltages.index(min(self.cell_voltages)) + 1

    @property
    def cell_max_index(self) -> int | None:
        if not self.cell_voltages:
            return None
        return self.cell_voltages.index(max(self.cell_voltages)) + 1
