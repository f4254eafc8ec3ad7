"""The Axpert's charger as its firmware behaves, over a lead-acid or LiFePO4 battery.

Stages: bulk (constant current up to the bulk voltage), absorption (constant voltage at
the bulk voltage), float (constant voltage at the float voltage). The flaw the smart
charging policy works around: absorption ends as soon as the current falls below a fifth of
the maximum charge current, whatever made it fall (a cloud, a kettle, or a full battery),
and the charger then floats for the rest of the day.
"""

from __future__ import annotations

from dataclasses import dataclass

from .battery import open_circuit_voltage

LEAD_ACID_CELLS = 24
LIFEPO4_CELLS = 16


@dataclass
class BatteryModel:
    """A 48 V bank: lead-acid (24 cells) or LiFePO4 (16 cells, one of them weaker)."""

    lithium: bool
    capacity_ah: float = 200.0
    soc: float = 0.5
    resistance: float = 0.05  # ohm, the whole bank (with its cables)
    weak_capacity: float = 0.97  # LiFePO4: one cell with this share of the others' capacity

    def _emf_lead_acid(self) -> float:
        # The charging voltage a lead-acid cell needs rises steeply near full: float
        # voltage stalls it in the low 90s, only absorption voltage finishes it.
        s = self.soc
        return LEAD_ACID_CELLS * (2.0 + 0.15 * s + 0.25 * s**4)

    def cell_voltages(self, amps: float) -> list[float]:
        """LiFePO4 cell voltages at this charge current (cell 1 is the weak one)."""
        per_cell_drop = amps * self.resistance / LIFEPO4_CELLS
        weak_soc = 0.5 + (self.soc - 0.5) / self.weak_capacity
        return [open_circuit_voltage(weak_soc) + per_cell_drop] + [
            open_circuit_voltage(self.soc) + per_cell_drop
        ] * (LIFEPO4_CELLS - 1)

    def emf(self) -> float:
        if self.lithium:
            return sum(self.cell_voltages(0.0))
        return self._emf_lead_acid()

    def acceptance(self, volts: float) -> float:
        """The current the battery takes when held at volts."""
        return max(0.0, (volts - self.emf()) / self.resistance)

    def terminal(self, amps: float) -> float:
        return self.emf() + amps * self.resistance

    def charge(self, amps: float, seconds: float) -> None:
        self.soc = min(1.0, self.soc + amps * seconds / 3600 / self.capacity_ah)


@dataclass
class ChargeFirmware:
    """The charger's stage logic. bulk_v, float_v and max_charge_a are its settings, which
    the policy changes the way a person would, through PI30 setting commands."""

    bulk_v: float = 57.6
    float_v: float = 54.0
    max_charge_a: float = 60.0
    stage: str = "bulk"
    day: int = -1

    def step(self, battery: BatteryModel, available_a: float, day: int) -> float:
        """The charge current over the next step; available_a is what PV can give now."""
        if day != self.day:
            self.day, self.stage = day, "bulk"
        limit = max(0.0, min(self.max_charge_a, available_a))
        if self.stage == "bulk":
            if battery.terminal(limit) < self.bulk_v:
                return limit
            self.stage = "absorption"
        if self.stage == "absorption":
            amps = min(limit, battery.acceptance(self.bulk_v))
            if amps < self.max_charge_a / 5:
                self.stage = "float"  # for the rest of the day
            else:
                return amps
        return min(limit, battery.acceptance(self.float_v))
