"""Zero export: hold the grid power at a target by charging or discharging the battery.

The command is one signed battery power (positive = discharge into the house, negative =
charge from the surplus); it is split over the chargers or the dischargers, never both.

What keeps it calm where simple loops hunt: it acts only on a meter sample taken after the
last command had time to show (the sample is newer than the command plus the meter's
lag), corrects in velocity form from the last command (so saturation never winds it up),
and writes only when the error leaves the deadband and the last write is old enough.

It never trusts its memory of a write: before each step the runner tells it what every
actuator is doing, as read back from the device (observe), and it works from that.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from .schedule import Window
from .stored import StoredState

# Commands that differ by less than this are the same command.
MIN_CHANGE_W = 1.0
MAX_BACKOFF = 3
# A lasting error smaller than this share of the deadband is left alone.
FINE_SHARE = 0.3
# A device doing more than this away from what it was told was changed by someone else
# (or reset, or did not take the write).
DIVERGED_W = 25.0
DIVERGED_SHARE = 0.05


class Status(StrEnum):
    REGULATING = "regulating"
    IDLE = "idle"
    BLOCKED_BY_SCHEDULE = "blocked_by_schedule"
    SOC_LIMIT = "soc_limit"
    CELL_LIMIT = "cell_limit"
    TEMPERATURE_LIMIT = "temperature_limit"
    BMS_STALE = "bms_stale"
    WRITE_BUDGET = "write_budget"
    STALE_METER = "stale_meter"
    PAUSED = "paused"
    DISABLED = "disabled"


@dataclass(frozen=True)
class Actuator:
    """One charger or discharger and the most it may be told, in watts."""

    name: str
    max_w: float
    # Less than this it cannot do (a Mean Well's minimum current): asked for less, it is
    # switched off.
    min_w: float = 0.0


@dataclass(frozen=True)
class Settings:
    chargers: tuple[Actuator, ...] = ()
    dischargers: tuple[Actuator, ...] = ()
    target_w: float = 0.0  # grid power to hold, import positive
    offset_w: float = 0.0  # moves the target, e.g. to lean towards a little import
    deadband_w: float = 40.0
    # An error inside the deadband is corrected too once it has lasted: when its integral
    # since the last write reaches deadband_w x deadband_hold_s (a 15 W error after twice
    # the hold time), with its average as the error, which is steadier than one reading.
    deadband_hold_s: float = 16.0
    # Velocity-form PID per fresh meter sample: ki is the share of the error corrected
    # per sample (1.0 = all of it at once), kp and kd act on its changes.
    kp: float = 0.0
    ki: float = 1.0
    kd: float = 0.0
    max_charge_w: float = 2000.0
    max_discharge_w: float = 2000.0
    # 24 hourly limits (W) each; empty = the maximum all day.
    charge_profile: tuple[float, ...] = ()
    discharge_profile: tuple[float, ...] = ()
    discharge_blocks: tuple[Window, ...] = ()
    # Discharge starts only after import has lasted this long (a kettle is not worth it).
    min_discharge_burst_s: float = 0.0
    flap_window_s: float = 10.0
    soc_min: float | None = None  # stop discharging at or below
    soc_max: float | None = None  # stop charging at or above
    soc_hysteresis: float = 5.0
    soc_required: bool = False  # a SOC sensor is configured: no reading = no discharge
    # Battery protection from the BMS: stop at a cell voltage, resume past another.
    charge_stop_cell_v: float | None = None  # highest cell at or above: no charging
    charge_resume_cell_v: float | None = None  # ...until it is at or below this
    discharge_stop_cell_v: float | None = None  # lowest cell at or below: no discharging
    discharge_resume_cell_v: float | None = None  # ...until it is at or above this
    # Allowed battery temperatures (°C, inclusive) for each direction; None = no limit.
    charge_temperature: tuple[float, float] | None = None
    discharge_temperature: tuple[float, float] | None = None
    bms_required: bool = False  # BMS sensors are configured: stale ones block discharge
    meter_lag_s: float = 2.0  # meter latency plus the actuators' settling time
    stale_after_s: float = 30.0
    min_write_interval_s: float = 5.0
    ramp_w_per_s: float = 1000.0


@dataclass
class State(StoredState):
    """Everything the controller remembers; plain values so it can be stored as JSON."""

    command_w: float = 0.0
    commands: dict[str, float] = field(default_factory=dict)
    command_at: float | None = None
    used_sample_at: float | None = None
    error_1: float | None = None
    error_2: float | None = None
    # Error integral (W·s) and its duration since the last write, for the deadband rule.
    error_ws: float = 0.0
    error_s: float = 0.0
    import_since: float | None = None
    discharge_blocked_by_soc: bool = False
    charge_blocked_by_soc: bool = False
    discharge_blocked_by_cell: bool = False
    charge_blocked_by_cell: bool = False
    # Actuators found doing something else than they were told, and how often that began.
    diverged: list[str] = field(default_factory=list)
    divergences: int = 0
    writes: int = 0
    backoff: int = 0
    last_direction: int = 0
    status: Status = Status.IDLE


@dataclass(frozen=True)
class Reading:
    """What the controller sees at one instant."""

    now: float  # seconds, any epoch, the same as sample_at
    minute_of_day: int  # local time, for profiles and block windows
    grid_w: float | None  # newest meter sample, import positive
    sample_at: float | None  # when that sample arrived
    soc: float | None = None
    # From the BMS (None: not configured or no reading).
    max_cell_v: float | None = None
    min_cell_v: float | None = None
    temperatures: tuple[float, ...] = ()
    bms_fresh: bool = True


@dataclass(frozen=True)
class Decision:
    state: State
    # Per actuator watts to write now; None = write nothing.
    commands: dict[str, float] | None


def _limit(maximum: float, profile: tuple[float, ...], hour: int) -> float:
    return max(0.0, min(maximum, profile[hour])) if profile else max(0.0, maximum)


def split(settings: Settings, command_w: float) -> dict[str, float]:
    """Per actuator watts for a signed command; the idle side gets 0."""
    active = settings.dischargers if command_w > 0 else settings.chargers
    total = sum(a.max_w for a in active)
    out = {a.name: 0.0 for a in (*settings.chargers, *settings.dischargers)}
    if total > 0 and command_w != 0:
        for actuator in active:
            out[actuator.name] = round(min(actuator.max_w, abs(command_w) * actuator.max_w / total))
    return out


def observe(
    settings: Settings,
    state: State,
    actual: Mapping[str, float],
    now: float,
    confirmed: frozenset[str] = frozenset(),
) -> State:
    """Take what each actuator is doing (watts, read back from the device; one that cannot
    be read counts as stopped) as the command the controller works from.

    Right after a write, a device (or its entity) may not show it yet: within the settling
    time the command it was told stands. An actuator that still does something else after
    that was changed by someone else, reset, or did not take the write: what it does is
    adopted, counted as a divergence, and regulated from. Actuators named in confirmed are
    read back right after every write, so they need no settling time.
    """
    state = replace(state, diverged=list(state.diverged), commands=dict(state.commands))
    settle = max(settings.meter_lag_s, settings.min_write_interval_s)
    settled = state.command_at is None or now - state.command_at >= settle
    names = [a.name for a in (*settings.chargers, *settings.dischargers)]
    for name in names:
        told, doing = state.commands.get(name, 0.0), actual.get(name, 0.0)
        apart = abs(doing - told) > max(DIVERGED_W, DIVERGED_SHARE * abs(told))
        if apart and (settled or name in confirmed):
            if name not in state.diverged:
                state.diverged.append(name)
                state.divergences += 1
            state.commands[name] = doing
        elif not apart and name in state.diverged:
            state.diverged.remove(name)
    state.commands = {name: state.commands.get(name, 0.0) for name in names}
    state.command_w = sum(state.commands[a.name] for a in settings.dischargers) - sum(
        state.commands[a.name] for a in settings.chargers
    )
    return state


def _battery_blocks(settings: Settings, state: State, reading: Reading) -> None:
    """The SOC and cell-voltage limits, each released only past its hysteresis."""
    _soc_blocks(settings, state, reading.soc)
    high, low = reading.max_cell_v, reading.min_cell_v
    if settings.charge_stop_cell_v is not None and high is not None:
        resume = settings.charge_resume_cell_v or settings.charge_stop_cell_v
        if high >= settings.charge_stop_cell_v:
            state.charge_blocked_by_cell = True
        elif high <= resume:
            state.charge_blocked_by_cell = False
    if settings.discharge_stop_cell_v is not None and low is not None:
        resume = settings.discharge_resume_cell_v or settings.discharge_stop_cell_v
        if low <= settings.discharge_stop_cell_v:
            state.discharge_blocked_by_cell = True
        elif low >= resume:
            state.discharge_blocked_by_cell = False


def _outside(allowed: tuple[float, float] | None, temperatures: tuple[float, ...]) -> bool:
    return allowed is not None and any(not allowed[0] <= t <= allowed[1] for t in temperatures)


def _soc_blocks(settings: Settings, state: State, soc: float | None) -> None:
    if soc is None:
        state.discharge_blocked_by_soc = settings.soc_required
        return
    if settings.soc_min is not None:
        if soc <= settings.soc_min:
            state.discharge_blocked_by_soc = True
        elif soc >= settings.soc_min + settings.soc_hysteresis:
            state.discharge_blocked_by_soc = False
    if settings.soc_max is not None:
        if soc >= settings.soc_max:
            state.charge_blocked_by_soc = True
        elif soc <= settings.soc_max - settings.soc_hysteresis:
            state.charge_blocked_by_soc = False


def _limits(
    settings: Settings, state: State, reading: Reading
) -> tuple[float, float, Status | None, Status | None]:
    """Most charge and discharge allowed now, and why a direction is shut (the status
    while the demand points that way); the battery's own limits win over the rest."""
    minute_of_day = reading.minute_of_day
    hour = minute_of_day // 60
    max_discharge = _limit(
        min(settings.max_discharge_w, sum(a.max_w for a in settings.dischargers)),
        settings.discharge_profile,
        hour,
    )
    max_charge = _limit(
        min(settings.max_charge_w, sum(a.max_w for a in settings.chargers)),
        settings.charge_profile,
        hour,
    )
    discharge_reason = charge_reason = None
    if any(w.contains(minute_of_day) for w in settings.discharge_blocks):
        max_discharge, discharge_reason = 0.0, Status.BLOCKED_BY_SCHEDULE
    if state.discharge_blocked_by_soc:
        max_discharge, discharge_reason = 0.0, Status.SOC_LIMIT
    if state.charge_blocked_by_soc:
        max_charge, charge_reason = 0.0, Status.SOC_LIMIT
    if state.discharge_blocked_by_cell:
        max_discharge, discharge_reason = 0.0, Status.CELL_LIMIT
    if state.charge_blocked_by_cell:
        max_charge, charge_reason = 0.0, Status.CELL_LIMIT
    if _outside(settings.discharge_temperature, reading.temperatures):
        max_discharge, discharge_reason = 0.0, Status.TEMPERATURE_LIMIT
    if _outside(settings.charge_temperature, reading.temperatures):
        max_charge, charge_reason = 0.0, Status.TEMPERATURE_LIMIT
    if settings.bms_required and not reading.bms_fresh:
        max_discharge, discharge_reason = 0.0, Status.BMS_STALE
    return max_charge, max_discharge, charge_reason, discharge_reason


