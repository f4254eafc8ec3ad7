"""The controller's settings from a policy entry's options and its number entities."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from ..const import (
    CONF_CELL_MAX_SENSOR,
    CONF_CELL_MIN_SENSOR,
    CONF_CHARGE_PROFILE,
    CONF_CHARGE_RESUME_CELL,
    CONF_CHARGE_STOP_CELL,
    CONF_CHARGE_TEMP_MAX,
    CONF_CHARGE_TEMP_MIN,
    CONF_DISCHARGE_BLOCKS,
    CONF_DISCHARGE_PROFILE,
    CONF_DISCHARGE_RESUME_CELL,
    CONF_DISCHARGE_STOP_CELL,
    CONF_DISCHARGE_TEMP_MAX,
    CONF_DISCHARGE_TEMP_MIN,
    CONF_KD,
    CONF_KI,
    CONF_KP,
    CONF_METER_LAG,
    CONF_MIN_DISCHARGE_BURST,
    CONF_MIN_WRITE_INTERVAL,
    CONF_OFFSET,
    CONF_RAMP,
    CONF_SOC_HYSTERESIS,
    CONF_SOC_MAX,
    CONF_SOC_MIN,
    CONF_SOC_SENSOR,
    CONF_STALE_AFTER,
    CONF_TEMPERATURE_SENSORS,
)
from ..forms import option
from ..policies.schedule import Window
from ..policies.zero_export import Actuator, Settings

# What the number entities of a policy entry hold; they start from these.
TUNABLES = {"target": 0.0, "deadband": 40.0, "max_charge": 2000.0, "max_discharge": 2000.0}


def parse_windows(text: str) -> tuple[Window, ...]:
    """ "22:00-06:00, 12:30-13:00" -> windows; ValueError on anything else."""
    windows = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        start, _, end = part.partition("-")
        windows.append(Window(_minute(start), _minute(end)))
    return tuple(windows)


def _minute(text: str) -> int:
    hours, _, minutes = text.strip().partition(":")
    value = int(hours) * 60 + int(minutes or 0)
    if not 0 <= value <= 24 * 60:
        raise ValueError(f"{text!r} is not a time of day")
    return value


def parse_profile(text: str) -> tuple[float, ...]:
    """24 comma-separated watts (one per hour), or empty; ValueError otherwise."""
    values = tuple(float(v) for v in text.split(",") if v.strip())
    if values and (len(values) != 24 or min(values) < 0):
        raise ValueError("a profile has 24 values of 0 W or more, one per hour")
    return values


def _range(options: Mapping[str, Any], low: str, high: str) -> tuple[float, float] | None:
    """An allowed temperature range; an end left empty is open."""
    if options.get(low) is None and options.get(high) is None:
        return None
    return (
        float(options[low]) if options.get(low) is not None else -1000.0,
        float(options[high]) if options.get(high) is not None else 1000.0,
    )


def build_settings(
    options: Mapping[str, Any],
    tunables: Mapping[str, float],
    chargers: tuple[Actuator, ...],
    dischargers: tuple[Actuator, ...],
) -> Settings:
    opt = partial(option, options)

    defaults = Settings()
    return Settings(
        chargers=chargers,
        dischargers=dischargers,
        target_w=tunables["target"],
        deadband_w=tunables["deadband"],
        max_charge_w=tunables["max_charge"],
        max_discharge_w=tunables["max_discharge"],
        offset_w=opt(CONF_OFFSET, defaults.offset_w),
        kp=opt(CONF_KP, defaults.kp),
        ki=opt(CONF_KI, defaults.ki),
        kd=opt(CONF_KD, defaults.kd),
        charge_profile=parse_profile(options.get(CONF_CHARGE_PROFILE, "")),
        discharge_profile=parse_profile(options.get(CONF_DISCHARGE_PROFILE, "")),
        discharge_blocks=parse_windows(options.get(CONF_DISCHARGE_BLOCKS, "")),
        min_discharge_burst_s=opt(CONF_MIN_DISCHARGE_BURST, defaults.min_discharge_burst_s),
        soc_min=options.get(CONF_SOC_MIN),
        soc_max=options.get(CONF_SOC_MAX),
        soc_hysteresis=opt(CONF_SOC_HYSTERESIS, defaults.soc_hysteresis),
        soc_required=bool(options.get(CONF_SOC_SENSOR)),
        charge_stop_cell_v=options.get(CONF_CHARGE_STOP_CELL),
        charge_resume_cell_v=options.get(CONF_CHARGE_RESUME_CELL),
        discharge_stop_cell_v=options.get(CONF_DISCHARGE_STOP_CELL),
        discharge_resume_cell_v=options.get(CONF_DISCHARGE_RESUME_CELL),
        charge_temperature=_range(options, CONF_CHARGE_TEMP_MIN, CONF_CHARGE_TEMP_MAX),
        discharge_temperature=_range(options, CONF_DISCHARGE_TEMP_MIN, CONF_DISCHARGE_TEMP_MAX),
        bms_required=any(
            options.get(key)
            for key in (CONF_CELL_MAX_SENSOR, CONF_CELL_MIN_SENSOR, CONF_TEMPERATURE_SENSORS)
        ),
        meter_lag_s=opt(CONF_METER_LAG, defaults.meter_lag_s),
        stale_after_s=opt(CONF_STALE_AFTER, defaults.stale_after_s),
        min_write_interval_s=opt(CONF_MIN_WRITE_INTERVAL, defaults.min_write_interval_s),
        ramp_w_per_s=opt(CONF_RAMP, defaults.ramp_w_per_s),
    )
