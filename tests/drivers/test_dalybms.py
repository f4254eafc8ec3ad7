"""The Daly BMS driver: real captured frames, and the client over a pty against the emulator."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from custom_components.diy_solar.drivers.bms import (
    BmsConnectionError,
    BmsFrameError,
    BmsRejectedError,
)
from custom_components.diy_solar.drivers.dalybms import (
    HOST_UART,
    DalyBmsClient,
    DataId,
    build_frame,
    parse_reply,
    request,
)
from custom_components.diy_solar.drivers.dalybms.protocol import (
    BMS_ADDRESS,
    Replies,
    State,
    assemble,
    decode_balancing,
    decode_cell_frames,
    decode_cell_range,
    decode_failures,
    decode_mosfets,
    decode_pack,
    decode_status_info,
    decode_temperature_frames,
    decode_temperature_range,
    is_reply_to_another,
)
from custom_components.diy_solar.emulators.battery import CellModel, LineFault
from custom_components.diy_solar.emulators.dalybms import DalyBmsEmulator
from tests.drivers.cli import async_run_cli, run_cli
from tests.vectors import device_lines

FRAMES = [
    (bytes.fromhex(text.removeprefix("RX")), comment) for text, comment in device_lines("(c2)")
]
REQUESTS = [f for f, _ in FRAMES if f[1] in (0x40, 0x80)]
REPLIES = [f for f, _ in FRAMES if f[1] == 0x01]
ECHO = next(f for f, c in FRAMES if "echo" in c)


def _reply(data_id: int, index: int = 0) -> bytes:
    return parse_reply([f for f in REPLIES if f[2] == data_id][index], data_id)


def test_requests_match_the_captures() -> None:
    for frame in REQUESTS:
        assert request(frame[2], frame[1], frame[4:5]) == frame
    assert request(DataId.PACK) == REQUESTS[0]  # RS485 host, no data: the default


def test_pack_replies() -> None:
    assert decode_pack(_reply(DataId.PACK, 0)).__dict__ == {
        "voltage": 52.8,
        "current": 6.3,
        "soc": 95.6,
    }
    assert decode_pack(_reply(DataId.PACK, 1)).__dict__ == {
        "voltage": 53.2,
        "current": 2.1,
        "soc": 88.8,
    }
    assert decode_pack(_reply(DataId.PACK, 2)).__dict__ == {
        "voltage": 26.5,
        "current": 15.9,
        "soc": 77.8,
    }


def test_range_mosfet_and_status_replies() -> None:
    assert decode_cell_range(_reply(DataId.CELL_RANGE)).__dict__ == {
        "max_voltage": 3.328,
        "max_cell": 15,
        "min_voltage": 3.326,
        "min_cell": 1,
    }
    assert decode_temperature_range(_reply(DataId.TEMPERATURE_RANGE)).__dict__ == {
        "max_temperature": 15,
        "max_sensor": 1,
        "min_temperature": 15,
        "min_sensor": 1,
    }
    assert decode_mosfets(_reply(DataId.MOSFETS, 0)).__dict__ == {
        "state": State.DISCHARGING,
        "charge": True,
        "discharge": True,
        "life_cycles": 120,
        "remaining_capacity": 248.64,
    }
    assert decode_mosfets(_reply(DataId.MOSFETS, 1)).__dict__ == {
        "state": State.IDLE,
        "charge": True,
        "discharge": True,
        "life_cycles": 154,
        "remaining_capacity": 172.76,
    }
    assert decode_status_info(_reply(DataId.STATUS)).__dict__ == {
        "cells": 16,
        "temperature_sensors": 1,
        "charger": False,
        "load": False,
        "io_bits": 0,
        "cycles": 3,
    }


def _data(data_id: int, data: bytes) -> bytes:
    return parse_reply(build_frame(BMS_ADDRESS, data_id, data), data_id)


def test_every_field_lands_where_it_belongs() -> None:
    """The captures repeat values (15 °C twice, no charger, no load); these do not."""
    assert decode_temperature_range(_data(0x92, bytes([65, 2, 35, 3]))).__dict__ == {
        "max_temperature": 25,
        "max_sensor": 2,
        "min_temperature": -5,
        "min_sensor": 3,
    }
    assert decode_status_info(_data(0x94, bytes([8, 2, 1, 0, 5, 1, 2]))).__dict__ == {
        "cells": 8,
        "temperature_sensors": 2,
        "charger": True,
        "load": False,
        "io_bits": 5,
        "cycles": 258,
    }
    info = decode_status_info(_data(0x94, bytes([8, 2, 0, 1, 0])))
    assert (info.charger, info.load) == (False, True)
    assert decode_mosfets(_data(0x93, bytes([0, 1, 1, 0, 1, 0, 0, 1]))).remaining_capacity == (
        16777.217  # all four bytes count
    )
    assert decode_mosfets(_data(0x93, bytes([1, 0, 1, 7]))).state is State.CHARGING
    assert decode_mosfets(_data(0x93, bytes([3]))).state is State.IDLE  # not a state we know


def test_balancing_names_the_cells_from_one_and_ignores_the_reserved_bytes() -> None:
    data = bytes([0b1000_0001, 0, 0, 0, 0, 0b1000_0000, 0xFF, 0xFF])
    assert decode_balancing(data, 48) == (1, 8, 48)
    assert decode_balancing(data, 47) == (1, 8)  # a bit past the pack's cells is noise
    assert decode_balancing(data, 64) == (1, 8, 48)
    assert decode_balancing(bytes(8), 16) == ()


@pytest.mark.parametrize(
    ("frame", "another"),
    [
        (REPLIES[0], True),  # a pack reply while we wait for the cell range
        (build_frame(BMS_ADDRESS, DataId.CELL_RANGE), False),  # the one we wait for
        (REPLIES[0][:-1], False),  # cut
        (REPLIES[0] + b"\x00", False),  # too long
        (REPLIES[0][:-1] + bytes([REPLIES[0][-1] ^ 1]), False),  # checksum
        (ECHO, False),  # our own request, not the BMS
    ],
    ids=["another", "ours", "cut", "long", "checksum", "echo"],
)
def test_only_a_whole_reply_from_the_bms_is_a_reply_to_another(frame: bytes, another: bool) -> None:
    assert is_reply_to_another(frame, DataId.CELL_RANGE) is another


def test_multi_frame_cells_and_temperatures() -> None:
    frames = [parse_reply(f, DataId.CELL_VOLTAGES) for f in REPLIES if f[2] == 0x95]
    # Six frames of three carry cells 1-18; a 16S pack leaves the last two empty.
    cells = decode_cell_frames(frames, 16)
    assert cells[:4] == (3.325, 3.326, 3.326, 3.326)
    assert cells[15] == 3.324
    temps = [parse_reply(f, DataId.TEMPERATURES) for f in REPLIES if f[2] == 0x96]
    assert decode_temperature_frames(temps, 1) == (15.0,)
    with pytest.raises(BmsFrameError, match=r"^cell voltages for 18 of 19$"):
        decode_cell_frames(frames, 19)
    with pytest.raises(BmsFrameError, match=r"^temperatures for 14 of 15$"):
        decode_temperature_frames(temps, 15)


def test_mosfet_write_replies() -> None:
    on, off = (f for f in REPLIES if f[2] == DataId.DISCHARGE_MOSFET)
    assert parse_reply(on, DataId.DISCHARGE_MOSFET)[0] == 1
    assert parse_reply(off, DataId.DISCHARGE_MOSFET)[0] == 0


def test_echo_is_rejected_not_decoded() -> None:
    # python-daly-bms turned these bytes into 0.0 V and -3000 A.
    with pytest.raises(BmsFrameError, match="address 0x40"):
        parse_reply(ECHO, DataId.STATUS)


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (REPLIES[0][:-1] + bytes([REPLIES[0][-1] ^ 1]), "checksum"),
        (REPLIES[0][:12], "not a Daly frame"),
    ],
    ids=["checksum", "cut"],
)
def test_broken_frames_are_rejected(frame: bytes, message: str) -> None:
    with pytest.raises(BmsFrameError, match=message):
        parse_reply(frame, DataId.PACK)


def test_reply_to_another_request_is_rejected() -> None:
    with pytest.raises(BmsFrameError, match=r"^reply to 0x90, expected 0x91$"):
        parse_reply(REPLIES[0], DataId.CELL_RANGE)


def test_a_reply_is_its_eight_data_bytes_and_says_why_it_is_refused() -> None:
    assert parse_reply(REPLIES[0], DataId.PACK) == REPLIES[0][4:12]
    assert len(parse_reply(REPLIES[0], DataId.PACK)) == 8
    bad_sum = REPLIES[0][:-1] + bytes([REPLIES[0][-1] ^ 1])
    with pytest.raises(BmsFrameError, match=r"^checksum F3 != stored F2$"):
        parse_reply(bad_sum, DataId.PACK)
    length = bytearray(REPLIES[0])
    length[3] = 7
    length[-1] = sum(length[:-1]) & 0xFF
    with pytest.raises(BmsFrameError, match=r"^data length 7, expected 8$"):
        parse_reply(bytes(length), DataId.PACK)
    assert build_frame(0x40, DataId.PACK) == REQUESTS[0]


def test_failure_bits_name_every_alarm() -> None:
    assert decode_failures(bytes([0b10, 0, 0, 0, 0, 0, 0b100, 0])) == {
        "cell_overvoltage",
        "short_circuit",
    }


def test_assembled_status_and_current_sign() -> None:
    replies = Replies(
        pack=_reply(DataId.PACK, 0),
        cell_range=_reply(DataId.CELL_RANGE),
        temperature_range=_reply(DataId.TEMPERATURE_RANGE),
        mosfets=_reply(DataId.MOSFETS, 0),
        status=_reply(DataId.STATUS),
        cells=[parse_reply(f, DataId.CELL_VOLTAGES) for f in REPLIES if f[2] == 0x95],
        temperatures=[_reply(DataId.TEMPERATURES, 0)],
        balancing=bytes(8),
        failures=bytes(7) + b"\x2a",  # byte 7 is the fault code, not alarm bits
    )
    status = assemble(replies)
    assert status.alarms == frozenset()
    assert (status.voltage, status.current, status.soc) == (52.8, 6.3, 95.6)
    assert status.remaining_capacity == 248.64
    assert status.cycles == 3
    assert len(status.cell_voltages) == 16
    assert status.extra == {
        "bms_life": 120,
        "state": "discharging",
        "charger_connected": False,
        "load_connected": False,
        "io_bits": 0,
        "balancing_cells": [],
        "failure_bytes": "00 00 00 00 00 00 00 2a",
        "fault_code": 42,
        "cell_range": {"max_voltage": 3.328, "max_cell": 15, "min_voltage": 3.326, "min_cell": 1},
        "temperature_range": {
            "max_temperature": 15,
            "max_sensor": 1,
            "min_temperature": 15,
            "min_sensor": 1,
        },
    }
    # This unit reports discharging (0x93) with a positive current: the sign is an option.
    assert assemble(replies, invert_current=True).current == -6.3
    idle = replace(replies, pack=_data(0x90, bytes([2, 0x10, 0, 0, 0x75, 0x30, 3, 0xBC])))
    assert str(assemble(idle, invert_current=True).current) == "0.0"  # not -0.0


@pytest.fixture
async def emulator() -> AsyncIterator[DalyBmsEmulator]:
    emulator = DalyBmsEmulator(CellModel(cells=16, soc=0.5, current=-20.0))
    yield emulator
    emulator.close()


@pytest.fixture
async def client(emulator: DalyBmsEmulator) -> AsyncIterator[DalyBmsClient]:
    client = DalyBmsClient(emulator.path, timeout=0.2)
    yield client
    await client.close()


@pytest.mark.parametrize(("cells", "sensors"), [(4, 1), (8, 2), (15, 7), (16, 8), (24, 3)])
async def test_any_cell_and_sensor_count_over_the_pty(cells: int, sensors: int) -> None:
    battery = CellModel(cells=cells, soc=0.8, current=5.0, temperatures=[20.0] * sensors)
    emulator = DalyBmsEmulator(battery)
    client = DalyBmsClient(emulator.path, timeout=0.2)
    try:
        status = await client.read_status()
    finally:
        await client.close()
        emulator.close()
    assert len(status.cell_voltages) == cells
    assert status.temperatures == (20.0,) * sensors
    assert (status.soc, status.current) == (80.0, 5.0)
    assert status.voltage == pytest.approx(sum(status.cell_voltages), abs=0.1)


async def test_alarms_weak_cell_and_balancing(
    client: DalyBmsClient, emulator: DalyBmsEmulator
) -> None:
    emulator.battery.weak_cell = 3
    emulator.battery.soc = 0.97
    emulator.alarms = {"cell_overvoltage", "charge_mosfet_stuck"}
    status = await client.read_status()
    assert status.alarms == {"cell_overvoltage", "charge_mosfet_stuck"}
    assert status.cell_max_index == 3
    assert status.balancing


async def test_mosfets_switch_and_are_read_back(
    client: DalyBmsClient, emulator: DalyBmsEmulator
) -> None:
    await client.set_mosfet(charge=True, on=False)
    assert not emulator.battery.charge_mosfet
    await client.set_mosfet(charge=False, on=False)
    status = await client.read_status()
    assert (status.charge_mosfet, status.discharge_mosfet) == (False, False)
    await client.set_mosfet(charge=True, on=True)
    assert emulator.battery.charge_mosfet
    assert emulator.writes == [(0xDA, False), (0xD9, False), (0xDA, True)]


async def test_a_switch_during_a_poll_waits_for_the_line(
    client: DalyBmsClient, emulator: DalyBmsEmulator
) -> None:
    """The owner switches a MOSFET while Home Assistant polls: both go through, each with
    its own replies (one line, one request at a time), and the poll is a whole status."""
    status, _ = await asyncio.gather(client.read_status(), client.set_mosfet(charge=True, on=False))
    assert len(status.cell_voltages) == 16
    assert emulator.writes == [(0xDA, False)]
    assert not (await client.read_status()).charge_mosfet


async def test_mosfet_that_does_not_follow_is_an_error(
    client: DalyBmsClient, emulator: DalyBmsEmulator
) -> None:
    emulator.mosfets_stuck = True
    with pytest.raises(BmsRejectedError, match="discharge MOSFET did not switch off"):
        await client.set_mosfet(charge=False, on=False)


async def test_uart_host_address(emulator: DalyBmsEmulator) -> None:
    client = DalyBmsClient(emulator.path, host=HOST_UART, timeout=0.2)
    try:
        await client.read_status()
    finally:
        await client.close()
    assert {r[1] for r in emulator.requests} == {HOST_UART}


async def test_adapter_echo_before_the_reply_is_skipped(
    client: DalyBmsClient, emulator: DalyBmsEmulator
) -> None:
    emulator.fault = LineFault.ECHO_THEN_REPLY
    assert (await client.read_status()).soc == 50


@pytest.mark.parametrize(
    ("fault", "error", "message"),
    [
        (LineFault.ECHO, BmsFrameError, "only the echo"),
        (LineFault.BAD_CHECKSUM, BmsFrameError, "checksum"),
        (LineFault.SILENCE, BmsConnectionError, "no reply"),
        (LineFault.PARTIAL, BmsConnectionError, "no complete reply"),
    ],
)
async def test_line_faults_are_errors_and_the_next_read_recovers(
    client: DalyBmsClient,
    emulator: DalyBmsEmulator,
    fault: LineFault,
    error: type[Exception],
    message: str,
) -> None:
    emulator.fault = fault
    with pytest.raises(error, match=message):
        await client.read_status()
    emulator.fault = LineFault.NONE
    assert (await client.read_status()).soc == 50


def test_cli_decode_several_frames() -> None:
    frames = b"".join(f for f in REPLIES if f[2] in (0x90, 0x95))
    result = run_cli("dalybms", "decode", "--hex", frames.hex(" "))
    assert result.returncode == 0, result.stderr
    decoded = json.loads(result.stdout)
    assert decoded[0]["value"] == {"voltage": 52.8, "current": 6.3, "soc": 95.6}
    assert decoded[-1]["value"] == {"cell_16": 3.324, "cell_17": 0.0, "cell_18": 0.0}
    echo = run_cli("dalybms", "decode", "--hex", ECHO.hex(" "))
    assert echo.returncode == 1
    assert "address 0x40" in echo.stderr


async def test_cli_status_reads_the_emulator(emulator: DalyBmsEmulator) -> None:
    result = await async_run_cli("dalybms", "status", "--port", emulator.path)
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert (status["soc"], status["current"]) == (50.0, -20.0)


@pytest.mark.parametrize("fault", [LineFault.DUPLICATE, LineFault.LATE])
async def test_a_reply_is_never_taken_for_the_next_poll_s(
    client: DalyBmsClient, emulator: DalyBmsEmulator, fault: LineFault
) -> None:
    """A duplicated or late reply never passes for the next poll's: the battery changes in
    between, and the next poll shows the new state of charge."""
    emulator.fault = fault
    try:
        assert (await client.read_status()).soc == 50
    except BmsConnectionError:
        assert fault is LineFault.LATE
    emulator.fault = LineFault.NONE
    emulator.battery.soc = 0.8
    assert (await client.read_status()).soc == 80
    emulator.battery.soc = 0.3
    assert (await client.read_status()).soc == 30
