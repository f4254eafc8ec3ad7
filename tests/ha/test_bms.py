"""JK and Daly BMS entries in Home Assistant, over a pty to the emulators."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from unittest.mock import patch

import pytest
from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.const import ATTR_ENTITY_ID, CONF_DEVICE, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.diy_solar.const import DOMAIN
from custom_components.diy_solar.diagnostics import async_get_config_entry_diagnostics
from custom_components.diy_solar.emulators.battery import BmsEmulator, CellModel, LineFault
from custom_components.diy_solar.emulators.dalybms import DalyBmsEmulator
from custom_components.diy_solar.emulators.jkbms import JkBmsEmulator
from custom_components.diy_solar.ports import stable_port
from tests.ha.common import device_with, poll, registry_summary


def _battery() -> CellModel:
    return CellModel(cells=8, soc=0.55, current=-12.0, temperatures=[21.0, 22.0])


@pytest.fixture
async def jk() -> AsyncIterator[JkBmsEmulator]:
    emulator = JkBmsEmulator(_battery())
    yield emulator
    emulator.close()


@pytest.fixture
async def daly() -> AsyncIterator[DalyBmsEmulator]:
    emulator = DalyBmsEmulator(_battery())
    yield emulator
    emulator.close()


@pytest.fixture
def emulators(jk: JkBmsEmulator, daly: DalyBmsEmulator) -> dict[str, BmsEmulator]:
    return {"jk_bms": jk, "daly_bms": daly}


async def _flow(hass: HomeAssistant, step: str, user_input: dict) -> dict:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": step}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == step
    return await hass.config_entries.flow.async_configure(result["flow_id"], user_input)


async def _unload_all(hass: HomeAssistant) -> None:
    for entry in hass.config_entries.async_entries(DOMAIN):
        await hass.config_entries.async_unload(entry.entry_id)


async def test_jk_flow_without_an_identity_uses_the_port(
    hass: HomeAssistant, jk: JkBmsEmulator
) -> None:
    result = await _flow(hass, "jk_bms", {CONF_DEVICE: jk.path})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {"device_type": "jk_bms", CONF_DEVICE: jk.path}
    # The pack carries the documented example id, which many packs share.
    assert result["result"].unique_id == f"jk_bms:{jk.path}"
    assert result["title"] == f"JK BMS {Path(jk.path).name}"
    await _unload_all(hass)


async def test_jk_flow_with_an_identity(hass: HomeAssistant) -> None:
    emulator = JkBmsEmulator(_battery(), manufacturer_id="BT3162802802000230611007")
    try:
        result = await _flow(hass, "jk_bms", {CONF_DEVICE: emulator.path})
        assert result["result"].unique_id == "BT3162802802000230611007"
        assert result["title"] == "JK BMS BT3162802802000230611007"
        again = await _flow(hass, "jk_bms", {CONF_DEVICE: emulator.path})
        assert again["type"] is FlowResultType.ABORT
        assert again["reason"] == "already_configured"
        await _unload_all(hass)
    finally:
        emulator.close()


@pytest.mark.parametrize(
    ("fault", "error"),
    [(LineFault.SILENCE, "cannot_connect"), (LineFault.BAD_CHECKSUM, "wrong_protocol")],
)
async def test_flow_errors_then_success(
    hass: HomeAssistant, daly: DalyBmsEmulator, fault: LineFault, error: str
) -> None:
    daly.fault = fault
    user_input = {CONF_DEVICE: daly.path, "bms_port": "rs485"}
    result = await _flow(hass, "daly_bms", user_input)
    assert result["errors"] == {"base": error}
    daly.fault = LineFault.NONE
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {
        "device_type": "daly_bms",
        CONF_DEVICE: daly.path,
        "bms_port": "rs485",
    }
    await _unload_all(hass)


async def test_daly_flow_on_the_uart_port(hass: HomeAssistant, daly: DalyBmsEmulator) -> None:
    result = await _flow(hass, "daly_bms", {CONF_DEVICE: daly.path, "bms_port": "uart"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert {request[1] for request in daly.requests} == {0x80}
    await _unload_all(hass)


def test_stable_port_prefers_the_by_id_link(tmp_path: Path) -> None:
    tty = tmp_path / "ttyUSB0"
    tty.touch()
    by_id = tmp_path / "by-id"
    by_id.mkdir()
    link = by_id / "usb-FTDI_FT232R_USB_UART_A10KZ7QF-if00-port0"
    link.symlink_to(tty)
    assert stable_port(str(tty), by_id) == str(link)
    assert stable_port(str(tmp_path / "other"), by_id) == str(tmp_path / "other")
    assert stable_port("/dev/ttyUSB9", tmp_path / "missing") == "/dev/ttyUSB9"


def _entry(hass: HomeAssistant, emulator: BmsEmulator, device_type: str, **options: object):
    data = {"device_type": device_type, CONF_DEVICE: emulator.path}
    if device_type == "daly_bms":
        data["bms_port"] = "rs485"
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="JK BMS" if device_type == "jk_bms" else "Daly BMS",
        unique_id=f"{device_type}-test",
        data=data,
        options=options,
    )
    entry.add_to_hass(hass)
    return entry


async def _setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


@pytest.fixture
async def jk_entry(hass: HomeAssistant, jk: JkBmsEmulator) -> AsyncIterator[MockConfigEntry]:
    entry = _entry(hass, jk, "jk_bms")
    await _setup(hass, entry)
    yield entry
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.fixture
async def daly_entry(hass: HomeAssistant, daly: DalyBmsEmulator) -> AsyncIterator[MockConfigEntry]:
    entry = _entry(hass, daly, "daly_bms")
    await _setup(hass, entry)
    yield entry
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize("device_type", ["jk_bms", "daly_bms"])
async def test_entities_snapshot(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    emulators: dict[str, BmsEmulator],
    device_type: str,
) -> None:
    emulator = emulators[device_type]
    emulator.battery.weak_cell = 3
    emulator.alarms = {"cell_undervoltage"}
    entry = _entry(hass, emulator, device_type)
    await _setup(hass, entry)
    assert registry_summary(hass, entity_registry, entry.entry_id) == snapshot
    await hass.config_entries.async_unload(entry.entry_id)


async def test_jk_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    jk: JkBmsEmulator,
    jk_entry: MockConfigEntry,
) -> None:
    assert hass.states.get("sensor.jk_bms_state_of_charge").state == "55.0"
    assert hass.states.get("sensor.jk_bms_state_of_charge").attributes["device_class"] == "battery"
    assert hass.states.get("sensor.jk_bms_current").state == "-12.0"
    assert hass.states.get("sensor.jk_bms_temperature_2").state == "22.0"
    assert hass.states.get("binary_sensor.jk_bms_charge_mosfet").state == "on"
    assert hass.states.get("binary_sensor.jk_bms_alarm").state == "off"
    # Per-cell voltages exist, but start disabled.
    cell = entity_registry.async_get("sensor.jk_bms_cell_8_voltage")
    assert cell is not None and cell.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert entity_registry.async_get("sensor.jk_bms_cell_9_voltage") is None
    assert not hass.states.async_entity_ids("switch")
    (device,) = dr.async_entries_for_config_entry(dr.async_get(hass), jk_entry.entry_id)
    assert device.identifiers == {(DOMAIN, "jk_bms-test")}
    assert (device.manufacturer, device.model) == ("JK", "8S BMS")

    jk.alarms = {"cell_overvoltage"}
    jk.battery.current = 30.0
    await poll(hass)
    assert hass.states.get("binary_sensor.jk_bms_alarm").state == "on"
    assert hass.states.get("binary_sensor.jk_bms_cell_overvoltage").state == "on"
    assert hass.states.get("sensor.jk_bms_current").state == "30.0"


@pytest.mark.usefixtures("jk_entry")
async def test_energy_is_split_into_charge_and_discharge(hass: HomeAssistant) -> None:
    later = dt_util.utcnow() + timedelta(minutes=1)
    with patch("custom_components.diy_solar.bms.coordinator.utcnow", return_value=later):
        await poll(hass)
    discharged = float(hass.states.get("sensor.jk_bms_discharge_energy").state)
    assert discharged == pytest.approx(12.0 * 26.6 / 60 / 1000, rel=0.05)
    assert hass.states.get("sensor.jk_bms_charge_energy").state == "0.0"
    energy = hass.states.get("sensor.jk_bms_charge_energy").attributes
    assert (energy["device_class"], energy["state_class"], energy["unit_of_measurement"]) == (
        "energy",
        "total_increasing",
        "kWh",
    )


@pytest.mark.usefixtures("daly_entry")
async def test_daly_mosfet_switches_show_the_read_back_state(
    hass: HomeAssistant, daly: DalyBmsEmulator
) -> None:
    switch = "switch.daly_bms_discharge_mosfet"
    assert hass.states.get(switch).state == "on"
    await hass.services.async_call("switch", "turn_off", {ATTR_ENTITY_ID: switch}, blocking=True)
    assert not daly.battery.discharge_mosfet
    assert hass.states.get(switch).state == "off"
    assert hass.states.get("switch.daly_bms_charge_mosfet").state == "on"

    daly.mosfets_stuck = True
    with pytest.raises(HomeAssistantError, match="did not switch on"):
        await hass.services.async_call("switch", "turn_on", {ATTR_ENTITY_ID: switch}, blocking=True)
    assert hass.states.get(switch).state == "off"
    assert daly.writes == [(0xD9, False), (0xD9, True)]


@pytest.mark.usefixtures("daly_entry")
async def test_silent_bms_goes_unavailable_and_comes_back(
    hass: HomeAssistant, daly: DalyBmsEmulator
) -> None:
    soc = "sensor.daly_bms_state_of_charge"
    for fault in (LineFault.SILENCE, LineFault.ECHO, LineFault.PARTIAL):
        daly.fault = fault
        await poll(hass)
        assert hass.states.get(soc).state == STATE_UNAVAILABLE, fault
        assert hass.states.get("switch.daly_bms_charge_mosfet").state == STATE_UNAVAILABLE
        daly.fault = LineFault.NONE
        await poll(hass)
        assert hass.states.get(soc).state == "55.0"


async def test_options_invert_the_current_sign(
    hass: HomeAssistant, jk_entry: MockConfigEntry
) -> None:
    result = await hass.config_entries.options.async_init(jk_entry.entry_id)
    assert result["step_id"] == "bms_settings"
    assert "eeprom_budget" not in result["data_schema"].schema
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"scan_interval": 10, "invert_current": True, "temperature_convention": "minus_one_at_100"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert hass.states.get("sensor.jk_bms_current").state == "12.0"
    assert float(hass.states.get("sensor.jk_bms_power").state) > 0


async def test_reconfigure_moves_the_bms_to_another_port(
    hass: HomeAssistant, jk_entry: MockConfigEntry
) -> None:
    entry = jk_entry
    other = JkBmsEmulator(_battery())
    try:
        result = await entry.start_reconfigure_flow(hass)
        assert result["step_id"] == "jk_bms"
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_DEVICE: other.path}
        )
        assert result["reason"] == "reconfigure_successful"
        assert entry.data[CONF_DEVICE] == other.path
        assert entry.unique_id == "jk_bms-test"
        await hass.async_block_till_done()
    finally:
        await hass.config_entries.async_unload(entry.entry_id)
        other.close()


async def test_simulator_and_diagnostics(hass: HomeAssistant) -> None:
    result = await _flow(hass, "daly_bms", {CONF_DEVICE: "simulator", "bms_port": "rs485"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    await hass.async_block_till_done()
    assert hass.states.get("sensor.daly_bms_simulator_state_of_charge").state == "62.0"
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert diagnostics["simulated"] is True
    assert len(diagnostics["status"]["cell_voltages"]) == 16
    assert diagnostics["status"]["cell_max_index"] == 3  # the Daly pack's weak cell runs ahead
    # Reconfigure offers the real BMS's port: it would take the simulator's place.
    reconfigure = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    assert reconfigure["step_id"] == "daly_bms"
    await hass.config_entries.async_unload(entry.entry_id)


async def test_the_device_says_all_the_bms_told(hass: HomeAssistant) -> None:
    emulator = JkBmsEmulator(_battery(), manufacturer_id="BT3162802802000230611007")
    try:
        result = await _flow(hass, "jk_bms", {CONF_DEVICE: emulator.path})
        device = device_with(hass, result["result"].entry_id, "BT3162802802000230611007")
        assert device is not None
        assert (device.manufacturer, device.model) == ("JK", "8S BMS")
        assert device.serial_number == "BT3162802802000230611007"
        assert (
            device.sw_version
            == result["result"].runtime_data.coordinator.data.status.software_version
        )
        assert device.sw_version
        await _unload_all(hass)
    finally:
        emulator.close()
