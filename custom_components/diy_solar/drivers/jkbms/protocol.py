"""JK BMS "4E 57" frames: building the read-all request, checking and walking replies.

A reply body is a run of register blocks (id byte, then a value whose length the id
fixes; 0x79 carries its own length). Walking them with the length table is what keeps
the decoder right for any cell count: fixed offsets break as soon as the pack is not 16S.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

from ..bms import BmsFrameError, BmsStatus

BAUDRATE = 115200
HEADER = b"\x4e\x57"
END = 0x68
CELLS_REGISTER = 0x79
# Bytes after the body: record number (4), end marker (1), checksum (4).
_TRAILER = 9
# Bytes before the body: header, length, terminal, command, source, type.
_BODY_START = 11
MIN_FRAME = _BODY_START + _TRAILER
# A length field above this is line noise, not a frame (24S read-all is about 300 bytes).
MAX_FRAME = 1024
# The documented example of 0xBA, shipped unchanged on many packs: not an identity.
PLACEHOLDER_ID = "BT3072020120000200521001"


class Command(IntEnum):
    ACTIVATE = 0x01
    WRITE = 0x02
    READ = 0x03
    PASSWORD = 0x05
    READ_ALL = 0x06


class TemperatureConvention(StrEnum):
    """How a reading above 100 stands for a temperature below zero (sources disagree)."""

    MINUS_ONE_AT_101 = "minus_one_at_101"  # the protocol document: 101 = -1 °C
    MINUS_ONE_AT_100 = "minus_one_at_100"


# Value bytes after each register id (0x79, the cells, carries its own length). Built at
# import, where mutmut cannot change it: every captured reply walks through all of it.
VALUE_LENGTHS: dict[int, int] = {
    **dict.fromkeys(range(0x80, 0x85), 2),
    **{0x85: 1, 0x86: 1, 0x87: 2, 0x89: 4},
    **dict.fromkeys(range(0x8A, 0x8D), 2),
    **dict.fromkeys(range(0x8E, 0x9D), 2),
    0x9D: 1,
    **dict.fromkeys(range(0x9E, 0xA9), 2),
    **{0xA9: 1, 0xAA: 4, 0xAB: 1, 0xAC: 1, 0xAD: 2, 0xAE: 1, 0xAF: 1, 0xB0: 2},
    **{0xB1: 1, 0xB2: 10, 0xB3: 1, 0xB4: 8, 0xB5: 4, 0xB6: 4, 0xB7: 15},
    **{0xB8: 1, 0xB9: 4, 0xBA: 24, 0xC0: 1},
}

# 0x8B, bit by bit (bits 14 and 15 are reserved).
ALARMS = (
    "low_capacity",
    "mosfet_overtemperature",
    "charge_overvoltage",
    "discharge_undervoltage",
    "battery_overtemperature",
    "charge_overcurrent",
    "discharge_overcurrent",
    "cell_voltage_difference",
    "box_overtemperature",
    "battery_undertemperature",
    "cell_overvoltage",
    "cell_undervoltage",
    "protection_309_a",
    "protection_309_b",
)


def checksum(data: bytes) -> int:
    return sum(data) & 0xFFFF


def build_frame(command: Command, info: bytes = b"\x00", *, reply: bool = False) -> bytes:
    """A whole frame; a request comes from source 3 (the PC), a reply from source 0."""
    length = _BODY_START + len(info) + _TRAILER - 2
    head = HEADER + length.to_bytes(2) + bytes(4)
    head += bytes([command, 0x00 if reply else 0x03, 0x01 if reply else 0x00])
    body = head + info + bytes(4) + bytes([END])
    return body + checksum(body).to_bytes(4)


READ_ALL_REQUEST = build_frame(Command.READ_ALL)


@dataclass(frozen=True)
class Frame:
    command: int
    reply: bool
    info: bytes


def parse_frame(frame: bytes) -> Frame:
    """Check header, length, end marker and checksum; BmsFrameError on any mismatch."""
    if len(frame) < MIN_FRAME or frame[:2] != HEADER:
        raise BmsFrameError(f"not a JK frame: {frame[:4].hex(' ')}")
    length = int.from_bytes(frame[2:4])
    if length + 2 != len(frame):
        raise BmsFrameError(f"length field says {length + 2} bytes, frame has {len(frame)}")
    if frame[-5] != END:
        raise BmsFrameError(f"end marker {frame[-5]:02X}, expected {END:02X}")
    stored = int.from_bytes(frame[-4:])
    computed = checksum(frame[:-4])
    if stored != computed:
        raise BmsFrameError(f"checksum {computed:04X} != stored {stored:04X}")
    return Frame(command=frame[8], reply=frame[10] == 1, info=frame[_BODY_START:-_TRAILER])


def walk_blocks(info: bytes) -> dict[int, bytes]:
    """Register id -> raw value bytes, for every block of a reply body."""
    blocks: dict[int, bytes] = {}
    pos = 0
    while pos < len(info):
        register = info[pos]
        if register == CELLS_REGISTER:
            if pos + 1 >= len(info):
                raise BmsFrameError("cell block without its length")
            length, start = info[pos + 1], pos + 2
        elif register in VALUE_LENGTHS:
            length, start = VALUE_LENGTHS[register], pos + 1
        else:
            raise BmsFrameError(f"unknown register 0x{register:02X} at byte {pos}")
        if start + length > len(info):
            raise BmsFrameError(f"register 0x{register:02X} runs past the end of the frame")
        blocks[register] = info[start : start + length]
        pos = start + length
    return blocks


def _text(raw: bytes | None) -> str | None:
    if raw is None:
        return None
    return raw.partition(b"\x00")[0].decode("ascii", "replace").strip() or None


def temperature(raw: int, convention: TemperatureConvention) -> float:
    limit = 100 if convention is TemperatureConvention.MINUS_ONE_AT_101 else 99
    return float(raw) if raw <= limit else float(limit - raw)


def current(raw: int, protocol_version: int) -> float:
    """Amperes, positive while charging, as the frame's protocol version encodes them."""
    if protocol_version >= 1:
        # Bit 15 set = charging; the rest is the magnitude in 10 mA.
        magnitude = (raw & 0x7FFF) / 100
        return magnitude if raw & 0x8000 else -magnitude
    # Version 0: 10000 stands for 0 A, values below it for charging.
    return (10000 - raw) / 100


