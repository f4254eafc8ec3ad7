"""The Lumentree driver over a pty against the Modbus RTU emulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from custom_components.diy_solar.drivers.lumentree import (
    LumentreeClient,
    LumentreeConnectionError,
    LumentreeProtocolError,
    LumentreeValueError,
)
from custom_components.diy_solar.emulators.lumentree import (
    LumentreeEmulator,
    LumentreeUnit,
    modbus_crc,
)
from custom_components.diy_solar.emulators.plant import Plant
from custom_components.diy_solar.emulators.serve import handle_client
from tests.vectors import device_lines

VECTORS = {comment: bytes.fromhex(frame) for frame, comment in device_lines("(b)")}
ZERO = VECTORS["set output power 0 W"]
SET_300 = VECTORS["set output power 300 W, reg 40, fc16 (plain W, write-only)"]
READS = [
    VECTORS["read AC voltage, reg 70, fc3 (V*10)"],
    VECTORS["read DC voltage, reg 109, fc3 (value = V*10)"],
    VECTORS["read output power, reg 107, fc3 (W*10)"],
    VECTORS["read temperature, reg 94, fc3 (degC*10)"],
]


def test_vectors_carry_valid_crcs() -> None:
    for frame in VECTORS.values():
        assert modbus_crc(frame[:-2]) == frame[-2:]


@pytest.fixture
async def emulator() -> AsyncIterator[LumentreeEmulator]:
    emulator = LumentreeEmulator(
        {1: LumentreeUnit(max_power=1000), 2: LumentreeUnit(max_power=1000)},
        Plant(nominal_voltage=48.0, soc=0.5),
    )
    yield emulator
    emulator.close()


@pytest.fixture
async def client(emulator: LumentreeEmulator) -> AsyncIterator[LumentreeClient]:
    client = LumentreeClient(emulator.path, [1, 2], max_power=800, timeout=0.2)
    yield client
    await client.close()


async def test_connect_sends_zero_to_every_unit_first(
    client: LumentreeClient, emulator: LumentreeEmulator
) -> None:
    assert emulator.units[1].commanded == 1000  # a unit starts at full power
    await client.connect()
    assert emulator.requests[0] == ZERO
    assert emulator.requests[1][0] == 2
    assert [u.commanded for u in emulator.units.values()] == [0, 0]


async def test_read_is_the_register_map(
    client: LumentreeClient, emulator: LumentreeEmulator
) -> None:
    readings = await client.read(1)
    assert emulator.requests[1:] == READS
    assert readings.ac_voltage == 231.4
    assert readings.dc_voltage == round(emulator.plant.battery_voltage, 1)
    assert readings.output_power == 0.0
    assert readings.temperature == 36.5


async def test_set_power_sends_the_frame_and_skips_repeats(
    client: LumentreeClient, emulator: LumentreeEmulator
) -> None:
    await client.connect()
    assert await client.set_power(1, 300) is True
    assert emulator.requests[-1] == SET_300
    assert await client.set_power(1, 300) is False
    assert emulator.requests[-1] == SET_300 and client.writes == 1
    assert (await client.read(1)).output_power == 300.0


async def test_power_outside_the_limit_sends_nothing(
    client: LumentreeClient, emulator: LumentreeEmulator
) -> None:
    await client.connect()
    sent = len(emulator.requests)
    for watts in (-1, 801):
        with pytest.raises(LumentreeValueError):
            await client.set_power(1, watts)
    with pytest.raises(LumentreeValueError):
        await client.set_power(3, 100)  # not on this bus
    assert len(emulator.requests) == sent


async def test_a_silent_unit_gets_zero_before_anything_else_when_back(
    client: LumentreeClient, emulator: LumentreeEmulator
) -> None:
    await client.connect()
    await client.set_power(2, 200)
    emulator.silent = True
    with pytest.raises(LumentreeConnectionError):
        await client.read(2)
    emulator.silent = False
    emulator.units[2].ac_return()  # it restarted at full power meanwhile
    sent = len(emulator.requests)
    readings = await client.read(2)
    zero_to_unit_2 = b"\x02" + ZERO[1:-2]
    assert emulator.requests[sent] == zero_to_unit_2 + modbus_crc(zero_to_unit_2)
    assert readings.output_power == 0.0


async def test_a_unit_that_restarted_at_full_power_is_told_again(
    client: LumentreeClient, emulator: LumentreeEmulator
) -> None:
    await client.connect()
    await client.set_power(1, 300)
    emulator.units[1].ac_return()
    assert (await client.read(1)).output_power == 1000.0
    assert emulator.units[1].commanded == 300
    assert (await client.read(1)).output_power == 300.0


def test_unit_ramps_toward_the_command() -> None:
    now = [0.0]
    unit = LumentreeUnit(max_power=600, ramp_w_per_s=100.0, clock=lambda: now[0])
    unit.commanded = 0
    assert unit.output_power() == 600.0
    now[0] = 2.0
    assert unit.output_power() == 400.0


async def test_readings_are_signed_and_bounded(
    client: LumentreeClient, emulator: LumentreeEmulator
) -> None:
    """A frosty garage reads below zero (not 6,550 °C); a reading no unit gives is an
    error, and the next good reply is read again."""
    emulator.units[1].temperature = -5.5
    assert (await client.read(1)).temperature == -5.5
    emulator.units[1].temperature = -40.0
    assert (await client.read(1)).temperature == -40.0
    emulator.units[1].temperature = -40.1
    with pytest.raises(LumentreeProtocolError, match="outside"):
        await client.read(1)
    emulator.units[1].temperature = 20.0
    emulator.units[1].ac_voltage = 6553.5
    with pytest.raises(LumentreeProtocolError):
        await client.read(1)
    emulator.units[1].ac_voltage = 230.0
    assert (await client.read(1)).ac_voltage == 230.0


async def test_a_late_reply_does_not_answer_the_next_read(
    client: LumentreeClient, emulator: LumentreeEmulator
) -> None:
    """Function 3 replies do not name their register: after a timeout the client drops
    what comes until the line is quiet."""
    await client.connect()
    unit = emulator.units[1]
    unit.ac_voltage = 230.0
    emulator.delays = [client.timeout * 1.2, client.timeout * 0.5]
    with pytest.raises(LumentreeConnectionError):
        await client.read(1)
    unit.ac_voltage = 235.0
    assert (await client.read(1)).ac_voltage == 235.0  # not the late 230.0


@pytest.mark.usefixtures("socket_enabled")
async def test_units_behind_a_network_gateway(emulator: LumentreeEmulator) -> None:
    server = await asyncio.start_server(lambda r, w: handle_client(emulator, r, w), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = LumentreeClient(f"socket://127.0.0.1:{port}", [1], max_power=800, timeout=0.2)
    try:
        await client.connect()
        assert emulator.units[1].commanded == 0
        assert (await client.read(1)).ac_voltage == 231.4
    finally:
        await client.close()
        server.close()
