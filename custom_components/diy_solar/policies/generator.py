"""Generator auto-start: when to close the relay that runs a generator (pure, time in).

The generator runs on a two-wire start input (a Magnum ME-AGS-N through an ME-PT2, or any
such input): relay closed = run. Starts on low state of charge (or low battery voltage for
a while), stops on high state of charge once it has run its minimum time; quiet hours have
their own levels; a cool-down follows each stop. With running feedback, a start that does
not show within the start time is stopped and tried again, then reported as failed. With
every state of charge source stale (and no fresh voltage), it neither starts nor stops: it
does not act on guesses.

The bank comes first. The rules, in the order they are applied:
1. Failed starts wait for a person.
2. At or below the critical SOC (or the critical voltage) a start is always allowed: quiet
   hours, the daily number of starts and the cool-down do not hold it back.
3. Otherwise: the cool-down, the quiet hours' own levels, the daily number of starts; then
   low SOC, low voltage for a while, or an exercise run starts it.
Running: a manual or exercise run ends at its time; the maximum run time stops it, unless
the bank is critical then: the run is extended (reported) until the stop level or the hard
ceiling; after the minimum run, the stop level stops it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from .schedule import Window
from .stored import StoredState


class Phase(StrEnum):
    OFF = "off"
    STARTING = "starting"
    RUNNING = "running"
    COOLING_DOWN = "cooling_down"
    FAILED = "failed"


class Status(StrEnum):
    """What the status sensor shows: the phase, or quiet hours while off in them."""

    OFF = "off"
    STARTING = "starting"
    RUNNING = "running"
    COOLING_DOWN = "cooling_down"
    QUIET_HOURS = "quiet_hours"
    FAILED = "failed"
    PAUSED = "paused"  # shown while the owner pauses the policy: stopped, started for nothing


class Reason(StrEnum):
    LOW_SOC = "low_soc"
    LOW_VOLTAGE = "low_voltage"
    MANUAL = "manual"
    EXERCISE = "exercise"
    RETRY = "retry"
    CRITICAL = "critical"


@dataclass(frozen=True)
class Settings:
    start_soc: float = 20.0
    stop_soc: float = 80.0
    quiet_hours: Window | None = None
    quiet_start_soc: float = 10.0
    quiet_stop_soc: float = 50.0
    start_voltage: float | None = None  # start when at or below for start_voltage_s
    start_voltage_s: float = 300.0
    stop_voltage: float | None = None  # without a SOC source: stop at or above
    min_run_s: float = 1800.0
    max_run_s: float = 4 * 3600.0
    # At or below these, a start is always allowed and the maximum run does not stop it.
    critical_soc: float | None = 10.0
    critical_voltage: float | None = None
    max_run_hard_s: float = 12 * 3600.0  # no run lasts longer, critical or not
    service_interval_s: float = 0.0  # run time between services; 0 = no reminder
    cooldown_s: float = 900.0
    max_starts_per_day: int = 3
    feedback: bool = False  # a "generator running" input is configured
    start_timeout_s: float = 120.0
    retries: int = 2
    retry_delay_s: float = 60.0
    exercise_days: int = 0  # 0 = no exercise runs
    exercise_minute: int = 10 * 60
    exercise_s: float = 900.0
    stale_after_s: float = 600.0


@dataclass
class State(StoredState):
    phase: Phase = Phase.OFF
    reason: Reason | None = None
    started_at: float | None = None
    stopped_at: float | None = None
    manual_until: float | None = None
    attempts: int = 0  # failed starts in a row
    retry_pending: bool = False
    day: int = 0  # local date ordinal the daily counters belong to
    starts_today: int = 0
    run_s_today: float = 0.0
    total_run_s: float = 0.0
    last_exercise_day: int | None = None
    voltage_low_since: float | None = None
    last_at: float | None = None
    stale: bool = False
    critical: bool = False  # the bank was at or below a critical level at the last step
    extended: bool = False  # this run went past the maximum run time (critical bank)
    service_run_s: float = 0.0  # run time since the last service

    @property
    def relay_on(self) -> bool:
        return self.phase in (Phase.STARTING, Phase.RUNNING)


@dataclass(frozen=True)
class Reading:
    now: float
    day: int  # local date ordinal
    minute_of_day: int
    # (value, age in seconds) per SOC source in order of trust; None = no reading.
    socs: tuple[tuple[float, float] | None, ...] = ()
    voltage: tuple[float, float] | None = None
    running: bool | None = None  # the feedback input, None = none configured or unknown


def _fresh(value: tuple[float, float] | None, settings: Settings) -> float | None:
    if value is None or value[1] > settings.stale_after_s:
        return None
    return value[0]


def _stop(state: State, now: float) -> State:
    return replace(
        state,
        phase=Phase.COOLING_DOWN,
        stopped_at=now,
        manual_until=None,
        attempts=0,
        extended=False,
    )


def _start(settings: Settings, state: State, reading: Reading, reason: Reason) -> State:
    # Without feedback there is nothing to wait for: it runs once the relay closes.
    return replace(
        state,
        phase=Phase.STARTING if settings.feedback else Phase.RUNNING,
        reason=reason,
        started_at=reading.now,
        starts_today=state.starts_today + 1,
        last_exercise_day=reading.day,
        retry_pending=False,
    )


def start_manual(settings: Settings, state: State, reading: Reading, duration_s: float) -> State:
    """Run for duration_s from now (a running generator runs on until then)."""
    until = reading.now + duration_s
    if state.relay_on:
        return replace(state, manual_until=until, reason=Reason.MANUAL)
    started = _start(settings, replace(state, attempts=0), reading, Reason.MANUAL)
    return replace(started, manual_until=until)


def stop_manual(state: State, reading: Reading) -> State:
    if not state.relay_on:
        return replace(state, retry_pending=False)
    return _stop(state, reading.now)


def hold(state: State, reading: Reading) -> State:
    """Paused: a run stops, a pending retry is dropped, and a low voltage starts timing
    again once the pause ends (so the end of a pause is not a start at once)."""
    return replace(stop_manual(state, reading), voltage_low_since=None)


def service_due(settings: Settings, state: State) -> bool:
    return settings.service_interval_s > 0 and state.service_run_s >= settings.service_interval_s


def serviced(state: State) -> State:
    """The generator was serviced: the run time to the next service starts again."""
    return replace(state, service_run_s=0.0)


def _at_or_below(value: float | None, level: float | None) -> bool:
    return value is not None and level is not None and value <= level


def status(settings: Settings, state: State, minute_of_day: int) -> Status:
    if (
        state.phase is Phase.OFF
        and settings.quiet_hours
        and settings.quiet_hours.contains(minute_of_day)
    ):
        return Status.QUIET_HOURS
    return Status(state.phase.value)


def step(settings: Settings, state: State, reading: Reading) -> State:
    now = reading.now
    state = replace(state)
    if state.day != reading.day:
        state.day, state.starts_today, state.run_s_today = reading.day, 0, 0.0
    if state.relay_on and state.last_at is not None:
        ran = max(0.0, now - state.last_at)
        state.run_s_today += ran
        state.total_run_s += ran
        state.service_run_s += ran
    state.last_at = now

    soc = next((v for v in (_fresh(s, settings) for s in reading.socs) if v is not None), None)
    volts = _fresh(reading.voltage, settings)
    state.stale = soc is None and volts is None
    state.critical = _at_or_below(soc, settings.critical_soc) or _at_or_below(
        volts, settings.critical_voltage
    )
    if volts is not None and settings.start_voltage is not None and volts <= settings.start_voltage:
        if state.voltage_low_since is None:
            state.voltage_low_since = now
    else:
        state.voltage_low_since = None
    quiet = settings.quiet_hours is not None and settings.quiet_hours.contains(
        reading.minute_of_day
    )
    start_level = settings.quiet_start_soc if quiet else settings.start_soc
    stop_level = settings.quiet_stop_soc if quiet else settings.stop_soc

    if state.phase is Phase.STARTING:
        if not settings.feedback or reading.running:
            state.phase = Phase.RUNNING
        elif state.started_at is not None and now - state.started_at > settings.start_timeout_s:
            attempts = state.attempts + 1
            state = _stop(state, now)
            if attempts > settings.retries:
                return replace(state, phase=Phase.FAILED, attempts=attempts)
            return replace(state, attempts=attempts, retry_pending=True)

    if state.relay_on:
        return _running(settings, state, reading, soc=soc, volts=volts, stop_level=stop_level)

    if state.critical and state.phase in (Phase.OFF, Phase.COOLING_DOWN):
        return _start(settings, state, reading, Reason.CRITICAL)  # _start drops a pending retry

    if state.phase is Phase.COOLING_DOWN and state.stopped_at is not None:
        wait = settings.retry_delay_s if state.retry_pending else settings.cooldown_s
        if now - state.stopped_at < wait:
            return state
        if state.retry_pending:
            return _start(settings, state, reading, Reason.RETRY)
        state.phase = Phase.OFF

    if state.phase is not Phase.OFF or state.stale:
        return state  # failed waits for a person; stale data starts nothing
    if state.starts_today >= settings.max_starts_per_day:
        return state
    if soc is not None and soc <= start_level:
        return _start(settings, state, reading, Reason.LOW_SOC)
    if (
        state.voltage_low_since is not None
        and now - state.voltage_low_since >= settings.start_voltage_s
    ):
        return _start(settings, state, reading, Reason.LOW_VOLTAGE)
    if settings.exercise_days and reading.minute_of_day >= settings.exercise_minute:
        last = state.last_exercise_day
        if last is None or reading.day - last >= settings.exercise_days:
            return _start(settings, state, reading, Reason.EXERCISE)
    return state


def _running(
    settings: Settings,
    state: State,
    reading: Reading,
    *,
    soc: float | None,
    volts: float | None,
    stop_level: float,
) -> State:
    now = reading.now
    ran = 0.0 if state.started_at is None else now - state.started_at
    if ran >= settings.max_run_hard_s:
        return _stop(state, now)
    if ran >= settings.max_run_s and not state.extended:
        if not state.critical:
            return _stop(state, now)
        state.extended = True  # on until the stop level (or the hard ceiling)
    if state.manual_until is not None:
        return _stop(state, now) if now >= state.manual_until else state
    if state.reason is Reason.EXERCISE:
        return _stop(state, now) if ran >= settings.exercise_s else state
    if ran < settings.min_run_s or state.stale:
        return state
    full = (soc is not None and soc >= stop_level) or (
        soc is None
        and volts is not None
        and settings.stop_voltage is not None
        and volts >= settings.stop_voltage
    )
    return _stop(state, now) if full else state


def next_exercise_day(settings: Settings, state: State, today: int) -> int | None:
    """Local date ordinal of the next exercise run, None when there are none."""
    if not settings.exercise_days:
        return None
    if state.last_exercise_day is None:
        return today
    return max(today, state.last_exercise_day + settings.exercise_days)
