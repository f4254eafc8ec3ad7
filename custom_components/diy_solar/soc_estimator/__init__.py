"""The SOC-estimator entry: policies.soc_estimator fed from a battery voltage sensor and,
where there is one, a current sensor; its state survives a restart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.const import PERCENTAGE, Platform, UnitOfTime
from homeassistant.core import HomeAssistant

from ..forms import option
from ..policies.soc_estimator import Chemistry, Correction, Reading, Settings, State, step
from ..policy_runner import PolicyRunner, sensor_value
from ..runtime import DiySolarConfigEntry, RuntimeData, async_start
from ..values import enum_sensor, measurement, value_sensors

CONF_VOLTAGE, CONF_CURRENT, CONF_OTHER_SOC = "voltage_sensor", "current_sensor", "other_soc"
CONF_TABLE = "table"


def parse_table(text: str | None) -> tuple[tuple[float, float], ...]:
    """ "48.0=0, 51.2=20, 53.6=100" (volts=SOC %) as a table, lowest voltage first."""
    if not text or not text.strip():
        return ()
    points = []
    for part in text.replace(";", ",").split(","):
        volts, _, soc = part.partition("=")
        points.append((float(volts), float(soc)))
    return tuple(sorted(points))


def table_error(text: str | None) -> str | None:
    """Why the table cannot be used; None when it can (or is empty)."""
    try:
        table = parse_table(text)
    except ValueError:
        return "table_format"
    if table and (len(table) < 2 or any(not 0 <= soc <= 100 for _, soc in table)):
        return "table_format"
    socs = [soc for _, soc in table]
    return None if socs == sorted(socs) else "table_format"


def settings_from(options: dict[str, Any]) -> Settings:
    d = Settings(capacity_ah=100.0)
    opt = partial(option, options)
    return Settings(
        capacity_ah=opt("capacity", d.capacity_ah),
        chemistry=Chemistry(options.get("chemistry", d.chemistry)),
        cells=int(opt("cells", d.cells)),
        full_voltage=opt("full_voltage", d.full_voltage),
        tail_current_a=opt("tail_current", d.tail_current_a),
        full_hold_s=opt("full_hold", d.full_hold_s / 60, 60),
        charge_efficiency=opt("charge_efficiency", d.charge_efficiency * 100, 0.01),
        rest_current_a=opt("rest_current", d.rest_current_a),
        rest_s=opt("rest_time", d.rest_s / 60, 60),
        table=parse_table(options.get(CONF_TABLE)),
        drift_pct=opt("drift", d.drift_pct),
        drift_s=opt("drift_time", d.drift_s / 60, 60),
    )


@dataclass(frozen=True)
class EstimateData:
    soc: float | None
    correction: Correction
    corrected_by: float
    hours_since_correction: float | None


class EstimatorRunner(PolicyRunner[EstimateData]):
    model = "State of charge estimator"
    state: State
    tick = timedelta(seconds=10)

    def __init__(self, hass: HomeAssistant, entry: DiySolarConfigEntry) -> None:
        super().__init__(hass, entry)
        self.settings = settings_from(self.options)
        self.state = State()
        self._now = 0.0

    async def async_act(self, now: float) -> None:
        self._now = now
        volts = sensor_value(self.hass, self.options[CONF_VOLTAGE], now)
        amps = sensor_value(self.hass, self.options.get(CONF_CURRENT), now)
        other = sensor_value(self.hass, self.options.get(CONF_OTHER_SOC), now)
        fresh = 2 * self.tick.total_seconds() + 60  # a sensor that reports every minute
        reading = Reading(
            now=now,
            voltage=volts[0] if volts and volts[1] <= fresh else None,
            current=amps[0] if amps and amps[1] <= fresh else None,
            other_soc=other[0] if other else None,
        )
        self.state = step(self.settings, self.state, reading)
        self.issue("soc_drift", self.state.drifting)

    def snapshot(self) -> EstimateData:
        at = self.state.corrected_at
        hours = None if at is None else round(max(0.0, self._now - at) / 3600, 1)
        soc = None if self.state.soc is None else round(self.state.soc, 1)
        return EstimateData(soc, self.state.correction, self.state.corrected_by, hours)


SENSORS = (
    measurement("soc", SensorDeviceClass.BATTERY, PERCENTAGE, lambda d: d.soc),
    enum_sensor("last_correction", Correction, lambda d: d.correction.value),
    measurement("corrected_by", None, PERCENTAGE, lambda d: d.corrected_by),
    measurement(
        "since_correction",
        SensorDeviceClass.DURATION,
        UnitOfTime.HOURS,
        lambda d: d.hours_since_correction,
    ),
)


async def async_setup(hass: HomeAssistant, entry: DiySolarConfigEntry) -> RuntimeData:
    return await async_start(
        EstimatorRunner(hass, entry), {Platform.SENSOR: value_sensors(SENSORS)}
    )
