"""One battery from several packs in parallel (pure).

The bank's state of charge is what its packs hold over what they can hold (remaining Ah over
full Ah), not the mean of their percentages: a full 100 Ah pack beside an empty 280 Ah one is
a bank at 26 %, not 50 %. A pack without a fresh reading is left out of every figure and
named; without any pack there is no bank reading at all, never a made-up one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..drivers.bms import BmsStatus

# Below this state of charge a pack's full capacity is not taken from remaining / SOC.
_LEAST_SOC_FOR_CAPACITY = 5.0


@dataclass(frozen=True)
class Pack:
    name: str
    status: BmsStatus | None  # None: no fresh reading
    capacity_ah: float | None = None  # the user's figure, for a BMS that does not say


@dataclass(frozen=True)
class Extreme:
    volts: float
    pack: str


@dataclass(frozen=True)
class Bank:
    soc: float | None  # None: a counted pack's full capacity is unknown
    current: float  # A, positive while charging
    power: float  # W
    voltage: float  # the mean of the packs' voltages (they are in parallel)
    lowest_cell: Extreme | None
    highest_cell: Extreme | None
    largest_imbalance_mv: float | None  # the widest cell spread within one pack
    temperature_min: float | None
    temperature_max: float | None
    alarm: bool
    counted: int
    left_out: tuple[str, ...]


def full_capacity(pack: Pack) -> float | None:
    """Ah the pack holds when full: what its BMS says, else the user's figure, else what
    its remaining capacity and state of charge imply."""
    status = pack.status
    if status is None:
        return None
    if status.nominal_capacity:
        return status.nominal_capacity
    if pack.capacity_ah:
        return pack.capacity_ah
    if status.remaining_capacity is not None and status.soc >= _LEAST_SOC_FOR_CAPACITY:
        return status.remaining_capacity / (status.soc / 100)
    return None


def combine(packs: Sequence[Pack]) -> Bank | None:
    fresh = [(p, p.status) for p in packs if p.status is not None]
    if not fresh:
        return None
    fulls = [full_capacity(p) for p, _ in fresh]
    soc = None
    if all(f is not None for f in fulls):
        total = sum(f for f in fulls if f is not None)
        held = sum(s.soc / 100 * (f or 0.0) for (_, s), f in zip(fresh, fulls, strict=True))
        soc = round(held / total * 100, 1) if total > 0 else None
    cells = [(v, p.name) for p, s in fresh for v in s.cell_voltages if v]
    spreads = [max(c) - min(c) for _, s in fresh if (c := [v for v in s.cell_voltages if v])]
    temperatures = [t for _, s in fresh for t in s.temperatures]
    current = round(sum(s.current for _, s in fresh), 2)
    voltage = round(sum(s.voltage for _, s in fresh) / len(fresh), 2)
    return Bank(
        soc=soc,
        current=current,
        power=round(sum(s.current * s.voltage for _, s in fresh), 1),
        voltage=voltage,
        lowest_cell=Extreme(*min(cells)) if cells else None,
        highest_cell=Extreme(*max(cells)) if cells else None,
        largest_imbalance_mv=round(max(spreads) * 1000) if spreads else None,
        temperature_min=min(temperatures) if temperatures else None,
        temperature_max=max(temperatures) if temperatures else None,
        alarm=any(s.alarms for _, s in fresh),
        counted=len(fresh),
        left_out=tuple(p.name for p in packs if p.status is None),
    )
