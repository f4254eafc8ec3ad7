"""Grid connect: when to close the contactor that feeds the grid into the inverter's AC
input (pure, time in).

It connects when the battery voltage has stayed below a threshold for a while (and, given
the battery current, while the bank was discharging: a low voltage while charging is not an
empty battery) and the grid is nominal: voltage and frequency inside their bands, readings
fresh, and with three phases given, no more apart than allowed. It disconnects when the
battery has stayed above a second threshold for a while, or at once when the grid is not
nominal. With stale battery data it keeps the contactor as it is, or, with the fail-safe
option, connects the grid.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from .stored import StoredState


class Reason(StrEnum):
    BATTERY_LOW = "battery_low"
    BATTERY_RECOVERED = "battery_recovered"
    GRID_NOT_NOMINAL = "grid_not_nominal"
    GRID_STALE = "grid_stale"
    PHASES_UNBALANCED = "phases_unbalanced"
    STALE_FAILSAFE = "stale_failsafe"
    STALE_KEPT = "stale_kept"
    STARTED = "started"
    PAUSED = "paused"  # shown while the owner pauses the policy: the contactor is left alone


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
    grid_stale_after_s: float = 60.0
    max_asymmetry_v: float | None = None  # between the phases, when three are given
    # Discharging means a battery current below this (A, negative while discharging).
    discharging_below_a: float = -1.0


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
    grid_age_s: float = 0.0  # the older of the grid voltage and frequency readings
    battery_a: float | None = None  # positive while charging; None = no current sensor
    phases: tuple[float | None, ...] = ()  # the other phases' voltages, where given


def _inside(value: float | None, band: tuple[float, float]) -> bool:
    return value is not None and band[0] <= value <= band[1]


def _bad_grid(settings: Settings, reading: Reading) -> Reason | None:
    """Why the grid may not be connected now; None when it is nominal."""
    if reading.grid_age_s > settings.grid_stale_after_s:
        return Reason.GRID_STALE
    voltages = (reading.grid_v, *reading.phases)
    if not all(_inside(v, settings.grid_voltage) for v in voltages) or not _inside(
        reading.grid_hz, settings.grid_frequency
    ):
        return Reason.GRID_NOT_NOMINAL
    present = [v for v in voltages if v is not None]
    spread = max(present) - min(present)
    if settings.max_asymmetry_v is not None and spread > settings.max_asymmetry_v:
        return Reason.PHASES_UNBALANCED
    return None


def hold(state: State, connected: bool | None) -> State:
    """Paused: hands off the contactor. The policy takes it as it finds it (connected, as
    read from the relay; None: unknown, kept as it was), so the end of a pause does not
    undo what the owner switched by hand; the low and high timers start again after it."""
    if connected is None:
        connected = state.connected
    return replace(state, connected=connected, below_since=None, above_since=None)


def step(settings: Settings, state: State, reading: Reading) -> State:
    now = reading.now
    state = replace(state)
    bad_grid = _bad_grid(settings, reading)
    state.stale = reading.battery_v is None or reading.battery_age_s > settings.stale_after_s
    if bad_grid is not None:
        if state.connected:
            state.connected, state.reason = False, bad_grid
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
    charging = reading.battery_a is not None and reading.battery_a >= settings.discharging_below_a
    if volts >= settings.connect_below_v or charging:
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
