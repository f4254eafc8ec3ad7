"""A state of charge where no BMS reports one (pure, time in).

Coulomb counting with the bank's capacity and charge efficiency, corrected twice over:
- at full: the voltage held at the full-charge level while the current has fallen to the
  tail, for long enough, is 100 %;
- at rest: the current near zero for long enough, the voltage read off a rest-voltage table
  (per cell for LiFePO4 and lead-acid, or the user's own for the whole battery). A LiFePO4
  rests on a flat plateau, so its table corrects only at its ends (at or below 20 %, at or
  above 95 %), where a volt means something.
Without a current sensor the table at rest is all there is. It reports how long ago it was
last corrected and by how much, and whether another SOC source has drifted away from it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from .stored import StoredState

# Resting cell voltage -> SOC %, lowest first.
LIFEPO4 = (
    (2.50, 0.0),
    (3.00, 9.0),
    (3.10, 14.0),
    (3.20, 20.0),
    (3.25, 40.0),
    (3.30, 70.0),
    (3.32, 90.0),
    (3.35, 99.0),
    (3.40, 100.0),
)
LEAD_ACID = ((1.95, 0.0), (1.98, 20.0), (2.01, 40.0), (2.04, 60.0), (2.07, 80.0), (2.12, 100.0))
# Where a LiFePO4 table says something: off its plateau.
_PLATEAU = (20.0, 95.0)
# A gap in the readings longer than this is not counted across (the bank may have done
# anything meanwhile); the next rest or full corrects it.
MAX_GAP_S = 600.0


class Chemistry(StrEnum):
    LIFEPO4 = "lifepo4"
    LEAD_ACID = "lead_acid"


class Correction(StrEnum):
    NONE = "none"
    FULL = "full"
    REST = "rest"
    START = "start"


@dataclass(frozen=True)
class Settings:
    capacity_ah: float
    chemistry: Chemistry = Chemistry.LIFEPO4
    cells: int = 16
    full_voltage: float = 55.2  # the bank's voltage at full charge (absorption)
    tail_current_a: float = 5.0
    full_hold_s: float = 300.0
    charge_efficiency: float = 0.99
    rest_current_a: float = 1.0
    rest_s: float = 1800.0
    # (bank volts, SOC %) of the user's own table, lowest first; empty: the chemistry's.
    table: tuple[tuple[float, float], ...] = ()
    drift_pct: float = 10.0
    drift_s: float = 1800.0


@dataclass
class State(StoredState):
    soc: float | None = None
    last_at: float | None = None
    full_since: float | None = None
    rest_since: float | None = None
    corrected_at: float | None = None
    correction: Correction = Correction.NONE
    corrected_by: float = 0.0  # percentage points the last correction moved it
    drift_since: float | None = None
    drifting: bool = False


@dataclass(frozen=True)
class Reading:
    now: float
    voltage: float | None
    current: float | None  # A, positive while charging; None = no current sensor
    other_soc: float | None = None  # another source, to compare with


def interpolate(table: Sequence[tuple[float, float]], x: float) -> float:
    """The table's value at x, straight between its points, held at its ends."""
    xs = [point[0] for point in table]
    i = bisect_left(xs, x)
    if i == 0:
        return table[0][1]
    if i == len(table):
        return table[-1][1]
    (x0, y0), (x1, y1) = table[i - 1], table[i]
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0)


def rest_soc(settings: Settings, volts: float) -> float | None:
    """The state of charge the table gives for a resting voltage, None where it says
    nothing (a LiFePO4's plateau)."""
    if settings.table:
        return round(interpolate(settings.table, volts), 1)
    cell_table = LIFEPO4 if settings.chemistry is Chemistry.LIFEPO4 else LEAD_ACID
    soc = round(interpolate(cell_table, volts / settings.cells), 1)
    plateau = settings.chemistry is Chemistry.LIFEPO4 and _PLATEAU[0] < soc < _PLATEAU[1]
    return None if plateau else soc


def _correct(state: State, soc: float, how: Correction, now: float) -> State:
    moved = 0.0 if state.soc is None else round(soc - state.soc, 1)
    return replace(state, soc=soc, corrected_at=now, correction=how, corrected_by=moved)


def _since(start: float | None, now: float, holds: bool) -> float | None:
    if not holds:
        return None
    return now if start is None else start


def step(settings: Settings, state: State, reading: Reading) -> State:
    now, volts, amps = reading.now, reading.voltage, reading.current
    state = replace(state)
    if volts is None:
        state.last_at = None  # nothing to count across
        return state
    if state.soc is None:
        start = rest_soc(settings, volts)
        if start is None:  # on the plateau: the middle of it until something better
            start = 50.0
        state = _correct(state, start, Correction.START, now)
    elif amps is not None and state.last_at is not None and 0 < now - state.last_at <= MAX_GAP_S:
        hours = (now - state.last_at) / 3600
        gained = amps * hours * (settings.charge_efficiency if amps > 0 else 1.0)
        soc = (state.soc or 0.0) + gained / settings.capacity_ah * 100
        # Not rounded: a second's count at a small current is far below any rounding step,
        # and rounded each second it would never add up (the sensor rounds what it shows).
        state.soc = min(100.0, max(0.0, soc))
    state.last_at = now

    at_full = (
        amps is not None and volts >= settings.full_voltage and 0 <= amps <= settings.tail_current_a
    )
    state.full_since = _since(state.full_since, now, at_full)
    if state.full_since is not None and now - state.full_since >= settings.full_hold_s:
        # A resync even when the count is there already: the estimate is fresh again.
        state = _correct(state, 100.0, Correction.FULL, now)
        state.full_since = None

    resting = amps is None or abs(amps) <= settings.rest_current_a
    state.rest_since = _since(state.rest_since, now, resting)
    if state.rest_since is not None and now - state.rest_since >= settings.rest_s:
        table = rest_soc(settings, volts)
        if table is not None and state.soc is not None and abs(table - state.soc) >= 1.0:
            state = _correct(state, table, Correction.REST, now)
        state.rest_since = None

    other = reading.other_soc
    apart = (
        other is not None and state.soc is not None and abs(other - state.soc) > settings.drift_pct
    )
    state.drift_since = _since(state.drift_since, now, apart)
    state.drifting = state.drift_since is not None and now - state.drift_since >= settings.drift_s
    return state
