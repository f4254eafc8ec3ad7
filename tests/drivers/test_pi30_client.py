"""The PI30 client against the emulator over a pty, TCP, and a HID-style node."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from custom_components.diy_solar.drivers.pi30 import (
    HidTransport,
    MemoryTransport,
    Pi30Client,
    Pi30ConnectionError,
    Pi30ProtocolError,
    Pi30RejectedError,
    Pi30ValueError,
    SettingKey,
    StreamTransport,
    list_hidraw,
)
from custom_components.diy_solar.emulators.pi30 import Pi30Emulator, PtyServer, TcpServer
from custom_components.diy_solar.emulators.plant import Plant


@pytest.fixture
def client(pty_server: PtyServer) -> Pi30Client:
    return Pi30Client(StreamTransport(pty_server.path), timeout=0.5)


async def test_reads_everything_over_pty(client: Pi30Client, emulator: Pi30Emulator) -> None:
    identity = await client.get_identity()
    assert identity.protocol_id == "PI30"
    assert identity.serial_number == emulator.serial_number
    assert identity.firmware_version == "00072.70"
    status = await client.get_status()
    assert status.pv_charging_power == 1240
    assert status.ac_output_active_power == 450
    assert status.battery_capacity == 62
    caps = await client.read_capabilities()
    assert caps.rated.battery_float_voltage == 54.0
    assert caps.charge_currents is not None
    assert caps.charge_currents.values[-1] == 120
    emulator.warnings.add("line_fail")
    assert (await client.get_warnings()).active == ("line_fail",)
    assert await client.get_flags() == {c: c in "bkuvxz" for c in "bkuvxzajy"}
    await client.close()


@pytest.mark.usefixtures("socket_enabled")
async def test_tcp_gateway_and_reconnect_after_vanishing(emulator: Pi30Emulator) -> None:
    server = TcpServer(emulator)
    await server.start()
    client = Pi30Client(StreamTransport(f"socket://127.0.0.1:{server.port}"), timeout=0.5)
    assert (await client.get_mode()).value == "battery"
    await server.stop()
    with pytest.raises(Pi30ConnectionError):
        await client.get_mode()
    await server.start()
    assert (await client.get_mode()).value == "battery"
    await client.close()
    await server.stop()


async def test_hid_reports_over_a_node(emulator: Pi30Emulator) -> None:
    server = PtyServer(emulator, hid=True)
    client = Pi30Client(HidTransport(server.path), timeout=0.5)
    assert (await client.get_status()).battery_capacity == 62
    assert (await client.get_rated()).battery_rating_voltage == 48.0
    await client.close()
    server.close()


def _fake_sysfs(root: Path, nodes: dict[str, str]) -> Path:
    for name, hid_id in nodes.items():
        device = root / name / "device"
        device.mkdir(parents=True)
        (device / "uevent").write_text(f"DRIVER=hid-generic\nHID_ID={hid_id}\nHID_NAME=x\n")
    return root


def test_hidraw_found_again_by_usb_ids_after_renumbering(tmp_path: Path) -> None:
    sysfs = _fake_sysfs(
        tmp_path,
        {"hidraw0": "0003:0000046D:0000C52B", "hidraw1": "0003:00000665:00005161"},
    )
    assert [d.path for d in list_hidraw(sysfs)] == ["/dev/hidraw0", "/dev/hidraw1"]
    # The entry stored hidraw0, but the inverter is now hidraw1.
    transport = HidTransport("/dev/hidraw0", sysfs=sysfs)
    assert transport._resolve() == "/dev/hidraw1"
    assert HidTransport("/dev/hidraw1", sysfs=sysfs)._resolve() == "/dev/hidraw1"


async def test_crc_error_is_retried(client: Pi30Client, emulator: Pi30Emulator) -> None:
    emulator.faults.corrupt_crc = 1
    assert (await client.get_status()).battery_capacity == 62
    emulator.faults.corrupt_crc = 5
    with pytest.raises(Pi30ProtocolError):
        await client.get_status()
    emulator.faults.corrupt_crc = 0
    emulator.faults.truncate = 1
    assert (await client.get_mode()).value == "battery"


async def test_silence_and_delay(client: Pi30Client, emulator: Pi30Emulator) -> None:
    emulator.faults.silent = True
    with pytest.raises(Pi30ConnectionError, match="no answer"):
        await client.get_status()
    emulator.faults.silent = False
    emulator.faults.delay = 0.1
    assert (await client.get_status()).battery_capacity == 62


async def test_nak_on_query(client: Pi30Client, emulator: Pi30Emulator) -> None:
    emulator.faults.nak = 1
    with pytest.raises(Pi30RejectedError):
        await client.get_status()


async def test_setter_writes_confirms_and_skips_unchanged(
    client: Pi30Client, emulator: Pi30Emulator
) -> None:
    assert await client.set_setting(SettingKey.FLOAT_VOLTAGE, 53.6) is True
    assert emulator.qpiri[11] == "53.6"
    assert client.capabilities is not None
    assert client.capabilities.rated.battery_float_voltage == 53.6
    assert emulator.requests[-2:] == ["PBFT53.6", "QPIRI"]
    assert await client.set_setting(SettingKey.FLOAT_VOLTAGE, 53.6) is False
    assert client.writes.sent == 1
    assert client.writes.skipped == 1


async def test_a_setting_changed_on_the_panel_is_not_skipped(
    client: Pi30Client, emulator: Pi30Emulator
) -> None:
    """The panel sets float to 53.0 V after HA last read 54.0 V; HA then asks for 54.0 V:
    it is written (the skip is decided on a fresh read), and the inverter ends at 54.0 V."""
    await client.read_capabilities()
    assert emulator.qpiri[11] == "54.0"
    emulator.qpiri[11] = "53.0"  # the panel
    assert await client.set_setting(SettingKey.FLOAT_VOLTAGE, 54.0) is True
    assert emulator.qpiri[11] == "54.0"
    assert emulator.requests[-3:] == ["QPIRI", "PBFT54.0", "QPIRI"]


@pytest.mark.parametrize(
    ("key", "value", "command", "index", "stored"),
    [
        (SettingKey.OUTPUT_SOURCE_PRIORITY, 0, "POP00", 16, "0"),
        (SettingKey.CHARGER_SOURCE_PRIORITY, 3, "PCP03", 17, "3"),
        (SettingKey.BULK_VOLTAGE, 56.4, "PCVV56.4", 10, "56.4"),
        (SettingKey.RECHARGE_VOLTAGE, 48, "PBCV48.0", 8, "48.0"),
        (SettingKey.REDISCHARGE_VOLTAGE, 0, "PBDV00.0", 22, "00.0"),
        (SettingKey.CUTOFF_VOLTAGE, 44.5, "PSDV44.5", 9, "44.5"),
        (SettingKey.MAX_CHARGE_CURRENT, 100, "MCHGC100", 14, "100"),
        (SettingKey.MAX_UTILITY_CHARGE_CURRENT, 2, "MUCHGC002", 13, "02"),
    ],
)
async def test_every_setter(  # noqa: PLR0917 - one argument per table column
    client: Pi30Client,
    emulator: Pi30Emulator,
    key: SettingKey,
    value: float,
    command: str,
    index: int,
    stored: str,
) -> None:
    assert await client.set_setting(key, value) is True
    assert command in emulator.requests
    assert emulator.qpiri[index] == stored


@pytest.mark.parametrize(
    ("key", "value"),
    [
        (SettingKey.FLOAT_VOLTAGE, 60.0),
        (SettingKey.FLOAT_VOLTAGE, 53.55),
        (SettingKey.CUTOFF_VOLTAGE, 39.9),
        (SettingKey.REDISCHARGE_VOLTAGE, 47.0),
        (SettingKey.MAX_CHARGE_CURRENT, 55),
        (SettingKey.OUTPUT_SOURCE_PRIORITY, 3),
    ],
)
async def test_values_the_unit_does_not_allow_are_never_sent(
    client: Pi30Client, emulator: Pi30Emulator, key: SettingKey, value: float
) -> None:
    await client.read_capabilities()
    sent_before = list(emulator.requests)
    with pytest.raises(Pi30ValueError):
        await client.set_setting(key, value)
    assert emulator.requests == sent_before
    assert client.writes.sent == 0


async def test_nak_and_ignored_write(client: Pi30Client, emulator: Pi30Emulator) -> None:
    await client.read_capabilities()
    answer = emulator.answer
    emulator.answer = lambda command: "NAKss" if command.startswith("PBFT") else answer(command)  # type: ignore[method-assign]
    with pytest.raises(Pi30RejectedError, match="NAK"):
        await client.set_setting(SettingKey.FLOAT_VOLTAGE, 53.0)
    emulator.answer = answer  # type: ignore[method-assign]
    emulator.faults.ignore_writes = True
    with pytest.raises(Pi30RejectedError, match=r"reports 54\.0"):
        await client.set_setting(SettingKey.FLOAT_VOLTAGE, 53.0)
    assert client.writes.sent == 2


async def test_silent_setter_is_not_applied(client: Pi30Client, emulator: Pi30Emulator) -> None:
    await client.read_capabilities()
    answer = emulator.answer
    # A unit that stays silent on a setter it does not support, and answers queries.
    emulator.answer = lambda command: None if command.startswith("PBFT") else answer(command)  # type: ignore[method-assign]
    with pytest.raises(Pi30RejectedError, match="not applied"):
        await client.set_setting(SettingKey.FLOAT_VOLTAGE, 53.0)


async def test_unit_without_current_queries_locks_current_setters() -> None:
    emulator = Pi30Emulator()
    emulator.charge_currents = ""
    client = Pi30Client(MemoryTransport(emulator.handle), timeout=0.2)
    caps = await client.read_capabilities()
    assert caps.allowed(SettingKey.MAX_CHARGE_CURRENT) is None
    with pytest.raises(Pi30ValueError, match="did not report"):
        await client.set_setting(SettingKey.MAX_CHARGE_CURRENT, 60)


async def test_12v_unit_scales_voltage_limits() -> None:
    emulator = Pi30Emulator()
    emulator.qpiri[7] = "12.0"
    client = Pi30Client(MemoryTransport(emulator.handle))
    caps = await client.read_capabilities()
    allowed = caps.allowed(SettingKey.FLOAT_VOLTAGE)
    assert allowed is not None
    assert (allowed.minimum, allowed.maximum) == (12.0, 14.6)
    assert caps.command(SettingKey.FLOAT_VOLTAGE, 13.5) == "PBFT13.5"


@pytest.mark.parametrize(
    ("pv", "load", "mode", "discharging"),
    [(200.0, 800.0, "L", False), (1200.0, 800.0, "B", False), (0.0, 800.0, "B", True)],
)
def test_the_emulators_mode_agrees_with_its_battery_current(
    pv: float, load: float, mode: str, discharging: bool
) -> None:
    """Line mode carries the load from the grid: no battery discharge through the inverter."""
    plant = Plant(soc=0.5, pv_w=pv, load_w=load, grid_present=mode == "L")
    emulator = Pi30Emulator(plant=plant)
    assert emulator.answer("QMOD") == mode
    qpigs = emulator.answer("QPIGS")
    assert qpigs is not None
    assert (int(qpigs.split()[15]) > 0) is discharging


async def _poll(client: Pi30Client) -> tuple[int, str, bool]:
    """One coordinator poll: status, mode, warnings."""
    status = await client.get_status()
    mode = await client.get_mode()
    warnings = await client.get_warnings()
    return status.battery_capacity, mode.value, warnings.is_set("inverter_fault")


GOOD = (62, "battery", False)


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize("transport", ["pty", "tcp"])
@pytest.mark.parametrize("fault", ["duplicate", "garbage", "late"])
async def test_a_faulty_reply_never_answers_the_next_request(
    pty_server: PtyServer, emulator: Pi30Emulator, transport: str, fault: str
) -> None:
    """A duplicated reply, noise before a reply, or a reply later than the timeout: the
    poll it hits fails at worst, and the very next poll is right in every field (never the
    previous command's reply decoded as this one's)."""
    tcp = TcpServer(emulator)
    await tcp.start()
    url = pty_server.path if transport == "pty" else f"socket://127.0.0.1:{tcp.port}"
    client = Pi30Client(StreamTransport(url), timeout=0.5)
    emulator.faults.late_s = 0.8
    try:
        assert await _poll(client) == GOOD
        for first in ("QPIGS", "QMOD", "QPIWS"):
            # The fault on the reply to this command of the next poll.
            setattr(emulator.faults, fault, 1)
            # It may fail (the late reply is a timeout); what it returns is right.
            with contextlib.suppress(Pi30ConnectionError):
                assert await _poll_from(client, first) == GOOD
            assert getattr(emulator.faults, fault) == 0
            assert await _poll(client) == GOOD
            assert await _poll(client) == GOOD
    finally:
        await client.close()
        await tcp.stop()


async def _poll_from(client: Pi30Client, first: str) -> tuple[int, str, bool] | None:
    """A poll whose commands start at first (so the fault hits that command)."""
    order = ["QPIGS", "QMOD", "QPIWS"]
    results: dict[str, object] = {}
    for command in order[order.index(first) :] + order[: order.index(first)]:
        match command:
            case "QPIGS":
                results[command] = (await client.get_status()).battery_capacity
            case "QMOD":
                results[command] = (await client.get_mode()).value
            case _:
                results[command] = (await client.get_warnings()).is_set("inverter_fault")
    return results["QPIGS"], results["QMOD"], results["QPIWS"]  # type: ignore[return-value]