def _write(state: State, settings: Settings, command_w: float, now: float) -> Decision:
    commands = split(settings, command_w)
    # A change that reverses the last one soon after it (a washing machine's pulses, a
    # cooker plate's thermostat) doubles the wait before the next increase, up to 2^3;
    # a change after a calm spell starts over.
    direction = 1 if command_w > state.command_w else -1
    quick = state.command_at is not None and now - state.command_at < settings.flap_window_s
    if quick and direction != state.last_direction:
        state.backoff = min(MAX_BACKOFF, state.backoff + 1)
    elif not quick:
        state.backoff = 0
    state.last_direction = direction
    changed = sum(
        1 for name, watts in commands.items() if abs(state.commands.get(name, 0.0) - watts) >= 1
    )
    state.writes += changed
    state.commands = commands
    state.command_w = sum(commands[a.name] for a in settings.dischargers) - sum(
        commands[a.name] for a in settings.chargers
    )
    state.command_at = now
    state.error_ws = state.error_s = 0.0
    return Decision(state, commands)


def safe_stop(settings: Settings, state: State, reading: Reading, status: Status) -> Decision:
    """Everything to 0 W at once: no deadband, write interval or ramp holds this back."""
    state = replace(state, status=status, error_1=None, error_2=None, import_since=None)
    if abs(state.command_w) < MIN_CHANGE_W and not any(state.commands.values()):
        return Decision(state, None)
    return _write(state, settings, 0.0, reading.now)


