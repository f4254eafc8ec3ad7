"""Mean Well CAN bus protocol (BIC-2200 and NPB): ids, commands, scaling, status bits.

Frames carry a little-endian command code followed by a little-endian value. Replies
come from the "device to controller" id; writes are never answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, IntFlag, StrEnum

from .exceptions import MeanWellProtocolError

BITRATE = 250_000


class Family(StrEnum):
    BIC = "bic"
    NPB = "npb"


# (controller -> device base, device -> controller base); the low byte is the address.
_ID_BASES = {Family.BIC: (0x000C0300, 0x000C0200), Family.NPB: (0x000C0100, 0x000C0000)}
MAX_ADDRESS = {Family.BIC: 7, Family.NPB: 3}


def request_id(family: Family, address: int) -> int:
    return _ID_BASES[family][0] | address


def reply_id(family: Family, address: int) -> int:
    return _ID_BASES[family][1] | address


class Command(IntEnum):
    OPERATION = 0x0000
    VOUT_SET = 0x0020
    IOUT_SET = 0x0030
    FAULT_STATUS = 0x0040
    READ_VIN = 0x0050
    READ_VOUT = 0x0060
    READ_IOUT = 0x0061
    READ_TEMPERATURE_1 = 0x0062
    READ_FAN_SPEED_1 = 0x0070
    READ_FAN_SPEED_2 = 0x0071
    MFR_ID_B0B5 = 0x0080
    MFR_ID_B6B11 = 0x0081
    MFR_MODEL_B0B5 = 0x0082
    MFR_MODEL_B6B11 = 0x0083
    MFR_REVISION = 0x0084
    MFR_SERIAL_B0B5 = 0x0087
    MFR_SERIAL_B6B11 = 0x0088
    CURVE_CC = 0x00B0
    CURVE_CV = 0x00B1
    CURVE_FV = 0x00B2
    CURVE_TC = 0x00B3
    CURVE_CONFIG = 0x00B4
    CHG_STATUS = 0x00B8
    SCALING_FACTOR = 0x00C0
    SYSTEM_STATUS = 0x00C1
    SYSTEM_CONFIG = 0x00C2
    DIRECTION_CTRL = 0x0100
    REVERSE_VOUT_SET = 0x0120
    REVERSE_IOUT_SET = 0x0130
    BIDIRECTIONAL_CONFIG = 0x0140


# These two take a one-byte value; every other write takes two.
ONE_BYTE = frozenset({Command.OPERATION, Command.DIRECTION_CTRL})
# Two's complement on the wire (a BIC's current is negative while it discharges).
SIGNED = {
    Family.BIC: frozenset({Command.READ_IOUT, Command.READ_TEMPERATURE_1}),
    Family.NPB: frozenset({Command.READ_TEMPERATURE_1}),
}
# Settings the device keeps in EEPROM (unless EEP_OFF): each write wears it.
EEPROM_BACKED = frozenset(
    {
        Command.VOUT_SET,
        Command.IOUT_SET,
        Command.REVERSE_VOUT_SET,
        Command.REVERSE_IOUT_SET,
        Command.CURVE_CC,
        Command.CURVE_CV,
        Command.CURVE_FV,
        Command.CURVE_TC,
        Command.CURVE_CONFIG,
        Command.SYSTEM_CONFIG,
        Command.BIDIRECTIONAL_CONFIG,
    }
)


def encode_read(command: Command) -> bytes:
    return command.to_bytes(2, "little")


def encode_write(command: Command, raw: int) -> bytes:
    width = 1 if command in ONE_BYTE else 2
    return command.to_bytes(2, "little") + raw.to_bytes(width, "little")


def decode_raw(command: Command, data: bytes, family: Family) -> int:
    """The integer in a reply's value bytes."""
    # A value one byte short would read as another number (52.48 V as 1.28 V).
    width = 1 if command in ONE_BYTE else 2
    if not width <= len(data) <= 2:
        raise MeanWellProtocolError(f"{command.name}: {len(data)} data bytes")
    return int.from_bytes(data[:width], "little", signed=command in SIGNED[family])


def split_frame(data: bytes) -> tuple[int, bytes]:
    """(command code, value bytes) of a frame."""
    if len(data) < 2:
        raise ValueError(f"frame too short: {data.hex()}")
    return int.from_bytes(data[:2], "little"), bytes(data[2:])


