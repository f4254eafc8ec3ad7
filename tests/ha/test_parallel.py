"""A two-unit parallel Axpert system against the PI30 emulator over a pty: a device per
unit with its QPGSn readings, and the system's totals on the inverter."""

from __future__ import annotations

import pytest
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.diy_solar.const import DOMAIN
from custom_components.diy_solar.emulators.pi30 import Pi30Emulator
from custom_components.diy_solar.integration import remove_stale_devices
from tests.ha.common import PREFIX, poll

SECOND = "92932105105316"


@pytest.fixture
def emulator() -> Pi30Emulator:
    emulator = Pi30Emulator(parallel=[SECOND])
    emulator.plant.pv_w, emulator.plant.load_w, emulator.plant.soc = 1240.0, 450.0, 0.62
    return emulator


async def test_each_unit_is_a_device_and_the_system_has_totals(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: Pi30Emulator
) -> None:
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), init_integration.entry_id)
    serials = sorted(d.serial_number for d in devices)
    assert serials == ["92932105105315", "92932105105315", SECOND]
    main = next(d for d in devices if (DOMAIN, "92932105105315") in d.identifiers)
    units = [d for d in devices if d.via_device_id == main.id]
    assert len(units) == 2
    # Each unit carries half of the plant's load and PV; the totals are the whole.
    assert hass.states.get(f"sensor.{PREFIX}_system_load").state == "450.0"
    assert float(hass.states.get(f"sensor.{PREFIX}_system_pv_power").state) == pytest.approx(
        1240, abs=10
    )
    second = f"sensor.{PREFIX}_unit_2_ac_output_power"
    assert hass.states.get(second).state == "225"
    assert hass.states.get(f"sensor.{PREFIX}_unit_2_mode").state == "battery"
    # The plant moves: every unit and the total follow on the next poll.
    emulator.plant.load_w = 900.0
    await poll(hass)
    assert hass.states.get(second).state == "450"
    assert hass.states.get(f"sensor.{PREFIX}_system_load").state == "900.0"


async def test_a_reload_keeps_the_units_devices(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    registry = dr.async_get(hass)

    def units() -> set[str]:
        devices = dr.async_entries_for_config_entry(registry, init_integration.entry_id)
        return {d.id for d in devices if d.via_device_id is not None}

    before = units()
    assert len(before) == 2
    remove_stale_devices(hass, init_integration)  # what every set-up does first
    assert units() == before
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert units() == before
    assert hass.states.get(f"sensor.{PREFIX}_unit_2_mode").state == "battery"


async def test_each_unit_takes_its_own_charge_current(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: Pi30Emulator
) -> None:
    number = f"number.{PREFIX}_unit_2_maximum_charge_current"
    assert hass.states.get(number).state == "60.0"
    await hass.services.async_call(
        "number", "set_value", {ATTR_ENTITY_ID: number, "value": 40}, blocking=True
    )
    assert emulator.unit_charge_currents == {1: "040"}  # unit 2 only, MNCHGC1040
    assert "MNCHGC1040" in emulator.requests
    assert hass.states.get(number).state == "40.0"
    assert hass.states.get(f"number.{PREFIX}_unit_1_maximum_charge_current").state == "60.0"
    sent = len(emulator.requests)
    with pytest.raises(ServiceValidationError):  # not one the inverter lists
        await hass.services.async_call(
            "number", "set_value", {ATTR_ENTITY_ID: number, "value": 45}, blocking=True
        )
    assert not [r for r in emulator.requests[sent:] if r.startswith("MNCHGC")]
    emulator.faults.ignore_writes = True  # ACK, and the unit keeps 40 A
    with pytest.raises(HomeAssistantError, match="unit 1 reports 40"):
        await hass.services.async_call(
            "number", "set_value", {ATTR_ENTITY_ID: number, "value": 50}, blocking=True
        )
