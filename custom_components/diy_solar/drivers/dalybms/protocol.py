"""Daly BMS UART/RS485 frames: 13 bytes, A5 address id 08 data[8] sum.

Requests go out from the host address (0x40 on RS485/USB, 0x80 on the UART port);
the BMS always answers from 0x01. Anything else on the line, an echo of the request
on a half-duplex adapter above all, is rejected rather than decoded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum

from ..bms import BmsFrameError, BmsStatus

BAUDRATE = 9600
START = 0xA5
BMS_ADDRESS = 0x01
HOST_RS485 = 0x40
HOST_UART = 0x80
FRAME_LENGTH = 13
DATA_LENGTH = 8
CELLS_PER_FRAME = 3
TEMPERATURES_PER_FRAME = 7
# Cell voltages above this are filler or noise, not a cell.
MAX_CELL_MV = 5000
CURRENT_OFFSET = 30000
TEMPERATURE_OFFSET = 40


class DataId(IntEnum):
    PACK = 0x90
    CELL_RANGE = 0x91
    TEMPERATURE_RANGE = 0x92
    MOSFETS = 0x93
    STATUS = 0x94
    CELL_VOLTAGES = 0x95
    TEMPERATURES = 0x96
    BALANCING = 0x97
    FAILURES = 0x98
    DISCHARGE_MOSFET = 0xD9
    CHARGE_MOSFET = 0xDA


# 0x98 bytes 0-6, eight bits each; a name given twice covers its level-1 and level-2 bits.
FAILURE_BITS: tuple[tuple[str, ...], ...] = (
    ("cell_overvoltage",) * 2
    + ("cell_undervoltage",) * 2
    + ("pack_overvoltage",) * 2
    + ("pack_undervoltage",) * 2,
    ("charge_overtemperature",) * 2
    + ("charge_undertemperature",) * 2
    + ("discharge_overtemperature",) * 2
    + ("discharge_undertemperature",) * 2,
    ("charge_overcurrent",) * 2
    + ("discharge_overcurrent",) * 2
    + ("soc_high",) * 2
    + ("soc_low",) * 2,
    ("cell_voltage_difference",) * 2 + ("temperature_difference",) * 2,
    (
        "charge_mosfet_overtemperature",
        "discharge_mosfet_overtemperature",
        "charge_mosfet_sensor_fault",
        "discharge_mosfet_sensor_fault",
        "charge_mosfet_stuck",
        "discharge_mosfet_stuck",
        "charge_mosfet_open",
        "discharge_mosfet_open",
    ),
    (
        "afe_fault",
        "cell_sensing_fault",
        "temperature_sensor_fault",
        "eeprom_fault",
        "rtc_fault",
        "precharge_failed",
        "communication_fault",
        "internal_communication_fault",
    ),
    (
        "current_module_fault",
        "pack_voltage_sensing_fault",
        "short_circuit",
        "low_voltage_charge_forbidden",
    ),
)
ALARMS = tuple(dict.fromkeys(name for byte in FAILURE_BITS for name in byte))


def checksum(data: bytes) -> int:
    return sum(data) & 0xFF


def build_frame(address: int, data_id: int, data: bytes = b"") -> bytes:
    body = bytes([START, address, data_id, DATA_LENGTH]) + data.ljust(DATA_LENGTH, b"\x00")
    return body + bytes([checksum(body)])


def request(data_id: int, host: int = HOST_RS485, data: bytes = b"") -> bytes:
    return build_frame(host, data_id, data)


def is_reply_to_another(frame: bytes, data_id: int) -> bool:
    """A whole, well-formed reply from the BMS, to another request than data_id."""
    return (
        len(frame) == FRAME_LENGTH
        and frame[-1] == checksum(frame[:-1])
        and frame[1] == BMS_ADDRESS
        and frame[2] != data_id
    )


def parse_reply(frame: bytes, data_id: int) -> bytes:
    """The 8 data bytes of a reply to data_id; BmsFrameError for anything else."""
    if len(frame) != FRAME_LENGTH or frame[0] != START:
        raise BmsFrameError(f"not a Daly frame: {frame.hex(' ')}")
    if frame[-1] != checksum(frame[:-1]):
        raise BmsFrameError(f"checksum {checksum(frame[:-1]):02X} != stored {frame[-1]:02X}")
    if frame[1] != BMS_ADDRESS:
        # An echo of our own request carries the host address.
        raise BmsFrameError(f"frame from address 0x{frame[1]:02X}, not from the BMS (0x01)")
    if frame[2] != data_id:
        raise BmsFrameError(f"reply to 0x{frame[2]:02X}, expected 0x{data_id:02X}")
    if frame[3] != DATA_LENGTH:
        raise BmsFrameError(f"data length {frame[3]}, expected {DATA_LENGTH}")
    return frame[4:12]


def _u16(data: bytes, at: int) -> int:
    return int.from_bytes(data[at : at + 2])


@dataclass(frozen=True)
class Pack:
    voltage: float
    current: float  # positive = charging, as the protocol defines it
    soc: float


def decode_pack(data: bytes) -> Pack:
    # Bytes 2-3 are the acquisition voltage, which the protocol leaves undefined.
    return Pack(
        voltage=_u16(data, 0) / 10,
        current=(_u16(data, 4) - CURRENT_OFFSET) / 10,
        soc=_u16(data, 6) / 10,
    )


@dataclass(frozen=True)
class CellRange:
    max_voltage: float
    max_cell: int
    min_voltage: float
    min_cell: int


def decode_cell_range(data: bytes) -> CellRange:
    return CellRange(_u16(data, 0) / 1000, data[2], _u16(data, 3) / 1000, data[5])


@dataclass(frozen=True)
class TemperatureRange:
    max_temperature: int
    max_sensor: int
    min_temperature: int
    min_sensor: int


def decode_temperature_range(data: bytes) -> TemperatureRange:
    return TemperatureRange(
        data[0] - TEMPERATURE_OFFSET, data[1], data[2] - TEMPERATURE_OFFSET, data[3]
    )


class State(IntEnum):
    IDLE = 0
    CHARGING = 1
    DISCHARGING = 2


@dataclass(frozen=True)
class Mosfets:
    state: State
    charge: bool
    discharge: bool
    life_cycles: int  # the BMS's own life counter, 0-255
    remaining_capacity: float  # Ah


def decode_mosfets(data: bytes) -> Mosfets:
    return Mosfets(
        state=State(data[0]) if data[0] in State._value2member_map_ else State.IDLE,
        charge=bool(data[1]),
        discharge=bool(data[2]),
        life_cycles=data[3],
        remaining_capacity=int.from_bytes(data[4:8]) / 1000,
    )


@dataclass(frozen=True)
class Status:
    cells: int
    temperature_sensors: int
    charger: bool
    load: bool
    io_bits: int
    cycles: int


def decode_status_info(data: bytes) -> Status:
    return Status(data[0], data[1], bool(data[2]), bool(data[3]), data[4], _u16(data, 5))


def cells_in_frame(data: bytes) -> dict[int, float]:
    """Cell number (from 1) -> volts, for the cells one 0x95 frame carries."""
    first = (data[0] - 1) * CELLS_PER_FRAME + 1
    return {first + i: _u16(data, 1 + 2 * i) / 1000 for i in range(CELLS_PER_FRAME)}


def temperatures_in_frame(data: bytes) -> dict[int, float]:
    """Sensor number (from 1) -> °C, for the sensors one 0x96 frame carries."""
    first = (data[0] - 1) * TEMPERATURES_PER_FRAME + 1
    return {
        first + i: float(data[1 + i] - TEMPERATURE_OFFSET) for i in range(TEMPERATURES_PER_FRAME)
    }


def _gather(
    frames: list[bytes], count: int, split: Callable[[bytes], dict[int, float]], what: str
) -> tuple[float, ...]:
    """Values 1..count from multi-frame replies, placed by their frame numbers (from 1)."""
    found: dict[int, float] = {}
    for data in frames:
        found |= {n: v for n, v in split(data).items() if 1 <= n <= count}
    if len(found) != count:
        raise BmsFrameError(f"{what} for {len(found)} of {count}")
    return tuple(found[n] for n in range(1, count + 1))


def decode_cell_frames(frames: list[bytes], cells: int) -> tuple[float, ...]:
    return _gather(frames, cells, cells_in_frame, "cell voltages")


def decode_temperature_frames(frames: list[bytes], sensors: int) -> tuple[float, ...]:
    return _gather(frames, sensors, temperatures_in_frame, "temperatures")


def decode_balancing(data: bytes, cells: int) -> tuple[int, ...]:
    """1-based numbers of the cells being balanced (bit 0 of byte 0 = cell 1, bytes 6-7
    are reserved)."""
    bits = int.from_bytes(data[:6], "little")
    return tuple(cell + 1 for cell in range(cells) if bits >> cell & 1)


def decode_failures(data: bytes) -> frozenset[str]:
    return frozenset(
        name
        for index, names in enumerate(FAILURE_BITS)
        for bit, name in enumerate(names)
        if data[index] >> bit & 1
    )


def frames_for(count: int, per_frame: int) -> int:
    return -(-count // per_frame)


@dataclass(frozen=True)
class Replies:
    """The data of one full read, reply by reply."""

    pack: bytes
    cell_range: bytes
    temperature_range: bytes
    mosfets: bytes
    status: bytes
    cells: list[bytes]
    temperatures: list[bytes]
    balancing: bytes
    failures: bytes


def assemble(replies: Replies, *, invert_current: bool = False) -> BmsStatus:
    pack = decode_pack(replies.pack)
    mosfets = decode_mosfets(replies.mosfets)
    info = decode_status_info(replies.status)
    cells = decode_cell_frames(replies.cells, info.cells)
    balanced = decode_balancing(replies.balancing, info.cells)
    amps = -pack.current if invert_current else pack.current
    return BmsStatus(
        cell_voltages=cells,
        voltage=pack.voltage,
        current=amps + 0.0,  # + 0.0 turns -0.0 into 0.0
        soc=pack.soc,
        charge_mosfet=mosfets.charge,
        discharge_mosfet=mosfets.discharge,
        balancing=bool(balanced),
        alarms=decode_failures(replies.failures),
        temperatures=decode_temperature_frames(replies.temperatures, info.temperature_sensors),
        remaining_capacity=mosfets.remaining_capacity,
        cycles=info.cycles,
        extra={
            "bms_life": mosfets.life_cycles,
            "state": mosfets.state.name.lower(),
            "charger_connected": info.charger,
            "load_connected": info.load,
            "io_bits": info.io_bits,
            "balancing_cells": list(balanced),
            "failure_bytes": replies.failures.hex(" "),
            "fault_code": replies.failures[7],
            "cell_range": decode_cell_range(replies.cell_range).__dict__,
            "temperature_range": decode_temperature_range(replies.temperature_range).__dict__,
        },
    )
