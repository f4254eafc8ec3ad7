"""Output priority: whether an inverter runs its load from the battery (SBU) or from the
grid first, by state of charge, battery voltage, PV power and a time window (pure, time in).

The battery side is taken when the battery is well charged (and, if asked, the sun is up),
the grid side when it runs low, with a gap between the two levels and a least time between
switches, so a passing cloud does not switch it back and forth. A daily window (the cheap
tariff) puts the grid first whatever the battery. These are EEPROM settings on most
inverters: a daily budget of writes caps the wear, and past it the policy holds.

The policy compares what it wants with what the inverter reports, never with what it last
wrote: a change made on the inverter's panel is seen, and undone within the budget.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from .schedule import Window
from .stored import StoredState

OUTPUT = "output"
CHARGER = "charger"


class Source(StrEnum):
    BATTERY = "battery"
    GRID = "grid"


class Reason(StrEnum):
    STARTED = "started"
    BATTERY_LOW = "battery_low"
    BATTERY_RECOVERED = "battery_recovered"
    WINDOW = "window"
    WINDOW_ENDED = "window_ended"
    OVERRIDE = "override"
    STALE_HELD = "stale_held"
    STALE_GRID = "stale_grid"
    BUDGET_SPENT = "budget_spent"
    PAUSED = "paused"


@dataclass(frozen=True)
class Settings:
    grid_below_soc: float | None = 25.0
    battery_above_soc: float | None = 60.0
    grid_below_v: float | None = None
    battery_above_v: float | None = None
    # Back to the battery only with at least this much PV (0: whatever the sun).
    battery_min_pv_w: float = 0.0
    window: Window | None = None  # the grid first inside it
    min_dwell_s: float = 900.0
    daily_writes: int = 8
    stale_after_s: float = 300.0
    grid_when_stale: bool = False
    # What each side sets: the inverter's own option names; None leaves that setting alone.
    battery_output: str = "sbu"
    grid_output: str = "utility_first"
    battery_charger: str | None = None
    grid_charger: str | None = None


@dataclass
class State(StoredState):
    source: Source = Source.BATTERY
    reason: Reason = Reason.STARTED
    switched_at: float | None = None
    day: int = 0
    writes_today: int = 0
    paused_until: float | None = None
    override: Source | None = None
    override_until: float | None = None


@dataclass(frozen=True)
class Reading:
    now: float
    day: int  # local date ordinal: the budget is per day
    minute: int  # local minute of the day, for the window
    soc: float | None
    battery_v: float | None
    pv_w: float | None
    age_s: float  # the oldest of the readings the settings use
    # What the inverter reports now, by OUTPUT and CHARGER (None: unknown).
    current: dict[str, str | None]


@dataclass(frozen=True)
class Decision:
    state: State
    writes: dict[str, str]  # OUTPUT / CHARGER -> option to select


def _below(value: float | None, level: float | None) -> bool:
    return value is not None and level is not None and value <= level


def _above(value: float | None, level: float | None) -> bool:
    return value is not None and level is not None and value >= level


def _stale(settings: Settings, reading: Reading) -> bool:
    needed = [
        (
            reading.soc,
            settings.grid_below_soc is not None or settings.battery_above_soc is not None,
        ),
        (
            reading.battery_v,
            settings.grid_below_v is not None or settings.battery_above_v is not None,
        ),
        (reading.pv_w, settings.battery_min_pv_w > 0),
    ]
    missing = any(value is None for value, used in needed if used)
    return missing or reading.age_s > settings.stale_after_s


def _by_battery(settings: Settings, state: State, reading: Reading) -> tuple[Source, Reason]:
    """The side the levels call for, with the gap between them."""
    low = _below(reading.soc, settings.grid_below_soc) or _below(
        reading.battery_v, settings.grid_below_v
    )
    if low:
        return Source.GRID, Reason.BATTERY_LOW
    if state.source is Source.BATTERY:
        return Source.BATTERY, state.reason
    charged = _above(reading.soc, settings.battery_above_soc) or _above(
        reading.battery_v, settings.battery_above_v
    )
    sunny = settings.battery_min_pv_w <= 0 or (reading.pv_w or 0.0) >= settings.battery_min_pv_w
    if charged and sunny:
        return Source.BATTERY, Reason.BATTERY_RECOVERED
    if state.reason in (Reason.WINDOW, Reason.OVERRIDE):
        # Put on the grid by the clock, not by the battery: back once that is over.
        return Source.BATTERY, Reason.WINDOW_ENDED
    return Source.GRID, state.reason


def wanted_source(settings: Settings, state: State, reading: Reading) -> tuple[Source, Reason]:
    now = reading.now
    overriding = state.override_until is not None and now < state.override_until
    if state.override is not None and overriding:
        return state.override, Reason.OVERRIDE
    if settings.window is not None and settings.window.contains(reading.minute):
        return Source.GRID, Reason.WINDOW
    if _stale(settings, reading):
        if settings.grid_when_stale:
            return Source.GRID, Reason.STALE_GRID
        return state.source, Reason.STALE_HELD
    side, reason = _by_battery(settings, state, reading)
    dwelling = state.switched_at is not None and now - state.switched_at < settings.min_dwell_s
    # The least time between switches is for the levels; the end of a window or of an
    # override keeps its time (held past it, the reason would still say "override").
    by_clock = reason is Reason.WINDOW_ENDED or state.reason in (Reason.WINDOW, Reason.OVERRIDE)
    if side is not state.source and dwelling and not by_clock:
        return state.source, state.reason
    return side, reason


def _options(settings: Settings, side: Source) -> dict[str, str]:
    battery = side is Source.BATTERY
    wanted = {OUTPUT: settings.battery_output if battery else settings.grid_output}
    charger = settings.battery_charger if battery else settings.grid_charger
    if charger is not None:
        wanted[CHARGER] = charger
    return wanted


def step(settings: Settings, state: State, reading: Reading) -> Decision:
    now = reading.now
    state = replace(state)
    if state.day != reading.day:
        state.day, state.writes_today = reading.day, 0
    if state.override_until is not None and now >= state.override_until:
        state.override = state.override_until = None
    if state.paused_until is not None:
        if now < state.paused_until:
            state.reason = Reason.PAUSED
            return Decision(state, {})
        state.paused_until = None
    side, reason = wanted_source(settings, state, reading)
    if reason is Reason.STALE_HELD:
        state.reason = reason
        return Decision(state, {})
    writes = {
        key: option
        for key, option in _options(settings, side).items()
        if reading.current.get(key) != option
    }
    if writes and state.writes_today + len(writes) > settings.daily_writes:
        state.reason = Reason.BUDGET_SPENT
        return Decision(state, {})
    if side is not state.source:
        state.source, state.switched_at = side, now
    state.reason = reason
    state.writes_today += len(writes)
    return Decision(state, writes)


def pause(state: State, until: float) -> State:
    return replace(state, paused_until=until)


def resume(state: State) -> State:
    return replace(state, paused_until=None, override=None, override_until=None)


def override(state: State, side: Source, until: float) -> State:
    """The given side until then, whatever the battery (a tariff, a storm warning)."""
    return replace(state, override=side, override_until=until, paused_until=None)
