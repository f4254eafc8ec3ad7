"""Diagnostics carry the last raw frames and redact the serial number."""

from __future__ import annotations

import json
from pathlib import Path

from homeassistant.const import CONF_DEVICE
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from custom_components.diy_solar.const import CONF_DEVICE_TYPE, CONF_SERIAL, DOMAIN, DeviceType
from custom_components.diy_solar.diagnostics import async_get_config_entry_diagnostics
from custom_components.diy_solar.emulators.battery import CellModel
from custom_components.diy_solar.emulators.jkbms import JkBmsEmulator
from custom_components.diy_solar.emulators.usbrelay import FakeHidapi


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    assert diagnostics == snapshot
    assert "QID" not in diagnostics["raw_frames"]
    assert diagnostics["raw_frames"]["QMOD"] == "28 42 e7 c9 0d"


async def test_diagnostics_of_a_bms_and_a_relay_board_name_no_serial(
    hass: HomeAssistant, hid: FakeHidapi, tmp_path: Path
) -> None:
    """What identifies a device (a BMS's id, a board's serial, a by-id port path) is
    redacted wherever it shows up."""
    jk = JkBmsEmulator(CellModel(cells=8), manufacturer_id="BT3162802802000230611007")
    # As a BMS added on its stable port would have it.
    by_id = tmp_path / "usb-FTDI_FT232R_USB_UART_A10KZP45-if00-port0"
    by_id.symlink_to(jk.path)
    try:
        bms = MockConfigEntry(
            domain=DOMAIN,
            title="JK BMS BT3162802802000230611007",
            unique_id="BT3162802802000230611007",
            data={CONF_DEVICE_TYPE: DeviceType.JK_BMS, CONF_DEVICE: str(by_id)},
        )
        relay = MockConfigEntry(
            domain=DOMAIN,
            title="USB relay LHCXI",
            unique_id="LHCXI",
            data={CONF_DEVICE_TYPE: DeviceType.USB_RELAY, CONF_SERIAL: "LHCXI"},
        )
        for entry in (bms, relay):
            entry.add_to_hass(hass)
            assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        dumps = [
            json.dumps(await async_get_config_entry_diagnostics(hass, entry))
            for entry in (bms, relay)
        ]
        assert "BT3162802802000230611007" not in dumps[0]
        assert "A10KZP45" not in dumps[0]
        assert "LHCXI" not in dumps[1]
        assert '"cell_voltages"' in dumps[0]
        await hass.config_entries.async_unload(bms.entry_id)
    finally:
        jk.close()
