"""A small battery / PV / load model that the device emulators report from.

Time is passed in, so tests stand still and the simulator follows the clock.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Plant:
    """One battery bank with PV, a house load and an optional grid."""

    battery_capacity_wh: float = 10_000.0
    nominal_voltage: float = 48.0
    soc: float = 0.6
    pv_peak_w: float = 3_000.0
    pv_w: float = 0.0
    load_w: float = 350.0
    grid_present: bool = True
    grid_voltage: float = 230.0
    grid_frequency: float = 50.0
    charge_limit_w: float = 3_000.0
    # The packs the battery is made of, by key: their capacities (Ah) share its current.
    packs: dict[int, float] = field(default_factory=dict)
    _last: float | None = None

    def share(self, pack: int) -> float:
        """The part of the battery's current that one pack carries (by its capacity)."""
        total = sum(self.packs.values())
        return self.packs[pack] / total if pack in self.packs and total > 0 else 1.0

    @property
    def battery_w(self) -> float:
        """Battery power, positive while charging."""
        surplus = self.pv_w - self.load_w
        if surplus > 0 and self.soc >= 1.0:
            return 0.0
        if surplus < 0 and self.soc <= 0.05:
            return 0.0
        return max(-self.charge_limit_w * 2, min(self.charge_limit_w, surplus))

    @property
    def battery_voltage(self) -> float:
        # LiFePO4-like curve: flat in the middle, rising steeply above 90 %.
        cells = round(self.nominal_voltage / 3.0)
        cell = 3.1 + 0.2 * self.soc + 1.5 * max(0.0, self.soc - 0.9)
        return round(cells * cell + self._sag_w() / 10_000.0, 2)

    def _sag_w(self) -> float:
        """The battery power the voltage sags (or rises) with."""
        return self.battery_w

    def follow(self, now: float, solar_elevation: float | None = None) -> None:
        """Move to now for a device that reports from the plant (see advance)."""
        self.advance(now, solar_elevation)

    def advance(self, now: float, solar_elevation: float | None = None) -> None:
        """Move the model to time now (seconds); PV follows solar_elevation (0..1)."""
        if solar_elevation is not None:
            self.pv_w = round(self.pv_peak_w * max(0.0, solar_elevation), 0)
        if self._last is not None and now > self._last:
            hours = (now - self._last) / 3600.0
            change = self.battery_w * hours / self.battery_capacity_wh
            self.soc = min(1.0, max(0.0, self.soc + change))
        self._last = now


def solar_elevation(hour_of_day: float) -> float:
    """A clear-sky bell between 06:00 and 18:00, 1.0 at noon."""
    return max(0.0, math.sin(math.pi * (hour_of_day - 6.0) / 12.0))


# -- the plant of the control benchmarks: per-second load and PV, meter, actuators -----


def _bell(hour: float, sunrise: float = 6.0, sunset: float = 20.0) -> float:
    if not sunrise < hour < sunset:
        return 0.0
    height: float = math.sin(math.pi * (hour - sunrise) / (sunset - sunrise))
    return height * math.sqrt(height)


def synthetic_day(seed: int, pv_peak_w: float = 3000.0) -> tuple[list[float], list[float]]:
    """Household load and PV in watts, one value per second of a 24 h day.

    Base load with drift, fridge compressor cycles (with their start spike), kettle and
    cooker steps, a washing machine's heating and motor pulses, evening consumers; PV as a
    clear-sky bell cut by clouds of random depth and length.
    """
    rng = random.Random(seed)
    seconds = 86_400
    load = [0.0] * seconds
    base = 180.0
    for t in range(seconds):
        if t % 600 == 0:
            base = min(320.0, max(120.0, base + rng.uniform(-30, 30)))
        load[t] = base + rng.gauss(0, 6)

    def add(start: int, length: int, watts: float) -> None:
        for t in range(max(0, start), min(seconds, start + length)):
            load[t] += watts

    t = rng.randrange(0, 900)
    while t < seconds:  # fridge: about 15 min on, 30 min off
        on = rng.randrange(600, 1100)
        add(t, 2, 400.0)
        add(t + 2, on, 85.0)
        t += on + rng.randrange(1500, 2100)
    for hour in (7.0, 10.5, 13.2, 16.0, 19.5):  # kettle
        add(int((hour + rng.uniform(-0.3, 0.3)) * 3600), rng.randrange(120, 200), 2000.0)
    for hour, minutes in ((12.0, 40), (18.5, 55)):  # cooker: thermostat cycles on a plate
        start = int((hour + rng.uniform(-0.2, 0.2)) * 3600)
        t = start
        while t < start + minutes * 60:
            on = rng.randrange(40, 120)
            add(t, on, rng.choice((1200.0, 1800.0, 2300.0)))
            t += on + rng.randrange(20, 90)
    wash = int((10.0 + rng.uniform(-0.5, 0.5)) * 3600)
    add(wash, 900, 2000.0)  # heating the water
    t = wash + 900
    while t < wash + 900 + 2400:  # the drum turning: short motor pulses
        add(t, 12, rng.uniform(250, 500))
        t += 12 + rng.randrange(4, 10)
    add(19 * 3600, 4 * 3600, 150.0)  # evening: lights, television

    pv = [0.0] * seconds
    cloud_until, depth = 0, 1.0
    for t in range(seconds):
        if t >= cloud_until:
            if rng.random() < 0.004:  # a cloud starts
                cloud_until, depth = t + rng.randrange(30, 600), rng.uniform(0.2, 0.7)
            else:
                depth = 1.0
        pv[t] = pv_peak_w * _bell(t / 3600) * depth
    return load, pv


