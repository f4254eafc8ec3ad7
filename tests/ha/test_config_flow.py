"""Every branch of the config, options and reconfigure flows, against a live emulator."""

from __future__ import annotations

from pathlib import Path
from unittest.mock import patch

import pytest
from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USB, SOURCE_USER
from homeassistant.const import CONF_DEVICE, CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import selector
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.diy_solar.const import (
    CONF_DEVICE_TYPE,
    CONF_HID_PID,
    CONF_HID_VID,
    CONF_TRANSPORT,
    DOMAIN,
    DeviceType,
    TransportKind,
)
from custom_components.diy_solar.drivers.pi30 import transport as pi30_transport
from custom_components.diy_solar.emulators.pi30 import Pi30Emulator, PtyServer, TcpServer
from custom_components.diy_solar.emulators.plant import Plant
from tests.ha.common import poll, usb_info

SERIAL = "92932105105315"


async def _menu_to(hass: HomeAssistant, transport: str) -> dict:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "axpert"}
    )
    assert result["type"] is FlowResultType.MENU
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": transport}
    )


async def test_serial_flow_creates_entry(hass: HomeAssistant, pty_server: PtyServer) -> None:
    result = await _menu_to(hass, "serial")
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_DEVICE: pty_server.path}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"Axpert {SERIAL}"
    assert result["result"].unique_id == SERIAL
    assert result["data"] == {
        CONF_DEVICE_TYPE: "axpert",
        CONF_TRANSPORT: "serial",
        CONF_DEVICE: pty_server.path,
    }


async def test_serial_flow_recovers_from_errors(
    hass: HomeAssistant, pty_server: PtyServer, emulator: Pi30Emulator
) -> None:
    result = await _menu_to(hass, "serial")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_DEVICE: "/dev/does-not-exist"}
    )
    assert result["errors"] == {"base": "cannot_connect"}
    emulator.faults.nak = 1
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_DEVICE: pty_server.path}
    )
    assert result["errors"] == {"base": "wrong_protocol"}
    with patch("custom_components.diy_solar.axpert.flow.async_identify", side_effect=RuntimeError):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_DEVICE: pty_server.path}
        )
    assert result["errors"] == {"base": "unknown"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_DEVICE: pty_server.path}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_wrong_protocol_id(
    hass: HomeAssistant, pty_server: PtyServer, emulator: Pi30Emulator
) -> None:
    with patch.object(Pi30Emulator, "answer", lambda self, c: "PI17" if c == "QPI" else "NAKss"):
        result = await _menu_to(hass, "serial")
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_DEVICE: pty_server.path}
        )
    assert result["errors"] == {"base": "wrong_protocol"}


async def test_placeholder_serial_falls_back_to_the_port(
    hass: HomeAssistant, pty_server: PtyServer, emulator: Pi30Emulator
) -> None:
    emulator.serial_number = "55355535553555"
    result = await _menu_to(hass, "serial")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_DEVICE: pty_server.path}
    )
    assert result["result"].unique_id == pty_server.path


async def test_already_configured(
    hass: HomeAssistant, pty_server: PtyServer, mock_config_entry: MockConfigEntry
) -> None:
    mock_config_entry.add_to_hass(hass)
    result = await _menu_to(hass, "serial")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_DEVICE: pty_server.path}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


@pytest.mark.usefixtures("socket_enabled")
async def test_tcp_flow(hass: HomeAssistant, emulator: Pi30Emulator) -> None:
    server = TcpServer(emulator)
    await server.start()
    result = await _menu_to(hass, "tcp")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: server.port}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_HOST] == "127.0.0.1"
    await server.stop()


async def test_hid_flow(hass: HomeAssistant, emulator: Pi30Emulator) -> None:
    server = PtyServer(emulator, hid=True)
    result = await _menu_to(hass, "hid")
    assert result["step_id"] == "hid"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_DEVICE: server.path}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_HID_VID] == 0x0665
    assert result["data"][CONF_HID_PID] == 0x5161
    server.close()


async def test_simulator_flow_and_its_entities(hass: HomeAssistant) -> None:
    result = await _menu_to(hass, "simulator")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    state = hass.states.get(f"sensor.axpert_{SERIAL}_state_of_charge")
    assert state is not None
    assert 0 <= int(state.state) <= 100


async def test_the_simulated_inverter_becomes_the_real_one_keeping_its_entities(
    hass: HomeAssistant,
) -> None:
    """Tried on the simulator, then wired up: Reconfigure moves the entry to the real
    inverter, whose readings then show on the same entities of the same device (what
    dashboards and automations refer to)."""
    entry = (await _menu_to(hass, "simulator"))["result"]
    await hass.async_block_till_done()
    entity_id = f"sensor.axpert_{SERIAL}_state_of_charge"
    entities, devices = er.async_get(hass), dr.async_get(hass)
    device_id = entities.async_get(entity_id).device_id
    count = len(er.async_entries_for_config_entry(entities, entry.entry_id))
    real = Pi30Emulator(Plant(soc=0.37), serial_number="11112222333344")
    server = PtyServer(real)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["serial", "tcp", "hid"]  # not the simulator again
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "serial"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_DEVICE: server.path}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert (entry.unique_id, entry.title) == ("11112222333344", "Axpert 11112222333344")
    assert entry.data[CONF_DEVICE] == server.path
    moved = entities.async_get(entity_id)
    assert moved.unique_id.startswith("11112222333344-")
    assert moved.device_id == device_id
    assert devices.async_get(device_id).identifiers == {(DOMAIN, "11112222333344")}
    # None made twice, none left behind under the simulator's serial.
    assert len(er.async_entries_for_config_entry(entities, entry.entry_id)) == count
    real.requests.clear()
    await poll(hass)
    assert "QPIGS" in real.requests
    assert hass.states.get(entity_id).state == "37"  # the real battery, not the simulated one
    await hass.config_entries.async_unload(entry.entry_id)
    server.close()


