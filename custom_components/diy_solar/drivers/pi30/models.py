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


def _within(value: float, low: float, high: float, what: str, command: str) -> None:
    """A reading outside what the unit can physically report is a bad frame, not a value."""
    if not low <= value <= high:
        raise Pi30ProtocolError(f"{command}: {what} {value:g} outside {low:g}..{high:g}")


Limits = tuple[tuple[int, str, float, float], ...]


def _check(f: list[str], limits: Limits, command: str) -> None:
    """Each field present that limits names (index, what, lowest, highest) within them."""
    for index, what, low, high in limits:
        if index < len(f):
            _within(_num(f[index], command), low, high, what, command)


def _int(text: str, command: str) -> int:
    return int(_num(text, command))


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


# Physical bounds of the QPIGS fields (index, name, lowest, highest) for any PI30 unit,
# 12 V to 48 V, up to 12 kW; the battery and PV figures are never negative here.
_QPIGS_LIMITS: Limits = (
    (0, "grid voltage", 0, 300),
    (1, "grid frequency", 0, 70),
    (2, "output voltage", 0, 300),
    (3, "output frequency", 0, 70),
    (4, "apparent power", 0, 20_000),
    (5, "active power", 0, 20_000),
    (6, "load", 0, 300),
    (7, "bus voltage", 0, 600),
    (8, "battery voltage", 0, 80),
    (9, "charging current", 0, 500),
    (10, "battery capacity", 0, 100),
    (11, "heatsink temperature", -40, 125),
    (12, "PV current", 0, 200),
    (13, "PV voltage", 0, 600),
    (14, "SCC battery voltage", 0, 80),
    (15, "discharge current", 0, 500),
    (17, "fan voltage offset", 0, 999),
    (19, "PV charging power", 0, 20_000),
)


def parse_qpigs(payload: str) -> GeneralStatus:
    c = "QPIGS"
    f = _fields(payload, 17, c)
    status = _bits(f[16], c)
    if len(status) != 8:
        raise Pi30ProtocolError(f"{c}: status field {f[16]!r} is not 8 bits")
    status2 = _bits(f[20], c) if len(f) > 20 else None
    _check(f, _QPIGS_LIMITS, c)
    return GeneralStatus(
        grid_voltage=_num(f[0], c),
        grid_frequency=_num(f[1], c),
        ac_output_voltage=_num(f[2], c),
        ac_output_frequency=_num(f[3], c),
        ac_output_apparent_power=_int(f[4], c),
        ac_output_active_power=_int(f[5], c),
        output_load_percent=_int(f[6], c),
        bus_voltage=_int(f[7], c),
        battery_voltage=_num(f[8], c),
        battery_charging_current=_int(f[9], c),
        battery_capacity=_int(f[10], c),
        heatsink_temperature=_int(f[11], c),
        pv_input_current=_num(f[12], c),
        pv_input_voltage=_num(f[13], c),
        battery_voltage_from_scc=_num(f[14], c),
        battery_discharge_current=_int(f[15], c),
        sbu_priority_version=status[0],
        configuration_changed=status[1],
        scc_firmware_updated=status[2],
        load_on=status[3],
        battery_voltage_steady=status[4],
        charging=status[5],
        scc_charging=status[6],
        ac_charging=status[7],
        fan_voltage_offset=_int(f[17], c) if len(f) > 17 else None,
        eeprom_version=_int(f[18], c) if len(f) > 18 else None,
        pv_charging_power=_int(f[19], c) if len(f) > 19 else None,
        charging_to_float=status2[0] if status2 else None,
        switched_on=status2[1] if status2 and len(status2) > 1 else None,
        dustproof_installed=status2[2] if status2 and len(status2) > 2 else None,
    )


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


_QPIRI_LIMITS: Limits = (
    (0, "grid rating voltage", 90, 300),
    (1, "grid rating current", 0, 100),
    (2, "output rating voltage", 90, 300),
    (3, "output rating frequency", 40, 70),
    (4, "output rating current", 0, 100),
    (5, "rated apparent power", 0, 20_000),
    (6, "rated active power", 0, 20_000),
    (7, "battery rating voltage", 10, 80),
    (8, "recharge voltage", 0, 80),
    (9, "under voltage", 0, 80),
    (10, "bulk voltage", 0, 80),
    (11, "float voltage", 0, 80),
    (12, "battery type", 0, 9),
    (13, "max AC charging current", 0, 500),
    (14, "max charging current", 0, 500),
    (22, "re-discharge voltage", 0, 80),
)


