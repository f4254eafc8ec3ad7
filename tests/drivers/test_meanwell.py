"""The Mean Well driver against the manual's frames and the emulator on a virtual CAN bus."""

from __future__ import annotations

import asyncio
import itertools
import re
import threading
from collections.abc import AsyncIterator

import can
import pytest

from custom_components.diy_solar.drivers.meanwell import (
    BITRATE,
    Command,
    Family,
    FaultStatus,
    MeanWellClient,
    MeanWellConnectionError,
    MeanWellProtocolError,
    MeanWellRejectedError,
    MeanWellValueError,
    Range,
    Scaling,
    Setting,
    open_bus,
    voltage_adjust_step,
)
from custom_components.diy_solar.drivers.meanwell.protocol import (
    EEP_OFF,
    decode_raw,
    encode_read,
    encode_write,
    reply_id,
    request_id,
    scale_for,
    split_frame,
)
from custom_components.diy_solar.emulators.meanwell import MeanWellEmulator
from tests.vectors import device_lines


def _frames() -> list[tuple[str, int, bytes, str]]:
    """(direction, id, data, comment) for every TX/RX frame of section (a)."""
    frames = []
    for text, comment in device_lines("(a)"):
        for part in text.split("->"):
            direction, can_id, _length, *data = part.split()
            frames.append((direction, int(can_id, 16), bytes.fromhex("".join(data)), comment))
    return frames


def test_manual_frames_are_what_the_driver_sends() -> None:
    encoded = {
        (request_id(Family.BIC, 0), encode_write(Command.VOUT_SET, 3000)),
        (request_id(Family.BIC, 1), encode_read(Command.OPERATION)),
        (request_id(Family.BIC, 0), encode_write(Command.SYSTEM_CONFIG, 0x0003)),
        (request_id(Family.BIC, 0), encode_write(Command.VOUT_SET, 6000)),
        (request_id(Family.BIC, 0), encode_write(Command.IOUT_SET, 2000)),
        (request_id(Family.BIC, 0), encode_write(Command.REVERSE_IOUT_SET, 2000)),
        (request_id(Family.BIC, 0), encode_write(Command.BIDIRECTIONAL_CONFIG, 1)),
        (request_id(Family.BIC, 0), encode_read(Command.BIDIRECTIONAL_CONFIG)),
        (request_id(Family.BIC, 0), encode_write(Command.SYSTEM_CONFIG, 0x0205)),
        (request_id(Family.BIC, 0), encode_write(Command.DIRECTION_CTRL, 1)),
        (request_id(Family.BIC, 0), encode_read(Command.READ_VOUT)),
        (request_id(Family.BIC, 0), encode_read(Command.READ_IOUT)),
        (request_id(Family.NPB, 3), encode_read(Command.CURVE_CV)),
    }
    sent = {(can_id, data) for direction, can_id, data, _ in _frames() if direction == "TX"}
    assert sent == encoded


def test_manual_replies_decode() -> None:
    replies = [(can_id, data) for d, can_id, data, _ in _frames() if d == "RX"]
    assert replies[0] == (reply_id(Family.BIC, 1), bytes((0x00, 0x00, 0x01)))
    command, value = split_frame(replies[1][1])
    assert command == Command.READ_VOUT
    assert int.from_bytes(value, "little") * 0.01 == pytest.approx(10.00)
    command, value = split_frame(replies[2][1])
    assert command == Command.READ_IOUT
    assert int.from_bytes(value, "little", signed=True) * 0.01 == pytest.approx(1.00)


def test_scaling_factor_nibbles() -> None:
    scaling = Scaling.decode(bytes((0x65, 0x76, 0x06, 0, 0, 0)))
    assert scaling == Scaling(vout=0.01, iout=0.1, vin=0.1, fan_speed=1.0, temperature=0.1)
    assert Scaling.decode(scaling.encode()) == scaling
    assert Scaling.decode(bytes((0x05, 0, 0))).iout is None  # 0 = not supported
    with pytest.raises(ValueError, match="reserved"):
        Scaling.decode(bytes((0x5A, 0, 0)))


