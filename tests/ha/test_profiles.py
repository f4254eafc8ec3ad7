"""Setting profiles against the emulators: saved from the device, applied through the
checked setters in a safe order, what counts being the settings in the device."""

from __future__ import annotations

from datetime import timedelta

import pytest
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.diy_solar.const import DOMAIN
from custom_components.diy_solar.drivers.meanwell import Command
from custom_components.diy_solar.emulators.meanwell import MeanWellEmulator
from custom_components.diy_solar.emulators.pi30 import Pi30Emulator
from tests.ha.common import PREFIX, device_of
from tests.ha.test_meanwell import PREFIX as BIC
from tests.ha.test_meanwell import _entry as bic_entry
from tests.ha.test_meanwell import _set_number
from tests.ha.test_meanwell import _setup as setup_bic

FLOAT, BULK, CHARGE = 11, 10, 14  # QPIRI fields
SELECT = f"select.{PREFIX}_profile"
SETTERS = ("PBFT", "PCVV", "MCHGC")


async def _call(hass: HomeAssistant, service: str, entry_id: str, name: str) -> dict:
    response = await hass.services.async_call(
        DOMAIN,
        service,
        {"config_entry_id": entry_id, "name": name},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    return response


_set = _set_number


def setters(emulator: Pi30Emulator) -> list[str]:
    return [r for r in emulator.requests if r.startswith(SETTERS)]


async def test_a_profile_round_trips_in_a_safe_order(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: Pi30Emulator
) -> None:
    entry_id = init_integration.entry_id
    summer = await _call(hass, "save_profile", entry_id, "summer")
    assert summer["settings"]["float_voltage"] == 54.0
    assert summer["settings"]["max_charge_current"] == 60.0
    await _set(hass, f"number.{PREFIX}_float_voltage", 53.2)
    await _set(hass, f"number.{PREFIX}_maximum_charge_current", 40)
    await _call(hass, "save_profile", entry_id, "winter")
    assert hass.states.get(SELECT).attributes["options"] == ["summer", "winter"]

    before = len(setters(emulator))
    changed = (await _call(hass, "apply_profile", entry_id, "summer"))["changed"]
    # Up: the current before the voltage.
    assert changed == [
        {"setting": "max_charge_current", "from": 40.0, "to": 60.0},
        {"setting": "float_voltage", "from": 53.2, "to": 54.0},
    ]
    assert setters(emulator)[before:] == ["MCHGC060", "PBFT54.0"]
    assert (emulator.qpiri[FLOAT], emulator.qpiri[CHARGE]) == ("54.0", "060")
    assert hass.states.get(SELECT).state == "summer"

    # Down, from the select: the voltage before the current.
    before = len(setters(emulator))
    await hass.services.async_call(
        "select", "select_option", {ATTR_ENTITY_ID: SELECT, "option": "winter"}, blocking=True
    )
    assert setters(emulator)[before:] == ["PBFT53.2", "MCHGC040"]
    assert (emulator.qpiri[FLOAT], emulator.qpiri[CHARGE]) == ("53.2", "040")
    # Applied again: nothing differs, nothing is written.
    assert (await _call(hass, "apply_profile", entry_id, "winter"))["changed"] == []
    assert len(setters(emulator)) == before + 2

    # Kept across a restart of the entry.
    await hass.config_entries.async_reload(entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(SELECT).attributes["options"] == ["summer", "winter"]
    assert hass.states.get(SELECT).state == "winter"


async def test_a_refused_value_stops_the_profile_and_says_which(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: Pi30Emulator
) -> None:
    entry_id = init_integration.entry_id
    await _call(hass, "save_profile", entry_id, "summer")
    await _set(hass, f"number.{PREFIX}_float_voltage", 53.2)
    await _set(hass, f"number.{PREFIX}_maximum_charge_current", 40)
    emulator.faults.ignore_writes = True  # the inverter ACKs and keeps its value
    with pytest.raises(HomeAssistantError, match="max_charge_current = 60"):
        await _call(hass, "apply_profile", entry_id, "summer")
    assert (emulator.qpiri[FLOAT], emulator.qpiri[CHARGE]) == ("53.2", "040")
    assert not [r for r in emulator.requests if r.startswith("PBFT54")]  # stopped there
    with pytest.raises(HomeAssistantError, match="no setting profile called autumn"):
        await _call(hass, "apply_profile", entry_id, "autumn")


async def test_profiles_only_for_devices_that_keep_them(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    other = MockConfigEntry(domain="sun")
    other.add_to_hass(hass)
    with pytest.raises(ServiceValidationError):
        await _call(hass, "save_profile", other.entry_id, "summer")


async def test_a_mean_well_profile_round_trips(
    hass: HomeAssistant, channel: str, bic: MeanWellEmulator
) -> None:
    entry = bic_entry(channel)
    await setup_bic(hass, entry)
    await _call(hass, "save_profile", entry.entry_id, "summer")
    await _set(hass, f"number.{BIC}_charge_voltage", 55.0)
    await _set(hass, f"number.{BIC}_charge_current", 20.0)
    changed = (await _call(hass, "apply_profile", entry.entry_id, "summer"))["changed"]
    assert [c["setting"] for c in changed] == ["charge_current", "charge_voltage"]
    assert bic.registers[Command.VOUT_SET] == round(48 * 1.15 * 100)
    assert bic.registers[Command.IOUT_SET] == round(45 * 0.5 * 100)


async def test_the_blueprint_applies_a_profile_on_its_date(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: Pi30Emulator
) -> None:
    entry_id = init_integration.entry_id
    for name, volts in (("winter", 53.2), ("spring", 55.0), ("now", 54.0)):
        await _set(hass, f"number.{PREFIX}_float_voltage", volts)
        await _call(hass, "save_profile", entry_id, name)
    at = dt_util.now() + timedelta(minutes=2)

    def automation(profile: str, month: int) -> dict[str, object]:
        inputs = {
            "device": device_of(hass, entry_id),
            "profile": profile,
            "at": at.strftime("%H:%M:%S"),
        }
        return {
            "use_blueprint": {
                "path": "diy_solar/seasonal_profile.yaml",
                "input": {**inputs, "month": month, "day": at.day},
            }
        }

    config = [automation("winter", at.month), automation("spring", at.month % 12 + 1)]
    assert await async_setup_component(hass, "automation", {"automation": config})
    await hass.async_block_till_done()
    before = len(emulator.requests)
    async_fire_time_changed(hass, at + timedelta(seconds=1))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert emulator.qpiri[FLOAT] == "53.2"  # today's profile
    assert setters(emulator)[-1] == "PBFT53.2"
    assert "PBFT55.0" not in emulator.requests[before:]  # another month's date: not today
    for automation_id in hass.states.async_entity_ids("automation"):
        await hass.services.async_call(
            "automation", "turn_off", {ATTR_ENTITY_ID: automation_id}, blocking=True
        )
