"""Smart charging against the PI30 emulator over a pty: every setting through the
inverter's own numbers (checked, written, read back)."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from unittest.mock import patch

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.diy_solar.const import DOMAIN
from custom_components.diy_solar.emulators.charge_firmware import BatteryModel, ChargeFirmware
from custom_components.diy_solar.emulators.pi30 import Pi30Emulator
from custom_components.diy_solar.smart_charging import settings_from
from tests.ha.common import PREFIX, answer_forms

FLOAT_INDEX, CURRENT_INDEX, BULK_INDEX = 11, 14, 10
OPTIONS = {
    "chemistry": "lead_acid",
    "battery_voltage": f"sensor.{PREFIX}_battery_voltage",
    "charge_current": f"sensor.{PREFIX}_battery_charging_current",
    "bulk_number": f"number.{PREFIX}_bulk_absorption_voltage",
    "float_number": f"number.{PREFIX}_float_voltage",
    "current_number": f"number.{PREFIX}_maximum_charge_current",
    "absorption_v": 54.4,
    "float_v": 53.0,
    "tail_current": 20,
    "tail_time": 0,
    "max_absorption": 60,
    "float_step": 1.0,
    "float_step_time": 0,
    "max_charge": 60,
    "min_charge": 10,
    "target_soc": 100,
    "cell_limit": 3.45,
    "taper_from": 3.4,
    "temp_min": 0,
    "temp_max": 45,
    "min_write_interval": 0,
    "stale_after": 60,
}


async def tick(hass: HomeAssistant) -> None:
    """The next policy tick (30 s) and inverter poll, in real time (serial I/O)."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31), fire_all=True)
    await hass.async_block_till_done(wait_background_tasks=True)


def phase(hass: HomeAssistant) -> str:
    return hass.states.get("sensor.smart_charging_phase").state


async def _add(hass: HomeAssistant, changes: dict[str, object] | None = None) -> str:
    options = {**OPTIONS, **(changes or {})}
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "smart_charging"}
    )
    flows = hass.config_entries.flow
    answers = {CONF_NAME: "Smart charging", **options}
    result = await answer_forms(flows, result, {**answers, "float_v": 55.5})
    assert result["errors"] == {"float_v": "float_order"}
    result = await answer_forms(flows, result, answers)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    return result["result"].entry_id


async def test_absorption_held_until_the_tail_then_float_in_steps(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: Pi30Emulator
) -> None:
    entry_id = await _add(hass)
    # Bulk: the float setting is held at the absorption voltage, in the inverter itself.
    assert emulator.qpiri[FLOAT_INDEX] == "54.4"
    assert emulator.qpiri[CURRENT_INDEX] == "060"
    assert phase(hass) == "bulk"
    # The battery reaches the absorption voltage with little current: the tail.
    emulator.plant.soc = 0.98
    await tick(hass)
    await tick(hass)
    assert phase(hass) == "float"  # absorption, and with a tail time of 0 at once float
    assert hass.states.get("sensor.smart_charging_reason").state == "tail_current"
    floats = set()
    for _ in range(3):
        floats.add(emulator.qpiri[FLOAT_INDEX])
        await tick(hass)
    floats.add(emulator.qpiri[FLOAT_INDEX])
    assert {"53.4", "53.0"} <= floats  # down in steps, never in one jump
    assert emulator.qpiri[FLOAT_INDEX] == "53.0"
    assert int(hass.states.get("sensor.smart_charging_setting_writes_today").state) >= 4

    # A full cycle on demand (the weekly blueprint calls this), the battery lower again.
    emulator.plant.soc = 0.6
    await tick(hass)
    await hass.services.async_call(
        DOMAIN, "start_absorption", {"config_entry_id": entry_id}, blocking=True
    )
    assert phase(hass) == "bulk"
    assert emulator.qpiri[FLOAT_INDEX] == "54.4"
    await hass.services.async_call(
        DOMAIN, "stop_absorption", {"config_entry_id": entry_id}, blocking=True
    )
    assert phase(hass) == "float"


async def test_stale_inverter_restores_float_and_raises_a_repair(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: Pi30Emulator
) -> None:
    entry_id = await _add(hass)
    assert emulator.qpiri[FLOAT_INDEX] == "54.4"
    emulator.vanished = True
    await tick(hass)
    await tick(hass)
    assert phase(hass) == "blocked"
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"charging_stale_{entry_id}")
    # The inverter back: the float that was due is written first.
    emulator.vanished = False
    await tick(hass)
    await tick(hass)
    assert emulator.qpiri[FLOAT_INDEX] in ("53.0", "54.4")
    assert phase(hass) != "blocked"
    assert not ir.async_get(hass).async_get_issue(DOMAIN, f"charging_stale_{entry_id}")