def test_voltage_adjust_steps_toward_the_target() -> None:
    window = Range(42.0, 54.0)
    assert voltage_adjust_step(1.0, 3.6, 54.0, window) == 53.87  # too much current: lower
    assert voltage_adjust_step(2.0, 0.0, 52.0, window) == 52.1
    assert voltage_adjust_step(0.0, 50.0, 54.0, window) == 53.5  # never more than 0.5 V
    assert voltage_adjust_step(5.0, 0.0, 54.0, window) == 54.0  # capped by the ceiling
    assert voltage_adjust_step(1.5, 1.7, 51.43, window) == 51.43  # close enough: no write


async def _client(channel: str, family: Family, address: int = 0, **kw: object) -> MeanWellClient:
    client = MeanWellClient(
        open_bus("virtual", channel, BITRATE), family, address, timeout=0.05, **kw
    )
    return client


@pytest.fixture
async def client(bic: MeanWellEmulator, channel: str) -> AsyncIterator[MeanWellClient]:
    client = await _client(channel, Family.BIC)
    await client.identify()
    yield client
    await client.close()


async def test_identify_and_read_a_bic(client: MeanWellClient, bic: MeanWellEmulator) -> None:
    device = client.device
    assert device is not None
    assert device.identity.model == "BIC-2200-48"
    assert device.identity.manufacturer == "MEAN WELL"
    assert device.identity.serial_number == "EB23A1234567"
    assert device.identity.firmware == "10.0/1.0"
    assert device.limits.discharge_current == Range(0.0, 37.5)
    readings = await client.read_readings()
    assert readings.output_on
    assert readings.output_current == 22.5  # half the model's 45 A, as the emulator starts
    assert readings.output_voltage == pytest.approx(bic.battery_voltage + 22.5 * 0.05, abs=0.01)
    assert readings.ac_voltage == 230.0
    assert readings.temperature == 31.2
    assert readings.fan_speeds == (2100.0, 2050.0)
    assert readings.discharging is False
    assert readings.charge_status is None
    assert readings.output_power == pytest.approx(readings.output_voltage * 22.5, abs=0.1)


async def test_every_bic_setter_reads_back(client: MeanWellClient, bic: MeanWellEmulator) -> None:
    for setting, value in (
        (Setting.CHARGE_VOLTAGE, 56.4),
        (Setting.CHARGE_CURRENT, 12.3),
        (Setting.DISCHARGE_VOLTAGE, 47.5),
        (Setting.DISCHARGE_CURRENT, 30.0),
    ):
        assert await client.set(setting, value) is True
        assert (await client.read_settings())[setting] == value
    assert await client.set_output(False) is True
    readings = await client.read_readings()
    assert not readings.output_on
    assert FaultStatus.OUTPUT_OFF in readings.faults
    assert readings.output_current == 0.0
    await client.set_output(True)
    await client.set_discharging(True)
    readings = await client.read_readings()
    assert readings.discharging is True
    assert readings.output_current == -30.0  # READ_IOUT is signed on a BIC
    assert client.writes.eeprom == bic.eeprom_writes == 4  # OPERATION/DIRECTION: not EEPROM


async def test_unchanged_write_is_skipped(client: MeanWellClient, bic: MeanWellEmulator) -> None:
    assert await client.set(Setting.CHARGE_CURRENT, 10.0) is True
    sent = len(bic.requests)
    assert await client.set(Setting.CHARGE_CURRENT, 10.0) is False
    assert bic.requests[sent:] == [encode_read(Command.IOUT_SET)]  # read, no write
    assert client.writes.skipped == 1
    assert bic.eeprom_writes == 1


async def test_out_of_range_is_refused_before_the_wire(
    client: MeanWellClient, bic: MeanWellEmulator
) -> None:
    sent = len(bic.requests)
    with pytest.raises(MeanWellValueError):
        await client.set(Setting.CHARGE_VOLTAGE, 70.0)
    client.user_limits[Setting.CHARGE_CURRENT] = Range(0.0, 20.0)
    with pytest.raises(MeanWellValueError):
        await client.set(Setting.CHARGE_CURRENT, 25.0)
    with pytest.raises(MeanWellValueError):
        await client.set(Setting.CURVE_CV, 55.0)  # an NPB setting
    assert len(bic.requests) == sent


