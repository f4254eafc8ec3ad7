"""The control rules the zero-export benchmark compares ours with, written from their
documented behaviour and default settings (not from their code).

Every controller gets meter readings (import positive) and the time, and answers with a
new signed battery power (positive = discharge) or None to leave it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from custom_components.diy_solar.policies import zero_export


class Controller:
    command_w = 0.0

    def on_reading(self, now: float, minute_of_day: int, grid_w: float) -> float | None:
        raise NotImplementedError

    def tick(self, now: float, minute_of_day: int) -> float | None:
        """Called every second, with or without a new reading."""
        return None


@dataclass
class Abcds(Controller):
    """ABCDS: average the last ChargerPowerCalcCount readings and step the output by that
    average every MeterUpdateCounter readings, unless the change is inside the
    LastChargePower_delta / LastDisChargePower_delta hysteresis."""

    max_charge_w: float
    max_discharge_w: float
    average_of: int = 4
    every: int = 8
    charge_delta_w: float = 10.0
    discharge_delta_w: float = 15.0
    _readings: deque[float] = field(default_factory=lambda: deque(maxlen=4))
    _count: int = 0

    def on_reading(self, now: float, minute_of_day: int, grid_w: float) -> float | None:
        self._readings.append(grid_w)
        self._count += 1
        if self._count % self.every:
            return None
        wanted = self.command_w + sum(self._readings) / len(self._readings)
        wanted = min(self.max_discharge_w, max(-self.max_charge_w, wanted))
        delta = self.discharge_delta_w if wanted > 0 else self.charge_delta_w
        if abs(wanted - self.command_w) <= delta:
            return None
        self.command_w = wanted
        return wanted


@dataclass
class Bic2mqtt(Controller):
    """bic2mqtt's PID charge control with its shipped settings: P 0.3, I 0, D 0, clocked by
    the meter; ChargeTol 10 W; a discharge starts only after DischargeBlockTimeSec (61 s) of
    import."""

    max_charge_w: float
    max_discharge_w: float
    p: float = 0.3
    tolerance_w: float = 10.0
    discharge_block_s: float = 61.0
    _import_since: float | None = None

    def on_reading(self, now: float, minute_of_day: int, grid_w: float) -> float | None:
        self._import_since = (self._import_since or now) if grid_w > 0 else None
        wanted = self.command_w + self.p * grid_w
        wanted = min(self.max_discharge_w, max(-self.max_charge_w, wanted))
        if wanted > 0 >= self.command_w and (now - (self._import_since or now)) < (
            self.discharge_block_s
        ):
            wanted = 0.0
        if abs(wanted - self.command_w) < self.tolerance_w:
            return None
        self.command_w = wanted
        return wanted


class Ours(Controller):
    """policies.zero_export, fed the way the Home Assistant runner feeds it."""

    def __init__(self, settings: zero_export.Settings) -> None:
        self.settings = settings
        self.state = zero_export.State()
        self._grid: float | None = None
        self._sample_at: float | None = None

    def _step(self, now: float, minute_of_day: int) -> float | None:
        reading = zero_export.Reading(now, minute_of_day, self._grid, self._sample_at)
        decision = zero_export.step(self.settings, self.state, reading)
        self.state = decision.state
        if decision.commands is None:
            return None
        self.command_w = self.state.command_w
        return self.command_w

    def on_reading(self, now: float, minute_of_day: int, grid_w: float) -> float | None:
        self._grid, self._sample_at = grid_w, now
        return self._step(now, minute_of_day)

    def tick(self, now: float, minute_of_day: int) -> float | None:
        return self._step(now, minute_of_day)