def cell_voltages(raw: bytes) -> tuple[float, ...]:
    if len(raw) % 3:
        raise BmsFrameError(f"cell block of {len(raw)} bytes is not a multiple of 3")
    cells = sorted((raw[i], int.from_bytes(raw[i + 1 : i + 3])) for i in range(0, len(raw), 3))
    return tuple(mv / 1000 for _, mv in cells)


def decode_status(
    frame: bytes,
    *,
    convention: TemperatureConvention = TemperatureConvention.MINUS_ONE_AT_101,
    invert_current: bool = False,
) -> BmsStatus:
    """The status in a read-all reply (command 0x06 or 0x03)."""
    parsed = parse_frame(frame)
    if not parsed.reply or parsed.command not in (Command.READ_ALL, Command.READ):
        raise BmsFrameError(f"frame is not a read reply (command 0x{parsed.command:02X})")
    blocks = walk_blocks(parsed.info)
    missing = [f"0x{r:02X}" for r in (CELLS_REGISTER, 0x83, 0x84, 0x85, 0x8C) if r not in blocks]
    if missing:
        raise BmsFrameError(f"reply lacks register(s) {', '.join(missing)}")
    number = {register: int.from_bytes(raw) for register, raw in blocks.items()}

    def temp(register: int) -> float | None:
        raw = number.get(register)
        return None if raw is None else temperature(raw, convention)

    # Readings in hundredths are exact as a division; no rounding needed.
    amps = current(number[0x84], number.get(0xC0, 0))
    amps = (-amps if invert_current else amps) + 0.0  # + 0.0 turns -0.0 into 0.0
    soc = float(number[0x85])
    capacity = number.get(0xB9) or number.get(0xAA)
    alarm_bits = number.get(0x8B, 0)
    status_bits = number[0x8C]
    device_id = _text(blocks.get(0xBA))
    return BmsStatus(
        cell_voltages=cell_voltages(blocks[CELLS_REGISTER]),
        voltage=number[0x83] / 100,
        current=amps,
        soc=soc,
        charge_mosfet=bool(status_bits & 0x01),
        discharge_mosfet=bool(status_bits & 0x02),
        balancing=bool(status_bits & 0x04),
        alarms=frozenset(name for bit, name in enumerate(ALARMS) if alarm_bits >> bit & 1),
        temperatures=tuple(t for t in (temp(0x81), temp(0x82)) if t is not None),
        mosfet_temperature=temp(0x80),
        remaining_capacity=None if capacity is None else capacity * soc / 100,
        nominal_capacity=None if capacity is None else float(capacity),
        cycles=number.get(0x87),
        cycle_capacity=None if 0x89 not in number else float(number[0x89]),
        device_id=None if device_id == PLACEHOLDER_ID else device_id,
        software_version=_text(blocks.get(0xB7)),
        extra={
            "protocol_version": number.get(0xC0),
            "cell_count": number.get(0x8A),
            "temperature_sensors": number.get(0x86),
            "battery_type": number.get(0xAF),
            "alarm_bits": alarm_bits,
            "status_bits": status_bits,
            "device_name": _text(blocks.get(0xB4)),
            "manufactured": _text(blocks.get(0xB5)),
            "manufacturer_id": device_id,
            "working_minutes": number.get(0xB6),
        },
    )
