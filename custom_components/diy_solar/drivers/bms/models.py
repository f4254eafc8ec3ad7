"""The status of a battery as a BMS reports it, in one shape for every BMS family."""

from __future__ import annotations

from dataclasses import dataclass, field


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