class FaultStatus(IntFlag):
    FAN_FAIL = 1 << 0
    OVER_TEMPERATURE = 1 << 1
    OVER_VOLTAGE = 1 << 2
    OVERLOAD = 1 << 3
    SHORT_CIRCUIT = 1 << 4
    AC_FAIL = 1 << 5
    OUTPUT_OFF = 1 << 6
    HIGH_TEMPERATURE = 1 << 7
    HV_OVER_VOLTAGE = 1 << 8


class SystemStatus(IntFlag):
    MASTER = 1 << 0
    DC_OK = 1 << 1
    PFC_OK = 1 << 2
    ACTIVE_DUMMY_LOAD = 1 << 4
    INITIALISED = 1 << 5
    EEPROM_ERROR = 1 << 6


class ChargeStatus(IntFlag):
    """NPB CHG_STATUS."""

    FULL = 1 << 0
    CONSTANT_CURRENT = 1 << 1
    CONSTANT_VOLTAGE = 1 << 2
    FLOAT = 1 << 3
    WAKE_UP_PENDING = 1 << 6
    NTC_SHORT = 1 << 10
    BATTERY_NOT_DETECTED = 1 << 11
    CC_TIMEOUT = 1 << 13
    CV_TIMEOUT = 1 << 14
    FV_TIMEOUT = 1 << 15


# SYSTEM_CONFIG bits.
CAN_CONTROL = 1 << 0
POWER_ON_STATE_MASK = 0b11 << 1
EEP_OFF = 1 << 10
# BIC battery mode: CAN control, output on at power-up; BIDIRECTIONAL_CONFIG bit 0.
BATTERY_MODE_SYSTEM_CONFIG = 0x0003
BATTERY_MODE = 1 << 0
# NPB CURVE_CONFIG bit 7: charger mode (charging curve) rather than power supply.
CURVE_ENABLED = 1 << 7


_FACTORS = {0x4: 0.001, 0x5: 0.01, 0x6: 0.1, 0x7: 1.0, 0x8: 10.0, 0x9: 100.0}


def _factor(code: int) -> float | None:
    """None where the device says the value is not supported (code 0)."""
    if code == 0:
        return None
    if code not in _FACTORS:
        raise ValueError(f"reserved scaling factor code {code:#x}")
    return _FACTORS[code]


@dataclass(frozen=True)
class Scaling:
    """SCALING_FACTOR: one nibble per quantity; None = the device lacks it."""

    vout: float | None
    iout: float | None
    vin: float | None
    fan_speed: float | None
    temperature: float | None

    @classmethod
    def decode(cls, value: bytes) -> Scaling:
        if len(value) < 3:
            raise ValueError(f"SCALING_FACTOR needs 3 bytes, got {value.hex()}")
        return cls(
            vout=_factor(value[0] & 0x0F),
            iout=_factor(value[0] >> 4),
            vin=_factor(value[1] & 0x0F),
            fan_speed=_factor(value[1] >> 4),
            temperature=_factor(value[2] & 0x0F),
        )

    def encode(self) -> bytes:
        codes = {factor: code for code, factor in _FACTORS.items()}

        def nibble(factor: float | None) -> int:
            return 0 if factor is None else codes[factor]

        return bytes(
            (
                nibble(self.vout) | nibble(self.iout) << 4,
                nibble(self.vin) | nibble(self.fan_speed) << 4,
                nibble(self.temperature),
                0,
                0,
                0,
            )
        )


# The manual's defaults, used by the emulator and for any command whose factor is fixed.
DEFAULT_SCALING = Scaling(vout=0.01, iout=0.01, vin=0.1, fan_speed=1.0, temperature=0.1)


def scale_for(command: Command, scaling: Scaling) -> float | None:
    """The factor that turns a raw value of command into volts, amps, rpm or °C."""
    match command:
        case (
            Command.VOUT_SET
            | Command.READ_VOUT
            | Command.REVERSE_VOUT_SET
            | Command.CURVE_CV
            | Command.CURVE_FV
        ):
            return scaling.vout
        case (
            Command.IOUT_SET
            | Command.READ_IOUT
            | Command.REVERSE_IOUT_SET
            | Command.CURVE_CC
            | Command.CURVE_TC
        ):
            return scaling.iout
        case Command.READ_VIN:
            return scaling.vin
        case Command.READ_FAN_SPEED_1 | Command.READ_FAN_SPEED_2:
            return scaling.fan_speed
        case Command.READ_TEMPERATURE_1:
            return scaling.temperature
    return 1.0
