"""Smart charging for an Axpert: the absorption fix, and BMS-aware lithium charging (pure).

The Axpert firmware ends absorption as soon as the charge current it could deliver falls
below a fifth of its maximum (a cloud, a kettle) and floats for the rest of the day. The fix
(the GODENERG seed's): while charging, hold the float setting at the bulk voltage, so the
firmware's float keeps absorbing, and set the real float voltage back only once the tail
current, measured at the absorption voltage, has stayed low long enough — in steps, never in
one jump. Lithium: no absorption unless asked for (then the same tail-current end and stepped
float drop, the tail measured by the BMS where one is given); the maximum charge current
tapers as the highest cell nears its limit, and charging stops at a target SOC, a cell at its
limit or a temperature outside the charging range. Every current is one the inverter offers
(its QMCHGCR list), taken downwards.

The policy decides settings; writing them (and confirming them) is the runner's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from .stored import StoredState


class Chemistry(StrEnum):
    LEAD_ACID = "lead_acid"
    LITHIUM = "lithium"


class Phase(StrEnum):
    BULK = "bulk"
    ABSORPTION = "absorption"
    FLOAT = "float"
    RESTING = "resting"
    BLOCKED = "blocked"


class Reason(StrEnum):
    NEW_DAY = "new_day"
    REBULK = "rebulk"
    AT_ABSORPTION_VOLTAGE = "at_absorption_voltage"
    TAIL_CURRENT = "tail_current"
    MAX_ABSORPTION_TIME = "max_absorption_time"
    TARGET_SOC = "target_soc"
    CELL_LIMIT = "cell_limit"
    TEMPERATURE = "temperature"
    TEMPERATURE_OK = "temperature_ok"
    STALE = "stale"
    RESUMED = "resumed"
    MANUAL = "manual"
    PAUSED = "paused"  # shown while the owner pauses the policy: the charger is left alone


@dataclass(frozen=True)
class Settings:
    chemistry: Chemistry = Chemistry.LEAD_ACID
    absorption_v: float = 57.6
    float_v: float = 54.0
    tail_current_a: float = 5.0
    tail_s: float = 600.0
    max_absorption_s: float = 3 * 3600.0
    rebulk_v: float | None = 50.0
    rebulk_soc: float | None = None
    float_step_v: float = 0.3
    float_step_s: float = 60.0
    max_charge_a: float = 60.0
    min_charge_a: float = 10.0  # the lowest setting, where the inverter lists none
    # The maximum charge currents the inverter accepts (QMCHGCR), lowest first; empty: any
    # whole ampere from min_charge_a.
    allowed_charge_a: tuple[float, ...] = ()
    # Lithium with an absorption phase: held until the tail current, then float in steps.
    lithium_absorption: bool = False
    target_soc: float = 100.0
    cell_limit_v: float = 3.45
    taper_from_v: float = 3.40
    charge_temperature: tuple[float, float] = (0.0, 45.0)
    min_write_interval_s: float = 60.0
    stale_after_s: float = 120.0
    # How close to the absorption voltage counts as "at" it (a tail is only measured there).
    at_voltage_margin_v: float = 0.3


@dataclass
class State(StoredState):
    phase: Phase = Phase.BULK
    reason: Reason = Reason.NEW_DAY
    phase_since: float | None = None
    tail_since: float | None = None
    day: int = 0
    # What the inverter was last told, by setting name.
    written: dict[str, float] = field(default_factory=dict)
    last_write_at: float | None = None
    writes_today: int = 0
    last_step_at: float | None = None
    # Lithium: the lowest current the taper has come down to in this charge. It only
    # goes down: at a lower current the cells read lower, which must not undo the taper.
    taper_a: float | None = None


@dataclass(frozen=True)
class Reading:
    now: float
    day: int  # local date ordinal
    battery_v: float | None
    charge_a: float | None  # battery charging current, A (discharge as 0 or negative)
    inverter_age_s: float
    soc: float | None = None
    max_cell_v: float | None = None
    temperatures: tuple[float, ...] = ()
    bms_age_s: float | None = None  # None: no BMS configured
    # The battery's own current from the BMS (positive while charging): other DC loads on
    # the battery make the inverter's charging current read more than the battery takes.
    bms_current_a: float | None = None


BULK_VOLTAGE = "bulk_voltage"
FLOAT_VOLTAGE = "float_voltage"
MAX_CHARGE_CURRENT = "max_charge_current"
# Changes smaller than these are not worth a write (the inverter's setting steps).
_TOLERANCE = {BULK_VOLTAGE: 0.05, FLOAT_VOLTAGE: 0.05, MAX_CHARGE_CURRENT: 1.0}


@dataclass(frozen=True)
class Decision:
    state: State
    # Settings to write now: BULK_VOLTAGE, FLOAT_VOLTAGE (V), MAX_CHARGE_CURRENT (A).
    writes: dict[str, float]


def _enter(state: State, phase: Phase, reason: Reason, now: float) -> State:
    return replace(
        state, phase=phase, reason=reason, phase_since=now, tail_since=None, taper_a=None
    )


def start_absorption(state: State, now: float) -> State:
    """A full cycle now (the weekly full charge, or a person's wish)."""
    return _enter(state, Phase.BULK, Reason.MANUAL, now)


def stop_absorption(state: State, now: float) -> State:
    return _enter(state, Phase.FLOAT, Reason.MANUAL, now)


def snap_current(settings: Settings, amps: float) -> float:
    """The highest current the inverter offers at or below amps (its lowest if none is)."""
    allowed = settings.allowed_charge_a
    if not allowed:
        return float(max(settings.min_charge_a, int(amps)))
    return max((a for a in allowed if a <= amps), default=allowed[0])


def _absorb(settings: Settings, state: State, reading: Reading, amps: float) -> State:
    """Bulk, absorption until the tail current or the time limit, float, rebulk."""
    now, volts = reading.now, reading.battery_v
    assert volts is not None
    # To the hundredth of a volt the inverter reports: 57.6 - 0.3 is 57.300000000000004.
    at_voltage = volts >= round(settings.absorption_v - settings.at_voltage_margin_v, 2)
    if state.phase is Phase.BULK and at_voltage:
        state = _enter(state, Phase.ABSORPTION, Reason.AT_ABSORPTION_VOLTAGE, now)
    if state.phase is Phase.ABSORPTION:
        # Low current counts as a tail only at the absorption voltage: below it the
        # current is low because the sun is, not because the battery is full.
        if at_voltage and amps <= settings.tail_current_a:
            state.tail_since = now if state.tail_since is None else state.tail_since
        elif at_voltage:
            state.tail_since = None
        if state.tail_since is not None and now - state.tail_since >= settings.tail_s:
            return _enter(state, Phase.FLOAT, Reason.TAIL_CURRENT, now)
        since = now if state.phase_since is None else state.phase_since
        if now - since >= settings.max_absorption_s:
            return _enter(state, Phase.FLOAT, Reason.MAX_ABSORPTION_TIME, now)
    if state.phase is Phase.FLOAT:
        low_v = settings.rebulk_v is not None and volts < settings.rebulk_v
        low_soc = (
            settings.rebulk_soc is not None
            and reading.soc is not None
            and reading.soc < settings.rebulk_soc
        )
        if low_v or low_soc:
            return _enter(state, Phase.BULK, Reason.REBULK, now)
    return state


def _lead_acid(settings: Settings, state: State, reading: Reading) -> State:
    return _absorb(settings, state, reading, reading.charge_a or 0.0)


def _lithium(settings: Settings, state: State, reading: Reading) -> State:
    now = reading.now
    low, high = settings.charge_temperature
    if any(not low <= t <= high for t in reading.temperatures):
        return _enter(state, Phase.BLOCKED, Reason.TEMPERATURE, now)
    if reading.max_cell_v is not None and reading.max_cell_v >= settings.cell_limit_v:
        if state.phase is not Phase.FLOAT:
            return _enter(state, Phase.FLOAT, Reason.CELL_LIMIT, now)
        return state
    if reading.soc is not None and reading.soc >= settings.target_soc:
        if state.phase is not Phase.FLOAT:
            return _enter(state, Phase.FLOAT, Reason.TARGET_SOC, now)
        return state
    if state.phase is Phase.BLOCKED:
        return _enter(state, Phase.BULK, Reason.TEMPERATURE_OK, now)
    if settings.lithium_absorption:
        amps = reading.bms_current_a if reading.bms_current_a is not None else reading.charge_a
        return _absorb(settings, state, reading, amps or 0.0)
    rebulk = (
        state.phase is Phase.FLOAT
        and reading.soc is not None
        and settings.rebulk_soc is not None
        and reading.soc < settings.rebulk_soc
    )
    if rebulk:
        return _enter(state, Phase.BULK, Reason.REBULK, now)
    return state


def wanted_settings(settings: Settings, state: State, reading: Reading) -> dict[str, float]:
    """The settings the phase calls for."""
    if settings.chemistry is Chemistry.LITHIUM:
        return _lithium_settings(settings, state, reading)
    return {
        FLOAT_VOLTAGE: _float_voltage(settings, state),
        MAX_CHARGE_CURRENT: snap_current(settings, settings.max_charge_a),
    }


def _float_voltage(settings: Settings, state: State) -> float:
    """Held at the absorption voltage while charging; afterwards down in steps from
    wherever it is, never in one jump."""
    if state.phase in (Phase.BULK, Phase.ABSORPTION):
        return settings.absorption_v
    previous = state.written.get(FLOAT_VOLTAGE, settings.float_v)
    return round(max(settings.float_v, previous - settings.float_step_v), 1)


# Reasons a lithium charge ends without the stepped float drop.
_STOP_AT_ONCE = frozenset({Reason.CELL_LIMIT, Reason.TARGET_SOC, Reason.TEMPERATURE, Reason.STALE})


def _lithium_settings(settings: Settings, state: State, reading: Reading) -> dict[str, float]:
    # Without absorption, charging ends where the bulk voltage is lowered to the float
    # voltage; with it, both follow the held and then stepped float.
    charging_on = state.phase is Phase.BULK or (
        settings.lithium_absorption and state.phase is Phase.ABSORPTION
    )
    current = snap_current(settings, 0.0)
    if charging_on:
        top = current = snap_current(settings, settings.max_charge_a)
        if reading.max_cell_v is not None:
            room = (settings.cell_limit_v - reading.max_cell_v) / (
                settings.cell_limit_v - settings.taper_from_v
            )
            current = top * min(1.0, max(0.0, room))
        if state.taper_a is not None:
            current = min(current, state.taper_a)
        # Downwards: a taper never asks for more than it computed.
        current = snap_current(settings, current)
        if current < top:
            state.taper_a = current
    if settings.lithium_absorption and state.reason not in _STOP_AT_ONCE:
        float_v = _float_voltage(settings, state)
        if charging_on:  # raising: the bulk voltage first, never below the float
            return {BULK_VOLTAGE: float_v, FLOAT_VOLTAGE: float_v, MAX_CHARGE_CURRENT: current}
        # Lowering: the float first; the bulk follows once the float has come down.
        bulk_v = settings.float_v if float_v <= settings.float_v else settings.absorption_v
        return {FLOAT_VOLTAGE: float_v, BULK_VOLTAGE: bulk_v, MAX_CHARGE_CURRENT: current}
    return {
        BULK_VOLTAGE: settings.absorption_v if charging_on else settings.float_v,
        FLOAT_VOLTAGE: settings.float_v,
        MAX_CHARGE_CURRENT: current,
    }


def step(settings: Settings, state: State, reading: Reading) -> Decision:
    now = reading.now
    state = replace(state)
    if state.day != reading.day:
        if state.day:
            state = _enter(state, Phase.BULK, Reason.NEW_DAY, now)
        state.day, state.writes_today = reading.day, 0
    stale = (
        reading.battery_v is None
        or reading.inverter_age_s > settings.stale_after_s
        or (reading.bms_age_s is not None and reading.bms_age_s > settings.stale_after_s)
    )
    if stale:
        if state.phase is not Phase.BLOCKED or state.reason is not Reason.STALE:
            state = _enter(state, Phase.BLOCKED, Reason.STALE, now)
        # The real float voltage at once: nothing may hold the battery high unwatched.
        wanted = {FLOAT_VOLTAGE: settings.float_v}
        if settings.chemistry is Chemistry.LITHIUM:
            wanted[BULK_VOLTAGE] = settings.float_v
        return _write(settings, state, now, wanted, urgent=True)
    if state.phase is Phase.BLOCKED and state.reason is Reason.STALE:
        # Readings are back: start over, the battery may have changed meanwhile.
        state = _enter(state, Phase.BULK, Reason.RESUMED, now)
    if settings.chemistry is Chemistry.LEAD_ACID:
        state = _lead_acid(settings, state, reading)
    else:
        state = _lithium(settings, state, reading)
    wanted = wanted_settings(settings, state, reading)
    stepping = (
        state.phase is Phase.FLOAT
        and state.last_step_at is not None
        and now - state.last_step_at < settings.float_step_s
    )
    if stepping:
        wanted.pop(FLOAT_VOLTAGE, None)
    # Stopping for a cell at its limit cannot wait for the write interval either.
    urgent = state.phase is Phase.BLOCKED or state.reason is Reason.CELL_LIMIT
    return _write(settings, state, now, wanted, urgent=urgent)


def _write(
    settings: Settings, state: State, now: float, wanted: dict[str, float], *, urgent: bool
) -> Decision:
    writes = {
        key: value
        for key, value in wanted.items()
        if key not in state.written or abs(state.written[key] - value) >= _TOLERANCE[key]
    }
    recent = state.last_write_at is not None and (
        now - state.last_write_at < settings.min_write_interval_s
    )
    if not writes or (recent and not urgent):
        return Decision(state, {})
    state.written = {**state.written, **writes}
    state.last_write_at = now
    if FLOAT_VOLTAGE in writes and state.phase is Phase.FLOAT:
        state.last_step_at = now
    state.writes_today += len(writes)
    return Decision(state, writes)
