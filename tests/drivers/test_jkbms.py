"""The JK BMS driver: real captured frames, and the client over a pty against the emulator."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from custom_components.diy_solar.drivers.bms import BmsConnectionError, BmsFrameError
from custom_components.diy_solar.drivers.jkbms import (
    READ_ALL_REQUEST,
    Command,
    JkBmsClient,
    TemperatureConvention,
    decode_status,
    walk_blocks,
)
from custom_components.diy_solar.drivers.jkbms.protocol import (
    CELLS_REGISTER,
    VALUE_LENGTHS,
    build_frame,
    cell_voltages,
    current,
    parse_frame,
    temperature,
)
from custom_components.diy_solar.emulators.battery import CellModel, LineFault
from custom_components.diy_solar.emulators.jkbms import JkBmsEmulator
from custom_components.diy_solar.emulators.plant import Plant
from tests.drivers.cli import async_run_cli, run_cli
from tests.vectors import device_lines


def _frames() -> tuple[bytes, list[bytes], list[bytes]]:
    request, good, bad = b"", [], []
    for text, comment in device_lines("(c1)"):
        frame = bytes.fromhex("".join(text.split()[2:]))
        if text.startswith("REQ"):
            request = frame
        elif "verified_bad" in comment:
            bad.append(frame)
        else:
            good.append(frame)
    return request, good, bad


REQUEST, GOOD, BAD = _frames()


def test_read_all_request_is_the_captured_one() -> None:
    assert READ_ALL_REQUEST == REQUEST


def test_14s_capture_decodes_to_what_its_bytes_say() -> None:
    status = decode_status(GOOD[0])
    assert status.cell_voltages[0] == 3.821
    assert status.cell_voltages[-1] == 3.826
    assert len(status.cell_voltages) == 14
    assert status.voltage == 53.59
    assert status.current == 2.08  # 0x80D0 with C0 = 1: bit 15 = charging
    assert status.power == 111.5
    assert status.soc == 15
    assert (status.mosfet_temperature, status.temperatures) == (29, (30, 28))
    assert status.cycles == 4
    assert status.nominal_capacity == 14
    assert (status.charge_mosfet, status.discharge_mosfet, status.balancing) == (True,) * 3
    assert status.alarms == frozenset()
    assert status.cell_min == 3.811 and status.cell_min_index == 9
    assert status.cell_max == 3.835 and status.cell_max_index == 12
    assert status.cell_delta == 0.024
    assert status.software_version == "H6.X__S6.1.3S__"
    # 0xBA holds the documented example id, found on many packs: not an identity.
    assert status.device_id is None
    # 0xB9 (capacity setting) is 0 on this pack: 0xAA (the total) stands in.
    assert (status.remaining_capacity, status.cycle_capacity) == (2.1, 0.0)
    assert status.extra == {
        "protocol_version": 1,
        "cell_count": 14,
        "temperature_sensors": 2,
        "battery_type": 1,
        "alarm_bits": 0,
        "status_bits": 7,
        "device_name": "Input Us",
        "manufactured": "2101",
        "manufacturer_id": "BT3072020120000200521001",
        "working_minutes": 57856,
    }


def test_13s_capture_with_two_dead_cells() -> None:
    status = decode_status(GOOD[1])
    assert len(status.cell_voltages) == 13
    assert status.cell_voltages[:3] == (0.0, 0.0, 4.148)
    assert status.voltage == 45.58
    assert status.current == 0.0
    assert str(status.current) == "0.0"  # not -0.0
    assert (status.charge_mosfet, status.discharge_mosfet, status.balancing) == (False,) * 3
    assert status.extra["status_bits"] == 8  # bit 3: battery present


@pytest.mark.parametrize("frame", BAD, ids=[f"capture{n}" for n in range(len(BAD))])
def test_corrupted_captures_are_rejected(frame: bytes) -> None:
    with pytest.raises(BmsFrameError, match="checksum"):
        decode_status(frame)


def test_reply_with_command_03_is_accepted() -> None:
    frame = bytearray(GOOD[0])
    frame[8] = Command.READ
    frame[-4:] = (sum(frame[:-4]) & 0xFFFF).to_bytes(4, "big")
    assert decode_status(bytes(frame)).soc == 15


def test_blocks_are_walked_not_read_at_fixed_offsets() -> None:
    blocks = walk_blocks(parse_frame(GOOD[1]).info)
    assert blocks[0x83] == bytes.fromhex("11CE")
    assert blocks[0xBA].startswith(b"BT30")


def _blocks(frame: bytes = b"") -> dict[int, bytes]:
    return walk_blocks(parse_frame(frame or GOOD[0]).info)


def _reply(blocks: dict[int, bytes]) -> bytes:
    """A read-all reply carrying these blocks, in this order."""
    info = b"".join(
        bytes([r, len(v)]) + v if r == CELLS_REGISTER else bytes([r]) + v for r, v in blocks.items()
    )
    return build_frame(Command.READ_ALL, info, reply=True)


def _without(*registers: int) -> dict[int, bytes]:
    return {r: v for r, v in _blocks().items() if r not in registers}


@pytest.mark.parametrize("frame", GOOD, ids=[f"capture{n}" for n in range(len(GOOD))])
def test_a_capture_rebuilt_from_its_blocks_is_the_capture(frame: bytes) -> None:
    assert _reply(_blocks(frame)) == frame
    assert build_frame(Command.READ_ALL) == REQUEST


def _resum(frame: bytes) -> bytes:
    return frame[:-4] + (sum(frame[:-4]) & 0xFFFF).to_bytes(4)


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (GOOD[0][:19], "not a JK frame: 4e 57 01 1b"),  # one byte short of the shortest
        (b"\x4e\x58" + GOOD[0][2:], "not a JK frame: 4e 58 01 1b"),
        (
            GOOD[0] + b"\x00",
            f"length field says {len(GOOD[0])} bytes, frame has {len(GOOD[0]) + 1}",
        ),
        (_resum(GOOD[0][:-5] + b"\x69" + GOOD[0][-4:]), "end marker 69, expected 68"),
        (GOOD[0][:-1] + b"\xd2", "checksum 54D1 != stored 54D2"),
    ],
    ids=["short", "header", "length", "end", "checksum"],
)
def test_a_refused_frame_says_why(frame: bytes, message: str) -> None:
    with pytest.raises(BmsFrameError, match=f"^{message}$"):
        parse_frame(frame)


def test_the_shortest_frame_is_a_frame() -> None:
    empty = build_frame(Command.READ_ALL, b"", reply=True)
    assert len(empty) == 20
    assert parse_frame(empty).info == b""


@pytest.mark.parametrize(
    ("registers", "message"),
    [((0x79,), "0x79"), ((0x83, 0x8C), "0x83, 0x8C"), ((0x84,), "0x84"), ((0x85,), "0x85")],
    ids=["cells", "voltage-and-status", "current", "soc"],
)
def test_a_reply_without_a_reading_it_must_carry_is_refused(
    registers: tuple[int, ...], message: str
) -> None:
    with pytest.raises(BmsFrameError, match=f"^reply lacks register\\(s\\) {message}$"):
        decode_status(_reply(_without(*registers)))


def test_older_firmware_without_the_optional_registers() -> None:
    """No protocol version (0xC0) means version 0: 10000 stands for 0 A."""
    blocks = _without(0xC0, 0x8B, 0xAA, 0xB9, 0x89, 0x87, 0x80, 0x81, 0x82, 0xBA, 0xB7, 0xB4)
    blocks[0x84] = (9500).to_bytes(2)
    status = decode_status(_reply(blocks))
    assert status.current == 5.0
    assert status.alarms == frozenset()
    assert (status.remaining_capacity, status.nominal_capacity) == (None, None)
    assert (status.cycles, status.cycle_capacity) == (None, None)
    assert (status.mosfet_temperature, status.temperatures) == (None, ())
    assert (status.device_id, status.software_version) == (None, None)
    assert status.extra["protocol_version"] is None
    assert status.extra["device_name"] is None


def test_capacity_setting_first_then_the_total() -> None:
    blocks = _blocks()
    blocks[0xB9] = (280).to_bytes(4)  # the capacity setting, when set, wins
    blocks[0x85] = bytes([33])
    status = decode_status(_reply(blocks))
    assert (status.nominal_capacity, status.remaining_capacity) == (280.0, 92.4)
    blocks[0x89] = (1234).to_bytes(4)
    assert decode_status(_reply(blocks)).cycle_capacity == 1234.0


def test_a_real_device_id_is_kept_and_text_ends_at_the_first_nul() -> None:
    blocks = _blocks()
    blocks[0xBA] = b"JK-B2A24S\x00\x00X".ljust(24, b"\x00")
    blocks[0xB4] = b" Pack 1 \x00\x00\x00"[:8]
    status = decode_status(_reply(blocks))
    assert status.device_id == "JK-B2A24S"
    assert status.extra["device_name"] == "Pack 1"


@pytest.mark.parametrize(
    ("bits", "charge", "discharge", "balancing"),
    [(0x01, True, False, False), (0x02, False, True, False), (0x04, False, False, True)],
)
def test_each_status_bit_is_its_own_switch(
    bits: int, charge: bool, discharge: bool, balancing: bool
) -> None:
    blocks = _blocks()
    blocks[0x8C] = bits.to_bytes(2)
    status = decode_status(_reply(blocks))
    assert (status.charge_mosfet, status.discharge_mosfet, status.balancing) == (
        charge,
        discharge,
        balancing,
    )


def test_a_reply_to_anything_but_a_read_is_not_a_status() -> None:
    info = parse_frame(GOOD[0]).info
    with pytest.raises(BmsFrameError, match="not a read reply \\(command 0x02\\)"):
        decode_status(build_frame(Command.WRITE, info, reply=True))
    with pytest.raises(BmsFrameError, match="not a read reply \\(command 0x06\\)"):
        decode_status(build_frame(Command.READ_ALL, info))  # our own request, echoed


@pytest.mark.parametrize(
    ("info", "message"),
    [
        (bytes([0x85, 50, 0x79]), "cell block without its length"),
        (bytes([0x85, 50, 0x79, 3, 1, 0x0C]), "register 0x79 runs past the end of the frame"),
        (bytes([0x85, 50, 0x83, 0x14]), "register 0x83 runs past the end of the frame"),
        (bytes([0x85, 50, 0x7A, 0]), "unknown register 0x7A at byte 2"),
        (bytes([0x79, 4, 1, 0x0C, 0xE4, 2]), "cell block of 4 bytes is not a multiple of 3"),
    ],
    ids=["no-length", "cells-cut", "value-cut", "unknown", "cell-bytes"],
)
def test_a_broken_body_says_where_it_broke(info: bytes, message: str) -> None:
    with pytest.raises(BmsFrameError, match=f"^{message}$"):
        blocks = walk_blocks(info)
        cell_voltages(blocks[0x79])


def test_blocks_at_the_very_end_are_read() -> None:
    assert walk_blocks(bytes([0x85, 50, 0x79, 0])) == {0x85: bytes([50]), 0x79: b""}
    assert walk_blocks(bytes([0x79, 3, 1, 0x0C, 0xE4])) == {0x79: bytes([1, 0x0C, 0xE4])}


@pytest.mark.parametrize("frame", GOOD, ids=[f"capture{n}" for n in range(len(GOOD))])
def test_each_capture_walks_through_every_register_length(frame: bytes) -> None:
    """A length one byte off anywhere in the table would shift every register after it."""
    blocks = walk_blocks(parse_frame(frame).info)
    assert set(blocks) == set(VALUE_LENGTHS) | {0x79}


@pytest.mark.parametrize(
    ("raw", "convention", "expected"),
    [
        (25, TemperatureConvention.MINUS_ONE_AT_101, 25),
        (100, TemperatureConvention.MINUS_ONE_AT_101, 100),
        (101, TemperatureConvention.MINUS_ONE_AT_101, -1),
        (110, TemperatureConvention.MINUS_ONE_AT_101, -10),
        (100, TemperatureConvention.MINUS_ONE_AT_100, -1),
        (110, TemperatureConvention.MINUS_ONE_AT_100, -11),
    ],
)
def test_negative_temperature_conventions(
    raw: int, convention: TemperatureConvention, expected: float
) -> None:
    assert temperature(raw, convention) == expected


def test_current_encodings() -> None:
    assert current(0x87D0, 1) == 20.0  # the document's charging example
    assert current(0x07D0, 1) == -20.0
    assert current(9500, 0) == 5.0  # protocol version 0: 10000 is 0 A
    assert current(11000, 0) == -10.0
    assert decode_status(GOOD[0], invert_current=True).current == -2.08


@pytest.fixture
async def emulator() -> AsyncIterator[JkBmsEmulator]:
    emulator = JkBmsEmulator(CellModel(cells=16, soc=0.5, current=-20.0))
    yield emulator
    emulator.close()


@pytest.fixture
async def client(emulator: JkBmsEmulator) -> AsyncIterator[JkBmsClient]:
    client = JkBmsClient(emulator.path, timeout=0.3)
    yield client
    await client.close()


@pytest.mark.parametrize("cells", [4, 7, 14, 16, 24])
async def test_any_cell_count_over_the_pty(cells: int) -> None:
    emulator = JkBmsEmulator(CellModel(cells=cells, soc=0.7, current=12.5, weak_cell=2))
    client = JkBmsClient(emulator.path, timeout=0.3)
    try:
        status = await client.read_status()
    finally:
        await client.close()
        emulator.close()
    assert len(status.cell_voltages) == cells
    assert status.current == 12.5
    assert status.soc == 70
    assert emulator.requests == [READ_ALL_REQUEST]


async def test_weak_cell_and_alarms_show(client: JkBmsClient, emulator: JkBmsEmulator) -> None:
    emulator.battery.weak_cell = 5
    emulator.battery.soc = 0.08
    emulator.battery.temperatures = [-7.0, 3.0]
    emulator.alarms = {"cell_undervoltage", "battery_undertemperature"}
    status = await client.read_status()
    assert status.cell_min_index == 5
    assert status.cell_delta is not None and status.cell_delta > 0.05
    assert status.alarms == {"cell_undervoltage", "battery_undertemperature"}
    assert status.temperatures == (-7, 3)
    assert status.current == -20.0


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (LineFault.BAD_CHECKSUM, BmsFrameError),
        (LineFault.SILENCE, BmsConnectionError),
        (LineFault.PARTIAL, BmsConnectionError),
        (LineFault.ECHO, BmsConnectionError),  # the echo is skipped: no reply came
    ],
)
async def test_line_faults_are_errors_and_the_next_read_recovers(
    client: JkBmsClient, emulator: JkBmsEmulator, fault: LineFault, error: type[Exception]
) -> None:
    emulator.fault = fault
    with pytest.raises(error):
        await client.read_status()
    emulator.fault = LineFault.NONE
    assert (await client.read_status()).soc == 50


async def test_two_reads_at_once_take_turns_on_the_line(
    client: JkBmsClient, emulator: JkBmsEmulator
) -> None:
    """A poll and a refresh asked for at the same moment: each gets a whole reply of its own."""
    first, second = await asyncio.gather(client.read_status(), client.read_status())
    assert len(first.cell_voltages) == len(second.cell_voltages) == 16


async def test_port_that_does_not_exist() -> None:
    client = JkBmsClient("/dev/does-not-exist")
    with pytest.raises(BmsConnectionError, match="cannot open"):
        await client.read_status()


def test_cli_decode() -> None:
    result = run_cli("jkbms", "decode", "--hex", GOOD[0].hex(" "))
    assert result.returncode == 0, result.stderr
    decoded = json.loads(result.stdout)
    assert decoded["voltage"] == 53.59
    assert decoded["cell_delta"] == 0.024
    bad = run_cli("jkbms", "decode", "--hex", BAD[0].hex())
    assert bad.returncode == 1
    assert "checksum" in bad.stderr


async def test_cli_status_reads_the_emulator(emulator: JkBmsEmulator) -> None:
    result = await async_run_cli("jkbms", "status", "--port", emulator.path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["soc"] == 50


async def test_cells_follow_the_plant_battery() -> None:
    plant = Plant(soc=0.2, pv_w=0.0, load_w=800.0)
    emulator = JkBmsEmulator(CellModel(cells=16, plant=plant))
    client = JkBmsClient(emulator.path, timeout=0.3)
    try:
        low = await client.read_status()
        plant.soc, plant.pv_w = 0.97, 3000.0
        high = await client.read_status()
    finally:
        await client.close()
        emulator.close()
    assert (low.soc, high.soc) == (20, 97)
    assert low.current < 0 < high.current  # discharging into the load, then charging
    assert high.cell_max is not None and low.cell_max is not None
    assert high.cell_max > low.cell_max + 0.1


@pytest.mark.parametrize("fault", [LineFault.DUPLICATE, LineFault.LATE, LineFault.ECHO_THEN_REPLY])
async def test_a_reply_is_never_taken_for_the_next_poll_s(
    client: JkBmsClient, emulator: JkBmsEmulator, fault: LineFault
) -> None:
    """A duplicated or late reply never passes for the next poll's (the battery changes
    in between, so an old reply would show the old state of charge); a half-duplex
    adapter's echo is skipped."""
    emulator.fault = fault
    try:
        first = (await client.read_status()).soc
    except BmsConnectionError:
        first = None  # the late reply: a failed poll, not a value
    assert first in (50, None)
    assert (first is None) == (fault is LineFault.LATE)
    emulator.fault = LineFault.NONE
    emulator.battery.soc = 0.8
    assert (await client.read_status()).soc == 80
    emulator.battery.soc = 0.3
    assert (await client.read_status()).soc == 30
