"""The JK BMS driver: real captured frames, and the client over a pty against the emulator."""

from __future__ import annotations

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
    VALUE_LENGTHS,
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
