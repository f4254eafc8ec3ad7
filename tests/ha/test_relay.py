"""USB relay boards in Home Assistant, with boards emulated at the hidapi boundary."""

from __future__ import annotations

import asyncio
import threading

import pytest
from homeassistant.config_entries import SOURCE_USB, SOURCE_USER
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError

from custom_components.diy_solar.const import DOMAIN
from custom_components.diy_solar.drivers.usbrelay import BoardState
from custom_components.diy_solar.emulators.usbrelay import RelayBoardEmulator
from tests.ha.common import poll, usb_info

SWITCH_1 = "switch.usb_relay_lhcxi_channel_1"


async def _add(hass: HomeAssistant) -> dict:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "usb_relay"}
    )
    assert result["step_id"] == "usb_relay"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"serial": "LHCXI"})
    await hass.async_block_till_done()
    return result


@pytest.mark.usefixtures("hid")
async def test_switches_show_what_the_board_reports(
    hass: HomeAssistant, board: RelayBoardEmulator
) -> None:
    result = await _add(hass)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == "LHCXI"
    assert hass.states.get(SWITCH_1).state == "off"
    assert hass.states.get("switch.usb_relay_lhcxi_channel_2").state == "off"
    await hass.services.async_call("switch", "turn_on", {ATTR_ENTITY_ID: SWITCH_1}, blocking=True)
    assert board.states == [True, False]
    assert hass.states.get(SWITCH_1).state == "on"
    board.states[1] = True  # switched by something else (a button, another program)
    await poll(hass)
    assert hass.states.get("switch.usb_relay_lhcxi_channel_2").state == "on"


@pytest.mark.usefixtures("hid")
async def test_a_vanished_board_is_unavailable_until_it_returns(
    hass: HomeAssistant, board: RelayBoardEmulator
) -> None:
    await _add(hass)
    board.plugged = False
    with pytest.raises(HomeAssistantError):
        await hass.services.async_call(
            "switch", "turn_on", {ATTR_ENTITY_ID: SWITCH_1}, blocking=True
        )
    await poll(hass)
    assert hass.states.get(SWITCH_1).state == STATE_UNAVAILABLE
    board.plugged, board.path = True, b"/dev/hidraw9"
    await poll(hass)
    assert hass.states.get(SWITCH_1).state == "off"


@pytest.mark.usefixtures("hid")
async def test_a_poll_answered_late_does_not_undo_a_switch(
    hass: HomeAssistant, board: RelayBoardEmulator
) -> None:
    """The board answers a poll, but the answer reaches Home Assistant only after the
    owner has switched the relay: the switch shows the board's state after the switch."""
    result = await _add(hass)
    coordinator = result["result"].runtime_data.coordinator
    read, answered, late = coordinator.board.read, threading.Event(), threading.Event()

    def read_late() -> BoardState:
        state = read()
        answered.set()
        late.wait(5)
        return state

    coordinator.board.read = read_late
    refresh = hass.async_create_task(coordinator.async_refresh())
    await hass.async_add_executor_job(answered.wait, 5)
    switching = hass.async_create_task(
        hass.services.async_call("switch", "turn_on", {ATTR_ENTITY_ID: SWITCH_1}, blocking=True)
    )
    # Time for the switch to overtake the poll, as a busy machine's threads may let it.
    for _ in range(50):
        if board.commands:
            break
        await asyncio.sleep(0.01)
    late.set()
    await refresh
    await switching
    assert board.states == [True, False]
    assert hass.states.get(SWITCH_1).state == "on"


@pytest.mark.usefixtures("hid")
async def test_usb_discovery_offers_the_board(hass: HomeAssistant) -> None:
    info = usb_info("16C0", "05DF")
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USB}, data=info
    )
    assert result["step_id"] == "usb_relay"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"serial": "LHCXI"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    again = await _add_without_boards(hass)
    assert again["reason"] == "no_relay_boards"


async def _add_without_boards(hass: HomeAssistant) -> dict:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "usb_relay"}
    )
