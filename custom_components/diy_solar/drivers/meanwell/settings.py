"""The numeric settings of a Mean Well charger, and the range each one may take."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from .models import ModelLimits, Range
from .protocol import Command, Family


class Setting(StrEnum):
    CHARGE_VOLTAGE = "charge_voltage"
    CHARGE_CURRENT = "charge_current"
    DISCHARGE_VOLTAGE = "discharge_voltage"
    DISCHARGE_CURRENT = "discharge_current"
    CURVE_CC = "curve_cc"
    CURVE_CV = "curve_cv"
    CURVE_FV = "curve_fv"
    CURVE_TC = "curve_tc"


@dataclass(frozen=True)
class SettingSpec:
    command: Command
    families: frozenset[Family]
    device_range: Callable[[ModelLimits], Range | None]


_BOTH = frozenset(Family)
_BIC = frozenset({Family.BIC})
_NPB = frozenset({Family.NPB})


def _taper(limits: ModelLimits) -> Range:
    # The taper (end of charge) current sits below the charge current range.
    return Range(0.0, limits.charge_current.maximum / 2)


SPECS: Mapping[Setting, SettingSpec] = {
    Setting.CHARGE_VOLTAGE: SettingSpec(Command.VOUT_SET, _BOTH, lambda m: m.charge_voltage),
    Setting.CHARGE_CURRENT: SettingSpec(Command.IOUT_SET, _BOTH, lambda m: m.charge_current),
    Setting.DISCHARGE_VOLTAGE: SettingSpec(
        Command.REVERSE_VOUT_SET, _BIC, lambda m: m.discharge_voltage
    ),
    Setting.DISCHARGE_CURRENT: SettingSpec(
        Command.REVERSE_IOUT_SET, _BIC, lambda m: m.discharge_current
    ),
    Setting.CURVE_CC: SettingSpec(Command.CURVE_CC, _NPB, lambda m: m.charge_current),
    Setting.CURVE_CV: SettingSpec(Command.CURVE_CV, _NPB, lambda m: m.charge_voltage),
    Setting.CURVE_FV: SettingSpec(Command.CURVE_FV, _NPB, lambda m: m.charge_voltage),
    Setting.CURVE_TC: SettingSpec(Command.CURVE_TC, _NPB, _taper),
}


def settings_for(family: Family) -> tuple[Setting, ...]:
    return tuple(s for s, spec in SPECS.items() if family in spec.families)


def allowed_range(
    setting: Setting, limits: ModelLimits, user: Mapping[Setting, Range] | None = None
) -> Range:
    """The model's range, narrowed by what the user configured."""
    device = SPECS[setting].device_range(limits)
    if device is None:
        raise KeyError(f"{limits.model} has no {setting}")
    narrowed = (user or {}).get(setting)
    if narrowed is None:
        return device
    low = max(device.minimum, narrowed.minimum)
    high = min(device.maximum, narrowed.maximum)
    return Range(low, max(low, high))


def voltage_adjust_step(
    target_a: float,
    measured_a: float,
    voltage_set: float,
    window: Range,
    *,
    gain: float = 0.05,
    tolerance: float = 0.25,
) -> float:
    """Next charge voltage that moves the current toward a target below the model minimum.

    An NPB cannot be set below its minimum current, but in constant-voltage mode the
    current follows the voltage: lowering the set voltage lowers the current. The step
    is proportional (about the volts per amp of a battery's internal resistance) and
    limited to half a volt so one poll never jumps. Within tolerance of the target
    nothing changes: each new voltage is an EEPROM write.
    """
    if abs(target_a - measured_a) <= tolerance:
        return voltage_set
    delta = max(-0.5, min(0.5, (target_a - measured_a) * gain))
    return round(max(window.minimum, min(window.maximum, voltage_set + delta)), 2)