def parse_qpiri(payload: str) -> RatedInfo:
    c = "QPIRI"
    f = _fields(payload, 18, c)
    # The priorities and the input range are one digit: a payload of another command (a
    # QPIGS with its 8-bit status field at 16) is not taken for settings.
    for index in (15, 16, 17):
        if len(f[index]) != 1 or not f[index].isdigit():
            raise Pi30ProtocolError(f"{c}: field {index + 1} {f[index]!r} is not one digit")
    _check(f, _QPIRI_LIMITS, c)

    def opt_int(i: int) -> int | None:
        return _int(f[i], c) if len(f) > i else None

    return RatedInfo(
        grid_rating_voltage=_num(f[0], c),
        grid_rating_current=_num(f[1], c),
        ac_output_rating_voltage=_num(f[2], c),
        ac_output_rating_frequency=_num(f[3], c),
        ac_output_rating_current=_num(f[4], c),
        ac_output_rating_apparent_power=_int(f[5], c),
        ac_output_rating_active_power=_int(f[6], c),
        battery_rating_voltage=_num(f[7], c),
        battery_recharge_voltage=_num(f[8], c),
        battery_under_voltage=_num(f[9], c),
        battery_bulk_voltage=_num(f[10], c),
        battery_float_voltage=_num(f[11], c),
        battery_type=_int(f[12], c),
        max_ac_charging_current=_int(f[13], c),
        max_charging_current=_int(f[14], c),
        input_voltage_range=_int(f[15], c),
        output_source_priority=_int(f[16], c),
        charger_source_priority=_int(f[17], c),
        parallel_max_num=opt_int(18),
        machine_type=f[19] if len(f) > 19 else None,
        topology=opt_int(20),
        output_mode=opt_int(21),
        battery_redischarge_voltage=_num(f[22], c) if len(f) > 22 else None,
        pv_ok_condition=opt_int(23),
        pv_power_balance=opt_int(24),
    )


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
        values=tuple(sorted({_int(p, command) for p in parts})),
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
_QPGS_LIMITS: Limits = (
    (3, "fault code", 0, 99),
    (4, "grid voltage", 0, 300),
    (5, "grid frequency", 0, 70),
    (6, "output voltage", 0, 300),
    (7, "output frequency", 0, 70),
    (8, "apparent power", 0, 20_000),
    (9, "active power", 0, 20_000),
    (10, "load", 0, 300),
    (11, "battery voltage", 0, 80),
    (12, "charging current", 0, 500),
    (13, "battery capacity", 0, 100),
    (14, "PV voltage", 0, 600),
    (15, "total charging current", 0, 4_500),
    (16, "total apparent power", 0, 180_000),
    (17, "total active power", 0, 180_000),
    (18, "total load", 0, 300),
    (20, "output mode", 0, 9),
    (21, "charger source priority", 0, 9),
    (22, "max charging current", 0, 500),
    (23, "max charging current range", 0, 500),
    (24, "max AC charging current", 0, 500),
    (25, "PV current", 0, 200),
    (26, "discharge current", 0, 500),
)


def parse_qpgs(payload: str) -> ParallelStatus:
    c = "QPGS"
    f = _fields(payload, 25, c)
    # Field by field, so that a payload with one field lost never reads shifted.
    if f[0] not in ("0", "1") or len(_bits(f[19], c)) != 8:
        raise Pi30ProtocolError(f"{c}: {payload!r} is not a parallel unit's status")
    parse_qid(f[1])
    _check(f, _QPGS_LIMITS, c)
    return ParallelStatus(
        parallel_exists=f[0] == "1",
        serial_number=f[1],
        mode=parse_qmod(f[2]),
        fault_code=_int(f[3], c),
        grid_voltage=_num(f[4], c),
        grid_frequency=_num(f[5], c),
        ac_output_voltage=_num(f[6], c),
        ac_output_frequency=_num(f[7], c),
        ac_output_apparent_power=_int(f[8], c),
        ac_output_active_power=_int(f[9], c),
        load_percent=_int(f[10], c),
        battery_voltage=_num(f[11], c),
        battery_charging_current=_int(f[12], c),
        battery_capacity=_int(f[13], c),
        pv_input_voltage=_num(f[14], c),
        total_charging_current=_int(f[15], c),
        total_ac_output_apparent_power=_int(f[16], c),
        total_ac_output_active_power=_int(f[17], c),
        total_load_percent=_int(f[18], c),
        inverter_status=f[19],
        output_mode=_int(f[20], c),
        charger_source_priority=_int(f[21], c),
        max_charging_current=_int(f[22], c),
        max_charging_current_range=_int(f[23], c),
        max_ac_charging_current=_int(f[24], c),
        pv_input_current=_num(f[25], c) if len(f) > 25 else None,
        battery_discharge_current=_int(f[26], c) if len(f) > 26 else None,
    )


def as_dict(model: object) -> dict[str, object]:
    """A JSON-friendly dict of a reading (for the CLI and diagnostics)."""
    return {f.name: getattr(model, f.name) for f in fields(model)}  # type: ignore[arg-type]