def _rows(path: Path) -> list[list[str]]:
    lines = [line for line in path.read_text().splitlines() if line and not line.startswith("#")]
    return [line.split(",") for line in lines[1:]]


def trace_day(traces: Path, pv_peak_w: float = 1200.0) -> tuple[list[float], list[float]]:
    """The real 1 s household load (RAE) over the real cloudy-day PV (Cyprus, 30 s,
    interpolated), the PV scaled to pv_peak_w; as long as the load trace."""
    load = [float(row[1]) for row in _rows(traces / "rae_household_1s.csv")]
    samples = [(float(row[0]), float(row[2])) for row in _rows(traces / "cyprus_pv_load_30s.csv")]
    scale = pv_peak_w / max(w for _, w in samples)
    pv = []
    for t in range(len(load)):
        i = min(len(samples) - 2, int(t // 30))
        (t0, w0), (t1, w1) = samples[i], samples[i + 1]
        pv.append(scale * (w0 + (w1 - w0) * (t - t0) / (t1 - t0)))
    return load, pv


TRACE_CREDITS = (
    "Load: Makonin, S. (2018), Rainforest Automation Energy Dataset (RAE), Harvard Dataverse, "
    "doi:10.7910/DVN/ZJW4LC, CC BY 4.0. PV: Venizelou et al. (2023), Photovoltaic Generation "
    "and Load Demand Datasets with 30 seconds resolution from an Actual Prosumer in Cyprus, "
    "Zenodo, doi:10.5281/zenodo.8348862, CC BY 4.0."
)


@dataclass
class Meter:
    """A grid meter that samples every interval seconds and reports latency seconds later."""

    interval: float
    latency: float
    _pending: list[tuple[float, float]] = field(default_factory=list)
    _next_sample: float = 0.0

    def observe(self, now: float, grid_w: float, *, online: bool = True) -> None:
        if now >= self._next_sample:
            self._next_sample += self.interval
            if online:
                self._pending.append((now + self.latency, grid_w))

    def deliveries(self, now: float) -> list[float]:
        """Readings that arrive by now, oldest first."""
        due = [w for at, w in self._pending if at <= now]
        self._pending = [(at, w) for at, w in self._pending if at > now]
        return due


@dataclass
class ActuatorModel:
    """A charger/discharger seen as one signed power (positive = discharge): a command
    takes delay seconds to arrive, then the output ramps towards it."""

    delay: float = 0.5
    ramp_w_per_s: float = 1000.0
    max_charge_w: float = 2000.0
    max_discharge_w: float = 2000.0
    min_w: float = 0.0  # less than this cannot be done
    output_w: float = 0.0
    _commands: list[tuple[float, float]] = field(default_factory=list)
    _target: float = 0.0

    def command(self, now: float, watts: float) -> int:
        """Send a command; the answer is how many writes the device needed for it."""
        self._commands.append((now + self.delay, watts))
        return 1

    def _take(self, now: float, watts: float) -> None:
        self._target = watts

    def advance(self, now: float, dt: float) -> float:
        while self._commands and self._commands[0][0] <= now:
            self._take(now, self._commands.pop(0)[1])
        target = min(self.max_discharge_w, max(-self.max_charge_w, self._target))
        step = self.ramp_w_per_s * dt
        self.output_w = min(self.output_w + step, max(self.output_w - step, target))
        return self.output_w


@dataclass
class BicModel(ActuatorModel):
    """A BIC-2200 driven the way the zero-export actuator drives it. Below its minimum
    current the output is switched off (one write). From off, current and output on (two
    writes); to the other direction, output off, direction, current, output on (four). The
    output is 0 at once when switched off and starts again restart_s after it is switched
    on, then ramps."""

    min_w: float = 48.0  # 1 A at 48 V, the actuator's minimum
    restart_s: float = 2.0
    _told: float = 0.0
    _off_until: float = 0.0

    def _level(self, watts: float) -> float:
        """What it does when told watts: below its least, nothing."""
        return 0.0 if abs(watts) < self.min_w else watts

    def command(self, now: float, watts: float) -> int:
        super().command(now, watts)
        told, self._told = self._told, self._level(watts)
        if not self._told:
            return 1 if told else 0
        if not told:
            return 2
        return 4 if (told > 0) != (self._told > 0) else 1

    def _take(self, now: float, watts: float) -> None:
        new = self._level(watts)
        if not new or not self._target or (new > 0) != (self._target > 0):
            self.output_w = 0.0
            self._off_until = now + self.restart_s if new else now
        self._target = new

    def advance(self, now: float, dt: float) -> float:
        power = super().advance(now, dt)
        if now < self._off_until:
            self.output_w = power = 0.0
        return power


# Within what the demo's BIC-2200-48 can take (45 A at about 48 V): the noon surplus
# is charged rather than exported.
PV_PEAK_W = 2000.0


class LivePlant(Plant):
    """The one plant behind the simulated devices of a Home Assistant instance.

    Load and PV follow a synthetic day on the wall clock; the battery takes what the
    simulated chargers and dischargers put through it, so the grid meter it offers
    responds to whatever a policy tells them.
    """

    def __init__(
        self, clock: Callable[[], float] = time.time, seed: int = 1, pv_peak_w: float = PV_PEAK_W
    ) -> None:
        super().__init__(nominal_voltage=48.0, soc=0.62)
        self.clock = clock
        self._load, self._pv = synthetic_day(seed, pv_peak_w)
        # Battery power sources by name, watts, positive = charging from the AC side.
        self.flows: dict[str, Callable[[], float]] = {}
        # The battery power at the last sample: the voltage sags with it. The sources ask
        # for the voltage themselves, so it must not ask them back.
        self._last_battery_w = 0.0
        # What the plant's meters counted since it started, Wh (the Energy panel's inputs).
        self.energy_wh = dict.fromkeys(("grid_import", "grid_export", "pv", "load"), 0.0)

    def run_ahead(self, hours: float) -> None:
        """Run the day this many hours ahead of the wall clock; the jump itself is not
        lived through (the battery does not take the hours skipped)."""
        self.clock = lambda: time.time() + hours * 3600
        self._last = None

    def _second_of_day(self, now: float) -> int:
        local = time.localtime(now)
        return local.tm_hour * 3600 + local.tm_min * 60 + local.tm_sec

    @property
    def battery_w(self) -> float:
        watts = sum(flow() for flow in self.flows.values())
        if (watts > 0 and self.soc >= 1.0) or (watts < 0 and self.soc <= 0.0):
            return 0.0
        return watts

    def _sag_w(self) -> float:
        return self._last_battery_w

    def follow(self, now: float, solar_elevation: float | None = None) -> None:
        """Load and PV come from the plant's own day and its clock, whoever asks."""
        self.sample()

    def sample(self) -> tuple[float, float, float, float]:
        """Advance to now; (grid, load, PV, battery) watts, grid import positive."""
        now = self.clock()
        second = self._second_of_day(now)
        self.load_w, self.pv_w = self._load[second], self._pv[second]
        battery = self._last_battery_w = self.battery_w
        grid = self.load_w - self.pv_w + battery
        if self._last is not None and now > self._last:
            # Over the same interval, and at the same powers, as the battery's charge.
            hours = (now - self._last) / 3600.0
            for meter, watts in (
                ("grid_import", max(grid, 0.0)),
                ("grid_export", max(-grid, 0.0)),
                ("pv", self.pv_w),
                ("load", self.load_w),
            ):
                self.energy_wh[meter] += watts * hours
        self.advance(now)
        return grid, self.load_w, self.pv_w, battery


_SHARED: dict[str, LivePlant] = {}


def shared_plant(key: str) -> LivePlant:
    """The plant of one Home Assistant instance (key: its configuration directory)."""
    return _SHARED.setdefault(key, LivePlant())