async def test_a_write_that_does_not_read_back_is_an_error(
    client: MeanWellClient, bic: MeanWellEmulator
) -> None:
    bic.limits = type(bic.limits)(**{**bic.limits.__dict__, "charge_voltage": Range(38, 50)})
    with pytest.raises(MeanWellRejectedError):
        await client.set(Setting.CHARGE_VOLTAGE, 60.0)


async def test_eep_off_stops_the_wear_after_a_power_cycle(
    client: MeanWellClient, bic: MeanWellEmulator, channel: str
) -> None:
    """The count follows the device's own EEPROM writes through every stage of EEP_OFF,
    and where it cannot know, it counts more, never less."""
    assert await client.set_eeprom_off(True) is True
    assert bic.registers[Command.SYSTEM_CONFIG] & EEP_OFF
    # The configuration is itself kept in EEPROM; set, not yet in effect, the next write
    # still wears it.
    await client.set(Setting.CHARGE_CURRENT, 5.0)
    assert client.writes.eeprom == bic.eeprom_writes == 2
    bic.power_cycle()
    client.power_cycled()
    await client.set(Setting.CHARGE_CURRENT, 6.0)
    assert client.writes.eeprom == bic.eeprom_writes == 2
    # A restarted client reads the bit but cannot know it is in effect: it counts.
    fresh = await _client(channel, Family.BIC)
    try:
        await fresh.identify()
        assert fresh.eep_off and not fresh.eep_off_active
        await fresh.set(Setting.CHARGE_CURRENT, 7.0)
        assert fresh.writes.eeprom == 1
    finally:
        await fresh.close()
    # Cleared: counted at once, though the device saves again only after a power cycle.
    await client.set_eeprom_off(False)
    await client.set(Setting.CHARGE_CURRENT, 8.0)
    assert client.writes.eeprom == 3
    assert bic.eeprom_writes == 2


async def test_eep_off_on_old_firmware_is_rejected(channel: str) -> None:
    emulator = MeanWellEmulator("BIC-2200-48", eep_off_supported=False)
    bus = can.Bus(interface="virtual", channel=channel)
    emulator.attach(bus)
    client = await _client(channel, Family.BIC)
    try:
        await client.identify()
        with pytest.raises(MeanWellRejectedError):
            await client.set_eeprom_off(True)
    finally:
        await client.close()
        emulator.detach()
        bus.shutdown()


async def test_battery_mode_setup(client: MeanWellClient, bic: MeanWellEmulator) -> None:
    bic.registers[Command.BIDIRECTIONAL_CONFIG] = 0
    bic.registers[Command.SYSTEM_CONFIG] = 0
    assert not await client.battery_mode()
    await client.setup_battery_mode()
    assert bic.registers[Command.SYSTEM_CONFIG] == 0x0003
    assert await client.battery_mode()


async def test_no_reply_and_wrong_id_time_out(
    client: MeanWellClient, bic: MeanWellEmulator
) -> None:
    bic.faults.no_reply = True
    with pytest.raises(MeanWellConnectionError):
        await client.read_readings()
    bic.faults.no_reply = False
    bic.faults.wrong_id = True
    with pytest.raises(MeanWellConnectionError):
        await client.read_readings()
    bic.faults.wrong_id = False
    assert (await client.read_readings()).output_on


async def test_requests_are_paced(client: MeanWellClient, bic: MeanWellEmulator) -> None:
    """Timed when each request went onto the bus (the bus stamps it): when the emulator's
    thread got to it varies with the machine's load, and is not what the device sees."""
    stamps: list[float] = []
    handle = bic.handle

    def stamped(msg: can.Message) -> can.Message | None:
        stamps.append(msg.timestamp)
        return handle(msg)

    bic.handle = stamped  # type: ignore[method-assign]
    await client.read_readings()
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert min(gaps) >= 0.019