async def test_the_lithium_taper_settles_on_listed_currents_without_warnings(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: Pi30Emulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The inverter offers 010 020 ... 120 A: the taper asks for no other current."""
    listed = hass.states.get(OPTIONS["current_number"]).attributes["allowed_values"]
    assert listed == [float(a) for a in range(10, 130, 10)]

    def bms(soc: float, cell: float) -> None:
        hass.states.async_set("sensor.bms_soc", str(soc))
        hass.states.async_set("sensor.bms_cell_max", str(cell))

    bms(80, 3.35)
    lithium = {
        "chemistry": "lithium",
        "soc_sensor": "sensor.bms_soc",
        "cell_max_sensor": "sensor.bms_cell_max",
        "absorption_v": 55.2,
        "float_v": 54.0,
        "max_charge": 65,  # not offered: 60
        "target_soc": 95,
    }
    entry_id = await _add(hass, lithium)
    currents = [emulator.qpiri[CURRENT_INDEX]]
    for cell in (3.41, 3.42, 3.43, 3.42, 3.44, 3.445):
        bms(85, cell)
        await tick(hass)
        if currents[-1] != emulator.qpiri[CURRENT_INDEX]:
            currents.append(emulator.qpiri[CURRENT_INDEX])
    assert currents == ["060", "040", "030", "020", "010"]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    issue = f"charging_current_refused_{entry_id}"
    assert not ir.async_get(hass).async_get_issue(DOMAIN, issue)

    # Back to bulk (a new cycle), and the inverter does not take the listed 60 A (it
    # answers ACK and keeps 10 A): the action says so, then one repair issue and one
    # warning however many runs it lasts, gone once 60 A is taken.
    bms(60, 3.35)
    emulator.faults.ignore_writes = True
    with pytest.raises(HomeAssistantError, match="maximum_charge_current"):
        await hass.services.async_call(
            DOMAIN, "start_absorption", {"config_entry_id": entry_id}, blocking=True
        )
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue)
    await tick(hass)
    await tick(hass)
    assert emulator.qpiri[CURRENT_INDEX] == "010"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue)
    emulator.faults.ignore_writes = False
    await tick(hass)
    assert emulator.qpiri[CURRENT_INDEX] == "060"
    assert not ir.async_get(hass).async_get_issue(DOMAIN, issue)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1


async def test_a_simulated_day_ends_fully_charged(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """The simulator's in-memory transport lets the clock run a whole day: the firmware
    charges the battery by its QPIRI settings, the policy steers them."""
    await hass.config.async_set_time_zone("UTC")
    freezer.move_to("2026-06-21 05:00:00")
    emulator = Pi30Emulator(
        clock=time.time,
        follow_sun=True,
        charger=ChargeFirmware(),
        battery=BatteryModel(lithium=False, soc=0.5),
    )
    emulator.plant.load_w = 300
    emulator.plant.pv_peak_w = 3500
    with patch("custom_components.diy_solar.axpert.connection.Pi30Emulator", return_value=emulator):
        result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"next_step_id": "axpert"}
        )
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"next_step_id": "simulator"}
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        await hass.async_block_till_done()
    prefix = "axpert_92932105105315"
    options = {
        **OPTIONS,
        "battery_voltage": f"sensor.{prefix}_battery_voltage",
        "charge_current": f"sensor.{prefix}_battery_charging_current",
        "absorption_v": 57.6,
        "float_v": 54.0,
        "tail_current": 5,
        "tail_time": 10,
        "max_absorption": 240,
        "float_step": 0.3,
        "float_step_time": 60,
        "min_write_interval": 60,
        "stale_after": 600,  # the clock jumps 2 min at a time here
    }
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "smart_charging"}
    )
    result = await answer_forms(
        hass.config_entries.flow, result, {CONF_NAME: "Smart charging", **options}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    phases = []
    for _ in range(15 * 60 // 2):  # 05:00 to 20:00, every 2 minutes
        freezer.tick(timedelta(minutes=2))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
        if not phases or phases[-1] != phase(hass):
            phases.append(phase(hass))
    assert phases[:3] == ["bulk", "absorption", "float"]
    assert emulator.battery is not None and emulator.battery.soc >= 0.99
    assert emulator.qpiri[FLOAT_INDEX] == "54.0"  # the real float, back by evening


@pytest.mark.parametrize(("chemistry", "rebulk"), [("lead_acid", 50.0), ("lithium", None)])
def test_a_stored_rebulk_voltage_is_a_lead_acid_level_only(
    chemistry: str, rebulk: float | None
) -> None:
    """An entry saved before the forms asked by chemistry may hold a re-bulk voltage next
    to a lithium chemistry: it must not start lithium charges."""
    assert settings_from({"chemistry": chemistry, "rebulk_v": 50.0}).rebulk_v == rebulk
