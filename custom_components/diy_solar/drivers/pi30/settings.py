"""The PI30 settings we write: allowed values, command text, and read-back field.

Pure: which values a unit accepts is worked out from its own QPIRI battery
rating and its QMCHGCR / QMUCHGCR answers, so nothing here touches a port.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .exceptions import Pi30ValueError
from .models import CurrentOptions, RatedInfo


class SettingKey(StrEnum):
    OUTPUT_SOURCE_PRIORITY = "output_source_priority"
    CHARGER_SOURCE_PRIORITY = "charger_source_priority"
    FLOAT_VOLTAGE = "float_voltage"
    BULK_VOLTAGE = "bulk_voltage"
    RECHARGE_VOLTAGE = "recharge_voltage"
    REDISCHARGE_VOLTAGE = "redischarge_voltage"
    CUTOFF_VOLTAGE = "cutoff_voltage"
    MAX_CHARGE_CURRENT = "max_charge_current"
    MAX_UTILITY_CHARGE_CURRENT = "max_utility_charge_current"


@dataclass(frozen=True)
class Allowed:
    """Values a setting accepts: a stepped range, listed extras, or only a list."""

    minimum: float
    maximum: float
    step: float
    extra: tuple[float, ...] = ()
    choices: tuple[float, ...] | None = None

    def accepts(self, value: float) -> bool:
        if self.choices is not None:
            return value in self.choices
        if value in self.extra:
            return True
        if not self.minimum <= value <= self.maximum:
            return False
        steps = (value - self.minimum) / self.step
        return abs(steps - round(steps)) < 1e-6

    def describe(self) -> str:
        if self.choices is not None:
            return ", ".join(_fmt(v) for v in self.choices)
        text = f"{_fmt(self.minimum)} to {_fmt(self.maximum)} in steps of {_fmt(self.step)}"
        if self.extra:
            text += " (or " + ", ".join(_fmt(v) for v in self.extra) + ")"
        return text


def _fmt(value: float) -> str:
    return f"{value:g}"


@dataclass(frozen=True)
class Capabilities:
    """What one unit allows, from its ratings and its current-option queries."""

    rated: RatedInfo
    charge_currents: CurrentOptions | None = None
    utility_charge_currents: CurrentOptions | None = None

    @property
    def voltage_scale(self) -> float:
        # The protocol gives limits for 48 V units; 12 V and 24 V units scale them.
        return self.rated.battery_rating_voltage / 48.0

    def allowed(self, key: SettingKey) -> Allowed | None:
        """The values key accepts on this unit; None when the unit does not tell us."""
        s = self.voltage_scale
        match key:
            case SettingKey.OUTPUT_SOURCE_PRIORITY:
                return Allowed(0, 2, 1)
            case SettingKey.CHARGER_SOURCE_PRIORITY:
                return Allowed(0, 3, 1)
            case SettingKey.FLOAT_VOLTAGE | SettingKey.BULK_VOLTAGE:
                return Allowed(round(48.0 * s, 1), round(58.4 * s, 1), 0.1)
            case SettingKey.RECHARGE_VOLTAGE:
                return Allowed(round(44.0 * s, 1), round(51.0 * s, 1), round(1.0 * s, 2))
            case SettingKey.REDISCHARGE_VOLTAGE:
                # 0 means "when the battery is full".
                return Allowed(round(48.0 * s, 1), round(58.0 * s, 1), round(1.0 * s, 2), (0.0,))
            case SettingKey.CUTOFF_VOLTAGE:
                return Allowed(round(40.0 * s, 1), round(48.0 * s, 1), 0.1)
            case SettingKey.MAX_CHARGE_CURRENT:
                return _from_options(self.charge_currents)
            case SettingKey.MAX_UTILITY_CHARGE_CURRENT:
                return _from_options(self.utility_charge_currents)
        raise KeyError(key)  # pragma: no cover - match is exhaustive

    def command(self, key: SettingKey, value: float) -> str:
        """The setter command for value, after checking the unit accepts it."""
        allowed = self.allowed(key)
        if allowed is None:
            raise Pi30ValueError(
                f"{key}: the inverter did not report its allowed values; not writing"
            )
        if not allowed.accepts(value):
            raise Pi30ValueError(f"{key}: {_fmt(value)} is not allowed; use {allowed.describe()}")
        match key:
            case SettingKey.OUTPUT_SOURCE_PRIORITY:
                return f"POP{int(value):02d}"
            case SettingKey.CHARGER_SOURCE_PRIORITY:
                return f"PCP{int(value):02d}"
            case SettingKey.MAX_CHARGE_CURRENT:
                return f"MCHGC{int(value):0{_width(self.charge_currents)}d}"
            case SettingKey.MAX_UTILITY_CHARGE_CURRENT:
                return f"MUCHGC{int(value):0{_width(self.utility_charge_currents)}d}"
        return f"{_VOLTAGE_COMMANDS[key]}{value:04.1f}"

    def current_value(self, key: SettingKey) -> float | None:
        """What QPIRI says the setting is now."""
        value = getattr(self.rated, _RATED_FIELDS[key])
        return None if value is None else float(value)


def _from_options(options: CurrentOptions | None) -> Allowed | None:
    if options is None or not options.values:
        return None
    values = tuple(float(v) for v in options.values)
    return Allowed(values[0], values[-1], 1, choices=values)


def _width(options: CurrentOptions | None) -> int:
    # MAX / MKS IV units list 4-digit values and want 4 digits back.
    return max(3, options.digits if options else 3)


_VOLTAGE_COMMANDS = {
    SettingKey.FLOAT_VOLTAGE: "PBFT",
    SettingKey.BULK_VOLTAGE: "PCVV",
    SettingKey.RECHARGE_VOLTAGE: "PBCV",
    SettingKey.REDISCHARGE_VOLTAGE: "PBDV",
    SettingKey.CUTOFF_VOLTAGE: "PSDV",
}

_RATED_FIELDS = {
    SettingKey.OUTPUT_SOURCE_PRIORITY: "output_source_priority",
    SettingKey.CHARGER_SOURCE_PRIORITY: "charger_source_priority",
    SettingKey.FLOAT_VOLTAGE: "battery_float_voltage",
    SettingKey.BULK_VOLTAGE: "battery_bulk_voltage",
    SettingKey.RECHARGE_VOLTAGE: "battery_recharge_voltage",
    SettingKey.REDISCHARGE_VOLTAGE: "battery_redischarge_voltage",
    SettingKey.CUTOFF_VOLTAGE: "battery_under_voltage",
    SettingKey.MAX_CHARGE_CURRENT: "max_charging_current",
    SettingKey.MAX_UTILITY_CHARGE_CURRENT: "max_ac_charging_current",
}