async def test_an_npb(channel: str) -> None:
    emulator = MeanWellEmulator("NPB-1200-48", address=2)
    bus = can.Bus(interface="virtual", channel=channel)
    emulator.attach(bus)
    client = await _client(channel, Family.NPB, 2)
    try:
        device = await client.identify()
        assert device.limits.charge_current == Range(3.6, 18.0)
        readings = await client.read_readings()
        assert readings.discharging is None
        assert readings.charge_status is not None
        assert len(readings.fan_speeds) == 1
        for setting, value in (
            (Setting.CURVE_CC, 10.0),
            (Setting.CURVE_CV, 57.0),
            (Setting.CURVE_FV, 54.8),
            (Setting.CURVE_TC, 1.5),
            (Setting.CHARGE_VOLTAGE, 54.0),
            (Setting.CHARGE_CURRENT, 3.6),
        ):
            assert await client.set(setting, value)
            assert (await client.read_settings())[setting] == value
        assert await client.set_curve_enabled(False)
        assert not await client.read_curve_enabled()
        with pytest.raises(MeanWellValueError):
            await client.set(Setting.CHARGE_CURRENT, 2.0)  # below the NPB's minimum
        with pytest.raises(MeanWellValueError):
            await client.set_discharging(True)
    finally:
        await client.close()
        emulator.detach()
        bus.shutdown()


async def test_a_bic_answering_as_an_npb_is_refused(bic: MeanWellEmulator, channel: str) -> None:
    bic.family = Family.NPB  # answers on NPB ids with a BIC model string
    client = await _client(channel, Family.NPB)
    try:
        with pytest.raises(MeanWellProtocolError):
            await client.identify()
    finally:
        await client.close()


def test_emulator_ramps_at_its_rate() -> None:
    now = [1_780_000_000.0]
    emulator = MeanWellEmulator("BIC-2200-48", clock=lambda: now[0], ramp_a_per_s=5.0)
    assert emulator.output_current() == 0.0
    now[0] += 2.0
    assert emulator.output_current() == 10.0
    now[0] += 1.9
    assert emulator.output_current() == pytest.approx(19.5)
    now[0] += 0.6
    assert emulator.output_current() == 22.5  # reached the target, not past it


async def test_a_reply_one_byte_short_is_an_error_not_another_number(
    client: MeanWellClient, bic: MeanWellEmulator
) -> None:
    """READ_VOUT 52.48 V losing its high byte would read 1.28 V."""
    good = await client.read_value(Command.READ_VOUT)
    bic.faults.short = 1
    with pytest.raises(MeanWellProtocolError, match="1 data bytes"):
        await client.read_value(Command.READ_VOUT)
    assert await client.read_value(Command.READ_VOUT) == good


async def test_a_late_reply_does_not_answer_the_retry(
    client: MeanWellClient, bic: MeanWellEmulator
) -> None:
    """No sequence number: a reply after the timeout looks like the retry's answer. The
    client waits for the line to go quiet before it asks again."""
    bic.battery_voltage = 51.0
    bic.registers[Command.OPERATION] = 0  # no current: the output reads the battery
    bic.faults.delays = [client.timeout * 1.2, client.timeout * 0.5]
    handle = bic.handle

    def moving_on(msg: can.Message) -> can.Message | None:
        reply = handle(msg)
        bic.battery_voltage += 1.0  # every reply carries a voltage of its own
        return reply

    bic.handle = moving_on  # type: ignore[method-assign]
    assert await client.read_value(Command.READ_VOUT) == 52.0  # the retry's, not 51.0


@pytest.mark.parametrize(
    ("raw", "reads"),
    [(-400, -40.0), (-55, -5.5), (1250, 125.0)],
)
async def test_the_temperature_is_signed(
    client: MeanWellClient, bic: MeanWellEmulator, raw: int, reads: float
) -> None:
    bic.registers[Command.READ_TEMPERATURE_1] = raw
    assert (await client.read_readings()).temperature == reads