async def test_a_simulator_does_not_take_a_configured_inverter(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: Pi30Emulator
) -> None:
    """The real inverter already has its entry: the simulator's stays as it was."""
    simulated = MockConfigEntry(
        domain=DOMAIN,
        unique_id="simulated",
        data={CONF_DEVICE_TYPE: DeviceType.AXPERT, CONF_TRANSPORT: TransportKind.SIMULATOR},
    )
    simulated.add_to_hass(hass)
    other_port = PtyServer(emulator)
    result = await simulated.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "serial"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_DEVICE: other_port.path}
    )
    assert result["reason"] == "already_configured"
    assert simulated.unique_id == "simulated"
    assert simulated.data[CONF_TRANSPORT] == TransportKind.SIMULATOR
    await hass.config_entries.async_unload(init_integration.entry_id)
    other_port.close()


async def test_usb_discovery(hass: HomeAssistant, emulator: Pi30Emulator, tmp_path: Path) -> None:
    server = PtyServer(emulator, hid=True)
    node = tmp_path / "hidraw3" / "device"
    node.mkdir(parents=True)
    (node / "uevent").write_text("HID_ID=0003:00000665:00005161\n")
    info = usb_info("0665", "5161")
    with (
        patch.object(pi30_transport, "SYSFS_HIDRAW", tmp_path),
        patch(
            "custom_components.diy_solar.axpert.flow.list_hidraw",
            lambda: [pi30_transport.HidDevice(server.path, 0x0665, 0x5161)],
        ),
    ):
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_USB}, data=info
        )
        assert result["step_id"] == "usb_confirm"
        result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_DEVICE] == server.path
    server.close()


async def test_usb_discovery_without_hidraw(hass: HomeAssistant) -> None:
    info = usb_info("0665", "5161")
    with patch("custom_components.diy_solar.axpert.flow.list_hidraw", list):
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_USB}, data=info
        )
    assert result["reason"] == "no_hidraw"


async def test_reconfigure_changes_the_port(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: Pi30Emulator
) -> None:
    moved = PtyServer(emulator)
    result = await init_integration.start_reconfigure_flow(hass)
    assert result["step_id"] == "serial"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_DEVICE: moved.path}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert init_integration.data[CONF_DEVICE] == moved.path
    assert hass.states.get(f"sensor.axpert_{SERIAL}_state_of_charge").state == "62"
    await hass.config_entries.async_unload(init_integration.entry_id)
    moved.close()


async def test_reconfigure_refuses_another_inverter(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    other = PtyServer(Pi30Emulator(serial_number="11112222333344"))
    result = await init_integration.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_DEVICE: other.path}
    )
    assert result["reason"] == "wrong_device"
    other.close()


async def test_serial_step_uses_the_best_port_picker(hass: HomeAssistant) -> None:
    """HA's own serial port picker where the running release has one, our list otherwise."""
    result = await _menu_to(hass, "serial")
    (picker,) = result["data_schema"].schema.values()
    expected = "serial_port" if hasattr(selector, "SerialPortSelector") else "select"
    assert picker.selector_type == expected


@pytest.mark.parametrize(
    ("stored_serial", "unit_serial", "reason"),
    [
        ("00000000000000", "00000000000000", "reconfigure_successful"),
        (SERIAL, "00000000000000", "wrong_device"),
        ("00000000000000", SERIAL, "wrong_device"),
    ],
)
async def test_a_placeholder_serial_keeps_its_identity_on_another_port(  # noqa: PLR0917 - one argument per table column
    hass: HomeAssistant,
    pty_server: PtyServer,
    emulator: Pi30Emulator,
    stored_serial: str,
    unit_serial: str,
    reason: str,
) -> None:
    """Many clones report a placeholder serial, so such an inverter is known by its port;
    moved to another port it stays the same device. A unit with a real serial and one with
    a placeholder are never taken for each other."""
    old = {CONF_DEVICE_TYPE: "axpert", CONF_TRANSPORT: "serial", CONF_DEVICE: "/dev/ttyUSB9"}
    placeholder = stored_serial == "00000000000000"
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"Axpert {stored_serial}",
        unique_id="/dev/ttyUSB9" if placeholder else stored_serial,
        data=old,
    )
    entry.add_to_hass(hass)
    emulator.serial_number = unit_serial
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_DEVICE: pty_server.path}
    )
    assert result["reason"] == reason
    moved = reason == "reconfigure_successful"
    assert entry.data[CONF_DEVICE] == (pty_server.path if moved else "/dev/ttyUSB9")
    assert entry.unique_id == ("/dev/ttyUSB9" if placeholder else stored_serial)
