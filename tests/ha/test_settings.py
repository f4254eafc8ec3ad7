"""Number and select writes go through the emulator over a pty and read back."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from unittest.mock import patch

import pytest
from homeassistant.components.number import ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.components.select import ATTR_OPTION, SERVICE_SELECT_OPTION
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util.dt import utcnow
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.diy_solar.emulators.pi30 import Pi30Emulator
from tests.ha.common import PREFIX

FLOAT = f"number.{PREFIX}_float_voltage"
CHARGE = f"number.{PREFIX}_maximum_charge_current"
OUTPUT = f"select.{PREFIX}_output_source_priority"


async def _set(hass: HomeAssistant, entity_id: str, value: float) -> None:
    await hass.services.async_call(
        "number", SERVICE_SET_VALUE, {ATTR_ENTITY_ID: entity_id, ATTR_VALUE: value}, blocking=True
    )


async def test_number_write_reads_back(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: Pi30Emulator
) -> None:
    assert hass.states.get(FLOAT).state == "54.0"
    await _set(hass, FLOAT, 53.2)
    assert emulator.qpiri[11] == "53.2"
    assert hass.states.get(FLOAT).state == "53.2"
    assert hass.states.get(f"sensor.{PREFIX}_setting_writes").state == "1"
    await _set(hass, FLOAT, 53.2)
    assert emulator.requests.count("PBFT53.2") == 1


async def test_value_outside_what_the_unit_allows(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: Pi30Emulator
) -> None:
    state = hass.states.get(CHARGE)
    assert (state.attributes["min"], state.attributes["max"]) == (10, 120)
    with pytest.raises(ServiceValidationError) as info:
        await _set(hass, CHARGE, 55)
    assert info.value.translation_key == "value_not_allowed"
    assert not any(r.startswith("MCHGC") for r in emulator.requests)


async def test_refused_and_unconfirmed_writes(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: Pi30Emulator
) -> None:
    emulator.faults.nak = 1
    with pytest.raises(HomeAssistantError) as info:
        await _set(hass, FLOAT, 53.0)
    assert info.value.translation_key == "write_rejected"
    emulator.faults.ignore_writes = True
    with pytest.raises(HomeAssistantError, match="did not apply"):
        await _set(hass, FLOAT, 53.0)
    assert hass.states.get(FLOAT).state == "54.0"


async def test_select_write_reads_back(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: Pi30Emulator
) -> None:
    assert hass.states.get(OUTPUT).state == "sbu"
    await hass.services.async_call(
        "select",
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: OUTPUT, ATTR_OPTION: "solar_first"},
        blocking=True,
    )
    assert "POP01" in emulator.requests
    assert hass.states.get(OUTPUT).state == "solar_first"


async def test_a_write_that_ends_inside_a_poll_is_not_undone_by_it(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: Pi30Emulator
) -> None:
    """The setter and the poll take turns on the line; a poll that began before the write
    was confirmed must not show the setting from before it when it ends after it."""
    coordinator = init_integration.runtime_data.coordinator
    before = len(emulator.requests)
    write = hass.services.async_call(
        "select",
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: OUTPUT, ATTR_OPTION: "utility_first"},
        blocking=True,
    )
    await asyncio.gather(write, coordinator.async_refresh())
    assert emulator.requests[before:] == [
        "QPIRI",  # the setter's fresh read
        "QPIGS",  # the poll's first turn
        "POP00",
        "QMOD",
        "QPIRI",  # the setter's read-back, before the poll's last turn
        "QPIWS",
    ]
    assert emulator.qpiri[16] == "0"
    assert hass.states.get(OUTPUT).state == "utility_first"


async def test_a_setting_changed_on_the_panel_shows_within_a_minute(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: Pi30Emulator
) -> None:
    """QPIRI is read again once a minute (not on every poll: 0.45 s of a 2400-baud line)."""
    coordinator = init_integration.runtime_data.coordinator
    emulator.qpiri[11] = "53.0"  # the panel
    reads = emulator.requests.count("QPIRI")
    start = utcnow()
    clock = "custom_components.diy_solar.axpert.coordinator.utcnow"
    with patch(clock, return_value=start + timedelta(seconds=59)):
        await coordinator.async_refresh()
    assert hass.states.get(FLOAT).state == "54.0"  # not yet: polls read status only
    assert emulator.requests.count("QPIRI") == reads
    with patch(clock, return_value=start + timedelta(seconds=61)):
        await coordinator.async_refresh()
    assert hass.states.get(FLOAT).state == "53.0"
    assert emulator.requests.count("QPIRI") == reads + 1
    # And HA asking for 54.0 V now writes it (the skip is decided on a fresh read).
    await _set(hass, FLOAT, 54.0)
    assert emulator.qpiri[11] == "54.0"