def _between_samples(
    settings: Settings,
    state: State,
    limits: tuple[float, float, Status | None, Status | None],
    now: float,
) -> Decision:
    """No fresh sample: nothing to regulate, but a command a limit now forbids is brought
    back inside it at once."""
    max_charge, max_discharge, charge_reason, discharge_reason = limits
    if not -max_charge <= state.command_w <= max_discharge:
        reason = charge_reason if state.command_w < 0 else discharge_reason
        state.status = reason or Status.REGULATING
        held = min(max_discharge, max(-max_charge, state.command_w))
        return _write(state, settings, held, now)
    if state.status in (Status.STALE_METER, Status.PAUSED, Status.DISABLED):
        state.status = _status(state.command_w)  # back to work, on the next reading
    return Decision(state, None)


def step(settings: Settings, state: State, reading: Reading) -> Decision:
    """One look at the meter: the new state, and what to write (if anything)."""
    now = reading.now
    if reading.grid_w is None or reading.sample_at is None:
        return safe_stop(settings, state, reading, Status.STALE_METER)
    if now - reading.sample_at > settings.stale_after_s:
        return safe_stop(settings, state, reading, Status.STALE_METER)
    state = replace(state)
    # The battery's limits act on every look, not only on a fresh meter sample.
    _battery_blocks(settings, state, reading)
    max_charge, max_discharge, charge_reason, discharge_reason = _limits(settings, state, reading)
    fresh = (state.used_sample_at is None or reading.sample_at > state.used_sample_at) and (
        state.command_at is None or reading.sample_at >= state.command_at + settings.meter_lag_s
    )
    if not fresh:
        limits = (max_charge, max_discharge, charge_reason, discharge_reason)
        return _between_samples(settings, state, limits, now)
    since = reading.sample_at - (
        reading.sample_at if state.used_sample_at is None else state.used_sample_at
    )
    state.used_sample_at = reading.sample_at

    goal = settings.target_w + settings.offset_w
    # Import lasting long enough is what allows a discharge to start.
    if reading.grid_w > goal + settings.deadband_w:
        state.import_since = state.import_since if state.import_since is not None else now
    else:
        state.import_since = None
    instant = error = reading.grid_w - goal

    outside_limits = not -max_charge <= state.command_w <= max_discharge
    if abs(error) <= settings.deadband_w and not outside_limits:
        state.error_ws += instant * since
        state.error_s += since
        average = state.error_ws / state.error_s if state.error_s else 0.0
        if (
            abs(state.error_ws) < settings.deadband_w * settings.deadband_hold_s
            or abs(average) < settings.deadband_w * FINE_SHARE
        ):
            state.error_1 = state.error_2 = None
            state.status = _status(state.command_w)
            return Decision(state, None)
        # A small error that lasted: correct its average, once.
        error = average

    e1 = state.error_1 if state.error_1 is not None else error
    e2 = state.error_2 if state.error_2 is not None else e1
    delta = settings.kp * (error - e1) + settings.ki * error + settings.kd * (error - 2 * e1 + e2)
    state.error_2, state.error_1 = e1, error
    raw = state.command_w + delta
    wanted = min(max_discharge, max(-max_charge, raw))
    if wanted > 0 >= state.command_w:
        waited = now - state.import_since if state.import_since is not None else 0.0
        if waited < settings.min_discharge_burst_s:
            wanted = 0.0
    if state.command_at is not None and not outside_limits:
        step_max = settings.ramp_w_per_s * max(0.0, now - state.command_at)
        wanted = min(state.command_w + step_max, max(state.command_w - step_max, wanted))
    wanted = _doable(settings, wanted)
    state.status = _status(wanted)
    if raw > max_discharge and discharge_reason is not None:
        state.status = discharge_reason
    elif raw < -max_charge and charge_reason is not None:
        state.status = charge_reason

    if abs(wanted - state.command_w) < MIN_CHANGE_W:
        return Decision(state, None)
    # Only more battery power waits for the write interval: less of it stops an export
    # (or a grid-fed charge) that nothing else would stop.
    wait = settings.min_write_interval_s * 2**state.backoff
    recent = state.command_at is not None and now - state.command_at < wait
    if recent and abs(wanted) > abs(state.command_w) and not outside_limits:
        return Decision(state, None)
    return _write(state, settings, wanted, now)


def _doable(settings: Settings, command_w: float) -> float:
    """A command below what the actuators can do becomes the nearer of off and their
    minimum."""
    active = settings.dischargers if command_w > 0 else settings.chargers
    least = min((a.min_w for a in active), default=0.0)
    if abs(command_w) >= least:
        return command_w
    return 0.0 if abs(command_w) < least / 2 else math.copysign(least, command_w)


def _status(command_w: float) -> Status:
    return Status.REGULATING if abs(command_w) >= MIN_CHANGE_W else Status.IDLE
