"""A battery as a BMS sees it: cells that follow a state of charge, and a BMS on a pty
that reports them, with alarms on demand and the line faults real setups show."""

from __future__ import annotations

import asyncio
from bisect import bisect_left
from dataclasses import dataclass, field
from enum import StrEnum

from .plant import Plant
from .pty import PtyDevice

# LiFePO4 open-circuit volts per cell against state of charge: flat in the middle,
# steep at both ends, where a weak cell shows first.
_OCV = (
    (0.0, 2.60),
    (0.05, 3.00),
    (0.10, 3.20),
    (0.20, 3.25),
    (0.40, 3.29),
    (0.60, 3.31),
    (0.80, 3.33),
    (0.90, 3.35),
    (0.95, 3.40),
    (1.0, 3.55),
)
CELL_RESISTANCE = 0.0005  # ohm, so 100 A moves a cell by 50 mV


def open_circuit_voltage(soc: float) -> float:
    soc = min(1.0, max(0.0, soc))
    i = max(1, bisect_left([s for s, _ in _OCV], soc))
    (s0, v0), (s1, v1) = _OCV[i - 1], _OCV[i]
    return v0 + (v1 - v0) * (soc - s0) / (s1 - s0)


@dataclass
class CellModel:
    """Cells in series; with a plant, state of charge and current come from it."""

    cells: int = 16
    soc: float = 0.6
    current: float = 0.0  # amperes, positive while charging
    capacity_ah: float = 280.0
    plant: Plant | None = None
    weak_cell: int | None = None  # 1-based; this cell has less capacity than the rest
    weak_capacity: float = 0.8
    temperatures: list[float] = field(default_factory=lambda: [24.0, 25.0])
    mosfet_temperature: float = 31.0
    cycles: int = 12
    charge_mosfet: bool = True
    discharge_mosfet: bool = True

    def state_of_charge(self) -> float:
        return self.plant.soc if self.plant is not None else self.soc

    def __post_init__(self) -> None:
        if self.plant is not None:
            # One pack of the plant's battery: it carries its share of the current.
            self.plant.packs[id(self)] = self.capacity_ah

    def leave(self) -> None:
        """The pack is gone from the plant (its emulator closed)."""
        if self.plant is not None:
            self.plant.packs.pop(id(self), None)

    def amperes(self) -> float:
        if self.plant is None:
            return self.current
        share = self.plant.share(id(self))
        return round(self.plant.battery_w / self.plant.battery_voltage * share, 2)

    def cell_voltages(self) -> list[float]:
        soc, sag = self.state_of_charge(), self.amperes() * CELL_RESISTANCE
        voltages = []
        for cell in range(1, self.cells + 1):
            cell_soc = soc
            if cell == self.weak_cell:
                # Less capacity: it runs ahead of the others in both directions.
                cell_soc = 0.5 + (soc - 0.5) / self.weak_capacity
            voltages.append(round(open_circuit_voltage(cell_soc) + sag, 3))
        return voltages

    def voltage(self) -> float:
        return round(sum(self.cell_voltages()), 2)

    def remaining_ah(self) -> float:
        return round(self.capacity_ah * self.state_of_charge(), 2)

    def balancing(self) -> bool:
        voltages = self.cell_voltages()
        return max(voltages) > 3.4 and max(voltages) - min(voltages) > 0.01


class LineFault(StrEnum):
    NONE = "none"
    BAD_CHECKSUM = "bad_checksum"
    ECHO = "echo"  # only the request comes back, as on a broken half-duplex adapter
    ECHO_THEN_REPLY = "echo_then_reply"  # a working half-duplex adapter hears itself
    SILENCE = "silence"
    PARTIAL = "partial"  # the reply stops half way
    DUPLICATE = "duplicate"  # the reply sent twice
    LATE = "late"  # the reply after late_s, later than a client waits


class BmsEmulator(PtyDevice):
    """A BMS on a pty; subclasses encode the battery in their family's frames."""

    def __init__(self, battery: CellModel | None = None) -> None:
        super().__init__()
        self.battery = battery or CellModel()
        self.fault = LineFault.NONE
        self.late_s = 0.5
        self.alarms: set[str] = set()
        self.requests: list[bytes] = []

    def reply(self, request: bytes) -> bytes | None:
        """The family's whole reply to request, or None when it would not answer."""
        raise NotImplementedError

    def close(self) -> None:
        self.battery.leave()
        super().close()

    async def answer(self, request: bytes) -> bytes | None:
        self.requests.append(request)
        match self.fault:
            case LineFault.SILENCE:
                return None
            case LineFault.ECHO:
                return request
        response = self.reply(request)
        if response is None:
            return None
        match self.fault:
            case LineFault.BAD_CHECKSUM:
                return response[:-1] + bytes([response[-1] ^ 0x5A])
            case LineFault.PARTIAL:
                return response[: len(response) // 2]
            case LineFault.ECHO_THEN_REPLY:
                return request + response
            case LineFault.DUPLICATE:
                return response + response
            case LineFault.LATE:
                await asyncio.sleep(self.late_s)
        return response