@pytest.mark.parametrize(
    ("command", "raw"),
    [
        (Command.READ_TEMPERATURE_1, -401),
        (Command.READ_TEMPERATURE_1, 1251),
        (Command.READ_VIN, 3001),
        (Command.READ_FAN_SPEED_1, 30001),
    ],
)
async def test_a_value_beyond_physics_is_an_error(
    client: MeanWellClient, bic: MeanWellEmulator, command: Command, raw: int
) -> None:
    bic.registers[command] = raw
    with pytest.raises(MeanWellProtocolError, match="outside"):
        await client.read_readings()


@pytest.mark.parametrize(("volts", "good"), [(77.9, True), (78.0, True), (78.1, False)])
async def test_the_output_voltage_bound_is_the_models_ceiling_and_a_fifth(
    client: MeanWellClient, bic: MeanWellEmulator, volts: float, good: bool
) -> None:
    bic.registers[Command.OPERATION] = 0
    bic.battery_voltage = volts  # a BIC-2200-48 charges up to 65 V
    if good:
        assert await client.read_value(Command.READ_VOUT) == volts
    else:
        with pytest.raises(MeanWellProtocolError, match=re.escape("outside 0.0..78.0")):
            await client.read_value(Command.READ_VOUT)


async def test_the_bus_is_opened_again_after_the_adapter_went_away(
    bic: MeanWellEmulator, channel: str
) -> None:
    attempts: list[str] = []

    def reopen() -> can.BusABC:
        attempts.append("open")
        if len(attempts) == 1:  # still unplugged
            raise MeanWellConnectionError("no such device")
        return open_bus("virtual", channel, BITRATE)

    client = await _client(channel, Family.BIC, reopen=reopen)
    try:
        await client.identify()
        first_bus = client.bus
        first_bus.shutdown()  # unplugged: sends fail, the receive thread dies
        failures = 0
        for _poll in range(4):
            try:
                readings = await client.read_readings()
            except MeanWellConnectionError:
                failures += 1
                continue
            break
        assert readings.output_on
        assert attempts == ["open", "open"]
        assert 1 <= failures <= 2  # the poll that finds it gone, and the replug that fails
        assert client.bus is not first_bus
    finally:
        await client.close()


async def test_without_a_way_to_reopen_a_lost_bus_stays_an_error(client: MeanWellClient) -> None:
    client.bus.shutdown()
    for _poll in range(2):
        with pytest.raises(MeanWellConnectionError):
            await client.read_readings()


async def test_closing_during_a_poll_leaves_no_listener_behind(
    bic: MeanWellEmulator, channel: str
) -> None:
    """Home Assistant unloads the charger while a poll waits for its reply: the poll ends,
    the close waits for it, and no request after the close listens on the bus again (a
    thread nothing would ever stop)."""
    client = await _client(channel, Family.BIC)
    await client.identify()
    bic.faults.no_reply = True  # the poll waits out its reply
    poll = asyncio.ensure_future(client.read_readings())
    await asyncio.sleep(0)
    await client.close()
    with pytest.raises(MeanWellConnectionError):
        await poll
    with pytest.raises(MeanWellConnectionError, match="closed"):
        await client.read_readings()
    listeners = [t for t in threading.enumerate() if t.name.startswith("diy_solar CAN")]
    assert not [t for t in listeners if channel in t.name]


def test_each_reading_takes_its_own_scale_and_a_code_without_one_none() -> None:
    scaling = Scaling(vout=0.01, iout=0.1, vin=0.1, fan_speed=10.0, temperature=0.1)
    assert scale_for(Command.READ_FAN_SPEED_1, scaling) == 10.0
    assert scale_for(Command.READ_FAN_SPEED_2, scaling) == 10.0
    assert scale_for(Command.FAULT_STATUS, scaling) == 1.0  # bits, not a quantity


def test_a_value_too_wide_or_a_frame_too_short_is_refused() -> None:
    assert decode_raw(Command.READ_VOUT, b"\x10\x14", Family.BIC) == 0x1410
    with pytest.raises(MeanWellProtocolError, match=r"^READ_VOUT: 3 data bytes$"):
        decode_raw(Command.READ_VOUT, b"\x10\x14\x00", Family.BIC)
    with pytest.raises(ValueError, match=r"^frame too short: 60$"):
        split_frame(b"\x60")
