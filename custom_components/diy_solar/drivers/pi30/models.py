"""Typed readings of the PI30 query commands and their pure parsers.

Parsers are tolerant the way real units need: extra trailing fields are
ignored, numbers may be wider than the protocol PDF says, and optional
fields that older firmware leaves out come back as None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from enum import IntEnum, StrEnum

from .exceptions import Pi30ProtocolError


class DeviceMode(StrEnum):
    """Operating mode reported by QMOD."""

    POWER_ON = "power_on"
    STANDBY = "standby"
    LINE = "line"
    BATTERY = "battery"
    FAULT = "fault"
    POWER_SAVING = "power_saving"
    BYPASS = "bypass"


_MODE_CODES = {
    "P": DeviceMode.POWER_ON,
    "S": DeviceMode.STANDBY,
    "L": DeviceMode.LINE,
    "B": DeviceMode.BATTERY,
    "F": DeviceMode.FAULT,
    "H": DeviceMode.POWER_SAVING,
    "Y": DeviceMode.BYPASS,
}


class OutputSourcePriority(IntEnum):
    """POP setting: which source feeds the load first."""

    UTILITY_FIRST = 0
    SOLAR_FIRST = 1
    SBU = 2


class ChargerSourcePriority(IntEnum):
    """PCP setting: which sources may charge the battery."""

    UTILITY_FIRST = 0
    SOLAR_FIRST = 1
    SOLAR_AND_UTILITY = 2
    SOLAR_ONLY = 3


def _fields(payload: str, minimum: int, command: str) -> list[str]:
    parts = payload.split()
    if len(parts) < minimum:
        raise Pi30ProtocolError(f"{command}: expected at least {minimum} fields, got {len(parts)}")
    return parts


# What a unit sends for a number: digits, maybe a sign and a decimal point ("nan", "inf",
# "1e999" or "1_0" are not numbers on the wire, though Python would take them).
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?", re.ASCII)


def _num(text: str, command: str) -> float:
    if not _NUMBER.fullmatch(text) or len(text) > 12:
        raise Pi30ProtocolError(f"{command}: {text!r} is not a number")
    return float(text)


# Where a number sits in a reply (0-based field), the reading it fills, whether it is
# whole, and the lowest and highest value a unit can physically report there: a value
# outside is a bad frame, not a reading.
Numbers = tuple[tuple[int, str, type[int] | type[float], float, float], ...]
_ANY = float("inf")


def _numbers(f: list[str], spec: Numbers, command: str) -> dict[str, float]:
    """The readings of the fields present that spec names, each within its bounds."""
    values: dict[str, float] = {}
    for index, name, kind, low, high in spec:
        if index < len(f):
            value = _num(f[index], command)
            if not low <= value <= high:
                raise Pi30ProtocolError(f"{command}: {name} {value:g} outside {low:g}..{high:g}")
            values[name] = kind(value)
    return values


def _bits(text: str, command: str) -> tuple[bool, ...]:
    if not text or set(text) - {"0", "1"}:
        raise Pi30ProtocolError(f"{command}: {text!r} is not a bit field")
    return tuple(c == "1" for c in text)


@dataclass(frozen=True, kw_only=True)
class GeneralStatus:
    """QPIGS: live measurements."""

    grid_voltage: float
    grid_frequency: float
    ac_output_voltage: float
    ac_output_frequency: float
    ac_output_apparent_power: int
    ac_output_active_power: int
    output_load_percent: int
    bus_voltage: int
    battery_voltage: float
    battery_charging_current: int
    battery_capacity: int
    heatsink_temperature: int
    pv_input_current: float
    pv_input_voltage: float
    battery_voltage_from_scc: float
    battery_discharge_current: int
    sbu_priority_version: bool
    configuration_changed: bool
    scc_firmware_updated: bool
    load_on: bool
    battery_voltage_steady: bool
    charging: bool
    scc_charging: bool
    ac_charging: bool
    fan_voltage_offset: int | None = None
    eeprom_version: int | None = None
    pv_charging_power: int | None = None
    charging_to_float: bool | None = None
    switched_on: bool | None = None
    dustproof_installed: bool | None = None

    @property
    def pv_input_power(self) -> float:
        """PV power; units without field 19 only give voltage and current."""
        if self.pv_charging_power is not None:
            return float(self.pv_charging_power)
        return round(self.pv_input_current * self.pv_input_voltage, 1)

    @property
    def battery_charge_power(self) -> float:
        return round(self.battery_voltage * self.battery_charging_current, 1)

    @property
    def battery_discharge_power(self) -> float:
        return round(self.battery_voltage * self.battery_discharge_current, 1)


# Any PI30 unit, 12 V to 48 V, up to 12 kW; the battery and PV figures are never negative here.
_QPIGS: Numbers = (
    (0, "grid_voltage", float, 0, 300),
    (1, "grid_frequency", float, 0, 70),
    (2, "ac_output_voltage", float, 0, 300),
    (3, "ac_output_frequency", float, 0, 70),
    (4, "ac_output_apparent_power", int, 0, 20_000),
    (5, "ac_output_active_power", int, 0, 20_000),
    (6, "output_load_percent", int, 0, 300),
    (7, "bus_voltage", int, 0, 600),
    (8, "battery_voltage", float, 0, 80),
    (9, "battery_charging_current", int, 0, 500),
    (10, "battery_capacity", int, 0, 100),
    (11, "heatsink_temperature", int, -40, 125),
    (12, "pv_input_current", float, 0, 200),
    (13, "pv_input_voltage", float, 0, 600),
    (14, "battery_voltage_from_scc", float, 0, 80),
    (15, "battery_discharge_current", int, 0, 500),
    (17, "fan_voltage_offset", int, 0, 999),
    (18, "eeprom_version", int, 0, _ANY),
    (19, "pv_charging_power", int, 0, 20_000),
)
# The bits of field 17, and of field 21 that newer firmware adds (as many as it sends).
_QPIGS_STATUS = (
    "sbu_priority_version",
    "configuration_changed",
    "scc_firmware_updated",
    "load_on",
    "battery_voltage_steady",
    "charging",
    "scc_charging",
    "ac_charging",
)
_QPIGS_STATUS2 = ("charging_to_float", "switched_on", "dustproof_installed")


def parse_qpigs(payload: str) -> GeneralStatus:
    c = "QPIGS"
    f = _fields(payload, 17, c)
    status = _bits(f[16], c)
    if len(status) != len(_QPIGS_STATUS):
        raise Pi30ProtocolError(f"{c}: status field {f[16]!r} is not 8 bits")
    status2 = _bits(f[20], c) if len(f) > 20 else ()
    flags = {name: status[i] for i, name in enumerate(_QPIGS_STATUS)}
    flags |= {name: status2[i] for i, name in enumerate(_QPIGS_STATUS2[: len(status2)])}
    return GeneralStatus(**_numbers(f, _QPIGS, c), **flags)  # type: ignore[arg-type]


@dataclass(frozen=True, kw_only=True)
class RatedInfo:
    """QPIRI: ratings and the current settings."""

    grid_rating_voltage: float
    grid_rating_current: float
    ac_output_rating_voltage: float
    ac_output_rating_frequency: float
    ac_output_rating_current: float
    ac_output_rating_apparent_power: int
    ac_output_rating_active_power: int
    battery_rating_voltage: float
    battery_recharge_voltage: float
    battery_under_voltage: float
    battery_bulk_voltage: float
    battery_float_voltage: float
    battery_type: int
    max_ac_charging_current: int
    max_charging_current: int
    input_voltage_range: int
    output_source_priority: int
    charger_source_priority: int
    parallel_max_num: int | None = None
    machine_type: str | None = None
    topology: int | None = None
    output_mode: int | None = None
    battery_redischarge_voltage: float | None = None
    pv_ok_condition: int | None = None
    pv_power_balance: int | None = None


_QPIRI: Numbers = (
    (0, "grid_rating_voltage", float, 90, 300),
    (1, "grid_rating_current", float, 0, 100),
    (2, "ac_output_rating_voltage", float, 90, 300),
    (3, "ac_output_rating_frequency", float, 40, 70),
    (4, "ac_output_rating_current", float, 0, 100),
    (5, "ac_output_rating_apparent_power", int, 0, 20_000),
    (6, "ac_output_rating_active_power", int, 0, 20_000),
    (7, "battery_rating_voltage", float, 10, 80),
    (8, "battery_recharge_voltage", float, 0, 80),
    (9, "battery_under_voltage", float, 0, 80),
    (10, "battery_bulk_voltage", float, 0, 80),
    (11, "battery_float_voltage", float, 0, 80),
    (12, "battery_type", int, 0, 9),
    (13, "max_ac_charging_current", int, 0, 500),
    (14, "max_charging_current", int, 0, 500),
    (15, "input_voltage_range", int, 0, _ANY),
    (16, "output_source_priority", int, 0, _ANY),
    (17, "charger_source_priority", int, 0, _ANY),
    (18, "parallel_max_num", int, 0, _ANY),
    (20, "topology", int, 0, _ANY),
    (21, "output_mode", int, 0, _ANY),
    (22, "battery_redischarge_voltage", float, 0, 80),
    (23, "pv_ok_condition", int, 0, _ANY),
    (24, "pv_power_balance", int, 0, _ANY),
)


def parse_qpiri(payload: str) -> RatedInfo:
    c = "QPIRI"
    f = _fields(payload, 18, c)
    # The priorities and the input range are one digit: a payload of another command (a
    # QPIGS with its 8-bit status field at 16) is not taken for settings.
    for index in (15, 16, 17):
        if len(f[index]) != 1 or not f[index].isdigit():
            raise Pi30ProtocolError(f"{c}: field {index + 1} {f[index]!r} is not one digit")
    machine_type = f[19] if len(f) > 19 else None
    return RatedInfo(**_numbers(f, _QPIRI, c), machine_type=machine_type)  # type: ignore[arg-type]


def parse_qmod(payload: str) -> DeviceMode:
    code = payload.strip()
    try:
        return _MODE_CODES[code]
    except KeyError as err:
        raise Pi30ProtocolError(f"QMOD: unknown mode {payload!r}") from err


# QPIWS bit positions (a0 is reserved), from the protocol notes.
WARNING_BITS: dict[str, int] = {
    "inverter_fault": 1,
    "bus_over": 2,
    "bus_under": 3,
    "bus_soft_fail": 4,
    "line_fail": 5,
    "opv_short": 6,
    "inverter_voltage_low": 7,
    "inverter_voltage_high": 8,
    "over_temperature": 9,
    "fan_locked": 10,
    "battery_voltage_high": 11,
    "battery_low": 12,
    "battery_under_shutdown": 14,
    "overload": 16,
    "eeprom_fault": 17,
    "inverter_over_current": 18,
    "inverter_soft_fail": 19,
    "self_test_fail": 20,
    "op_dc_voltage_over": 21,
    "battery_open": 22,
    "current_sensor_fail": 23,
    "battery_short": 24,
    "power_limit": 25,
    "pv_voltage_high": 26,
    "mppt_overload_fault": 27,
    "mppt_overload_warning": 28,
    "battery_too_low_to_charge": 29,
}
# These read as warnings unless bit 1 (inverter fault) is set, then they are faults.
_FAULT_WHEN_INVERTER_FAULT = frozenset(
    ("over_temperature", "fan_locked", "battery_voltage_high", "overload")
)


@dataclass(frozen=True)
class WarningStatus:
    """QPIWS: the warning bit field, any length the unit sends."""

    bits: tuple[bool, ...]

    def is_set(self, name: str) -> bool:
        index = WARNING_BITS[name]
        return index < len(self.bits) and self.bits[index]

    @property
    def active(self) -> tuple[str, ...]:
        return tuple(name for name in WARNING_BITS if self.is_set(name))

    @property
    def faults(self) -> tuple[str, ...]:
        """Active bits that mean a fault rather than a warning."""
        if not self.is_set("inverter_fault"):
            return ()
        return tuple(
            n for n in self.active if n == "inverter_fault" or n in _FAULT_WHEN_INVERTER_FAULT
        )


def parse_qpiws(payload: str) -> WarningStatus:
    text = payload.strip()
    bits = _bits(text, "QPIWS")
    if len(bits) < 30:
        raise Pi30ProtocolError(f"QPIWS: expected at least 30 bits, got {len(bits)}")
    return WarningStatus(bits)


def parse_qid(payload: str) -> str:
    serial = payload.strip()
    # Serials are 14 digits on most units; 8 to 20 letters and digits, some of them digits,
    # on any. Anything else is another command's reply (QPI's "PI30", QFLAG's letters,
    # QPIWS's 32 bits).
    if not (
        serial.isascii()
        and serial.isalnum()
        and 8 <= len(serial) <= 20
        and any(c.isdigit() for c in serial)
    ):
        raise Pi30ProtocolError(f"QID: {payload!r} is not a serial number")
    return serial


# Several units report this placeholder instead of a real serial.
PLACEHOLDER_SERIALS = frozenset(("55355535553555",))


def is_placeholder_serial(serial: str) -> bool:
    return serial in PLACEHOLDER_SERIALS or len(set(serial)) <= 1


def parse_qvfw(payload: str) -> str:
    text = payload.strip()
    _, sep, version = text.partition(":")
    if not sep or not version:
        raise Pi30ProtocolError(f"QVFW: {payload!r} has no version")
    return version


def parse_qpi(payload: str) -> str:
    text = payload.strip()
    if not text.startswith("PI"):
        raise Pi30ProtocolError(f"QPI: {payload!r} is not a protocol id")
    return text


def parse_qflag(payload: str) -> dict[str, bool]:
    """QFLAG: ``E`` then the enabled flag letters, ``D`` then the disabled ones."""
    flags: dict[str, bool] = {}
    state: bool | None = None
    for char in payload.strip():
        if char == "E":
            state = True
        elif char == "D":
            state = False
        elif state is None or not char.isalpha():
            raise Pi30ProtocolError(f"QFLAG: unexpected {char!r} in {payload!r}")
        else:
            flags[char] = state
    return flags


FLAG_NAMES = {
    "a": "buzzer",
    "b": "overload_bypass",
    "j": "power_saving",
    "k": "lcd_escape_to_default",
    "u": "overload_restart",
    "v": "over_temperature_restart",
    "x": "backlight",
    "y": "alarm_on_primary_source_interrupt",
    "z": "fault_code_record",
}


@dataclass(frozen=True)
class CurrentOptions:
    """QMCHGCR / QMUCHGCR: the charge currents the unit accepts, and their digit width."""

    values: tuple[int, ...]
    digits: int


def parse_current_options(payload: str, command: str) -> CurrentOptions:
    parts = _fields(payload, 1, command)
    # Whole amperes of two or three digits: a reply with decimals is another command's.
    if any(not (p.isascii() and p.isdigit() and 2 <= len(p) <= 3) for p in parts):
        raise Pi30ProtocolError(f"{command}: {payload!r} is not a list of currents")
    return CurrentOptions(
        values=tuple(sorted({int(p) for p in parts})),
        digits=max(len(p) for p in parts),
    )


@dataclass(frozen=True, kw_only=True)
class ParallelStatus:
    """QPGSn: one unit of a parallel system."""

    parallel_exists: bool
    serial_number: str
    mode: DeviceMode
    fault_code: int
    grid_voltage: float
    grid_frequency: float
    ac_output_voltage: float
    ac_output_frequency: float
    ac_output_apparent_power: int
    ac_output_active_power: int
    load_percent: int
    battery_voltage: float
    battery_charging_current: int
    battery_capacity: int
    pv_input_voltage: float
    total_charging_current: int
    total_ac_output_apparent_power: int
    total_ac_output_active_power: int
    total_load_percent: int
    inverter_status: str
    output_mode: int
    charger_source_priority: int
    max_charging_current: int
    max_charging_current_range: int
    max_ac_charging_current: int
    pv_input_current: float | None = None
    battery_discharge_current: int | None = None


# A parallel system has up to nine units: its totals go nine times as far as one unit.
_QPGS: Numbers = (
    (3, "fault_code", int, 0, 99),
    (4, "grid_voltage", float, 0, 300),
    (5, "grid_frequency", float, 0, 70),
    (6, "ac_output_voltage", float, 0, 300),
    (7, "ac_output_frequency", float, 0, 70),
    (8, "ac_output_apparent_power", int, 0, 20_000),
    (9, "ac_output_active_power", int, 0, 20_000),
    (10, "load_percent", int, 0, 300),
    (11, "battery_voltage", float, 0, 80),
    (12, "battery_charging_current", int, 0, 500),
    (13, "battery_capacity", int, 0, 100),
    (14, "pv_input_voltage", float, 0, 600),
    (15, "total_charging_current", int, 0, 4_500),
    (16, "total_ac_output_apparent_power", int, 0, 180_000),
    (17, "total_ac_output_active_power", int, 0, 180_000),
    (18, "total_load_percent", int, 0, 300),
    (20, "output_mode", int, 0, 9),
    (21, "charger_source_priority", int, 0, 9),
    (22, "max_charging_current", int, 0, 500),
    (23, "max_charging_current_range", int, 0, 500),
    (24, "max_ac_charging_current", int, 0, 500),
    (25, "pv_input_current", float, 0, 200),
    (26, "battery_discharge_current", int, 0, 500),
)


def parse_qpgs(payload: str) -> ParallelStatus:
    c = "QPGS"
    f = _fields(payload, 25, c)
    # Field by field, so that a payload with one field lost never reads shifted.
    if f[0] not in ("0", "1") or len(_bits(f[19], c)) != 8:
        raise Pi30ProtocolError(f"{c}: {payload!r} is not a parallel unit's status")
    return ParallelStatus(
        parallel_exists=f[0] == "1",
        serial_number=parse_qid(f[1]),
        mode=parse_qmod(f[2]),
        inverter_status=f[19],
        **_numbers(f, _QPGS, c),  # type: ignore[arg-type]
    )


def as_dict(model: object) -> dict[str, object]:
    """A JSON-friendly dict of a reading (for the CLI and diagnostics)."""
    return {f.name: getattr(model, f.name) for f in fields(model)}  # type: ignore[arg-type]
