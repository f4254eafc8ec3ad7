"""Set-up, unload, and unavailability/recovery through the real pty transport."""

from __future__ import annotations

from datetime import timedelta

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_DEVICE, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.diy_solar.const import (
    CONF_DEVICE_TYPE,
    CONF_EEPROM_BUDGET,
    CONF_SCAN_INTERVAL,
    CONF_TRANSPORT,
    DEFAULT_EEPROM_BUDGET,
    DOMAIN,
    DeviceType,
    TransportKind,
)
from custom_components.diy_solar.emulators.pi30 import Pi30Emulator, PtyServer
from tests.ha.common import PREFIX, poll

SOC = f"sensor.{PREFIX}_state_of_charge"


async def test_setup_and_unload(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    assert init_integration.state is ConfigEntryState.LOADED
    assert hass.states.get(SOC).state == "62"
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.NOT_LOADED


async def test_setup_retries_when_the_inverter_is_silent(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, emulator: Pi30Emulator
) -> None:
    emulator.faults.silent = True
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY


async def test_unavailable_and_back_with_one_log_line_each_way(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: Pi30Emulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Real time, not a frozen clock: the client's reply timeout must run out.
    init_integration.runtime_data.coordinator.client.timeout = 0.2
    emulator.vanished = True
    for _ in range(3):
        await poll(hass)
    assert hass.states.get(SOC).state == STATE_UNAVAILABLE
    assert caplog.text.count("Error fetching") == 1

    emulator.vanished = False
    emulator.plant.soc = 0.70
    await poll(hass)
    assert hass.states.get(SOC).state == "70"
    assert caplog.text.count("data recovered") == 1


async def test_poll_interval_option_reloads(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SCAN_INTERVAL: 30}
    )
    await hass.async_block_till_done()
    assert init_integration.options == {
        CONF_SCAN_INTERVAL: 30,
        CONF_EEPROM_BUDGET: DEFAULT_EEPROM_BUDGET,
    }
    coordinator = init_integration.runtime_data.coordinator
    assert coordinator.update_interval == timedelta(seconds=30)


async def test_axpert_on_its_usb_hid_port_opens_the_node_off_the_event_loop(
    hass: HomeAssistant, pty_server: PtyServer, emulator: Pi30Emulator
) -> None:
    """The pty stands in for /dev/hidraw*; no_rule_breaks fails the test if the node is
    looked up or opened in the event loop."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"Axpert {emulator.serial_number}",
        unique_id=emulator.serial_number,
        data={
            CONF_DEVICE_TYPE: DeviceType.AXPERT,
            CONF_TRANSPORT: TransportKind.HID,
            CONF_DEVICE: pty_server.path,
        },
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(SOC).state == "62"
