"""Grid connect: when to close the contactor that feeds the grid into the inverter's AC
input (pure, time in).

It connects when the battery voltage has stayed below a threshold for a while and the
grid is nominal (voltage and frequency inside their bands), and disconnects when the
battery has stayed above a second threshold for a while, or at once when the grid leaves
its bands. With stale battery data it keeps the contactor as it is, or, with the
fail-safe option, connects the grid.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from .stored import StoredState


class Reason(StrEnum):
    BATTERY_LOW = "battery_low"
    BATTERY_RECOVERED = "battery_recovered"
    GRID_NOT_NOMINAL = "grid_not_nominal"
    STALE_FAILSAFE = "stale_failsafe"
    STALE_KEPT = "stale_kept"
    STARTED = "started"


@dataclass(frozen=True)
class Settings:
    connect_below_v: float = 51.2
    connect_after_s: float = 240.0
    disconnect_above_v: float = 54.0
    disconnect_after_s: float = 600.0
    grid_voltage: tuple[float, float] = (207.0, 253.0)
    grid_frequency: tuple[float, float] = (49.5, 50.5)
    stale_after_s: float = 120.0
    connect_when_stale: bool = False


@dataclass
class State(StoredState):
    connected: bool = False
    reason: Reason = Reason.STARTED
    below_since: float | None = None
    above_since: float | None = None
    stale: bool = False


@dataclass(frozen=True)
class Reading:
    now: float
    battery_v: float | None
    battery_age_s: float
    grid_v: float | None
    grid_hz: float | None


def _inside(value: float | None, band: tuple[float, float]) -> bool:
    return value is not None and band[0] <= value <= band[1]


def step(settings: Settings, state: State, reading: Reading) -> State:
    now = reading.now
    state = replace(state)
    nominal = _inside(reading.grid_v, settings.grid_voltage) and _inside(
        reading.grid_hz, settings.grid_frequency
    )
    state.stale = reading.battery_v is None or reading.battery_age_s > settings.stale_after_s
    if not nominal:
        if state.connected:
            state.connected, state.reason = False, Reason.GRID_NOT_NOMINAL
        state.below_since = state.above_since = None
        return state
    if state.stale:
        state.below_since = state.above_since = None
        if settings.connect_when_stale:
            if not state.connected:
                state.connected, state.reason = True, Reason.STALE_FAILSAFE
        else:
            state.reason = Reason.STALE_KEPT
        return state
    volts = reading.battery_v
    assert volts is not None
    if volts >= settings.connect_below_v:
        state.below_since = None
    elif state.below_since is None:
        state.below_since = now
    if volts <= settings.disconnect_above_v:
        state.above_since = None
    elif state.above_since is None:
        state.above_since = now
    low_long = state.below_since is not None and now - state.below_since >= (
        settings.connect_after_s
    )
    high_long = state.above_since is not None and now - state.above_since >= (
        settings.disconnect_after_s
    )
    if not state.connected and low_long:
        state.connected, state.reason = True, Reason.BATTERY_LOW
    elif state.connected and high_long:
        state.connected, state.reason = False, Reason.BATTERY_RECOVERED
    return state
