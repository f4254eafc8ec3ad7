"""A small battery / PV / load model that the device emulators report from.

Time is passed in, so tests stand still and the simulator follows the clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


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
    _last: float | None = None

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
        sag = self.battery_w / 10_000.0
        return round(cells * cell + sag, 2)

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
