"""Number and select writes go through the emulator over a pty and read back."""

from __future__ import annotations

import pytest
from homeassistant.components.number import ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.components.select import ATTR_OPTION, SERVICE_SELECT_OPTION
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
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
