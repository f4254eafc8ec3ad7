"""A battery bank of a JK and a Daly pack, each on its emulator over a pty: the bank's SOC
weighs the packs by capacity, a silent pack is left out and named, no pack no value."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_NAME, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import issue_registry as ir

from custom_components.diy_solar.const import (
    CONF_BMS,
    CONF_CELL_MAX_SENSOR,
    CONF_CELL_MIN_SENSOR,
    CONF_SOC_SENSOR,
    CONF_TEMPERATURE_SENSORS,
    DOMAIN,
)
from custom_components.diy_solar.emulators.battery import CellModel, LineFault
from custom_components.diy_solar.emulators.dalybms import DalyBmsEmulator
from custom_components.diy_solar.emulators.jkbms import JkBmsEmulator
from custom_components.diy_solar.zero_export.flow import with_bms_sensors
from tests.ha.common import poll
from tests.ha.test_bms import _entry, _flow, _setup


@pytest.fixture
async def packs(hass: HomeAssistant) -> AsyncIterator[tuple[JkBmsEmulator, DalyBmsEmulator]]:
    jk = JkBmsEmulator(CellModel(cells=16, soc=0.9, capacity_ah=280.0))
    daly = DalyBmsEmulator(CellModel(cells=16, soc=0.3, capacity_ah=100.0, weak_cell=3))
    for emulator, kind in ((jk, "jk_bms"), (daly, "daly_bms")):
        await _setup(hass, _entry(hass, emulator, kind))
    yield jk, daly
    jk.close()
    daly.close()


def state(hass: HomeAssistant, key: str) -> str:
    return hass.states.get(f"sensor.battery_bank_{key}").state


async def test_a_bank_of_two_packs(
    hass: HomeAssistant, packs: tuple[JkBmsEmulator, DalyBmsEmulator]
) -> None:
    jk, daly = packs
    registry = dr.async_get(hass)
    devices = [
        d.id
        for entry in hass.config_entries.async_entries(DOMAIN)
        for d in dr.async_entries_for_config_entry(registry, entry.entry_id)
    ]
    result = await _flow(hass, "battery_bank", {CONF_NAME: "Battery bank", "packs": []})
    assert result["errors"] == {"packs": "no_packs"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_NAME: "Battery bank", "packs": devices, "stale_after": 1}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    entry_id = result["result"].entry_id

    # 90 % of 280 Ah and 30 % of 100 Ah: 282 of 380 Ah, not the 60 % mean.
    assert state(hass, "state_of_charge") == "74.2"
    assert state(hass, "packs_counted") == "2"
    assert state(hass, "pack_with_the_lowest_cell") == "Daly BMS"  # its weak cell
    lowest = float(state(hass, "lowest_cell"))
    assert lowest == min(daly.battery.cell_voltages())

    daly.fault = LineFault.SILENCE
    await poll(hass)
    await poll(hass)
    assert state(hass, "state_of_charge") == "90.0"
    assert state(hass, "packs_counted") == "1"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"bank_packs_left_out_{entry_id}")
    assert issue is not None and issue.translation_placeholders["packs"] == "Daly BMS"

    jk.fault = LineFault.SILENCE
    await poll(hass)
    await poll(hass)
    assert state(hass, "state_of_charge") == STATE_UNAVAILABLE  # no pack: no made-up value

    jk.fault = daly.fault = LineFault.NONE
    await poll(hass)
    await poll(hass)
    assert state(hass, "state_of_charge") == "74.2"
    assert not ir.async_get(hass).async_get_issue(DOMAIN, f"bank_packs_left_out_{entry_id}")


async def test_the_zero_export_form_takes_the_bank_as_its_bms(
    hass: HomeAssistant, packs: tuple[JkBmsEmulator, DalyBmsEmulator]
) -> None:
    registry = dr.async_get(hass)
    devices = [
        d.id
        for entry in hass.config_entries.async_entries(DOMAIN)
        for d in dr.async_entries_for_config_entry(registry, entry.entry_id)
    ]
    result = await _flow(hass, "battery_bank", {CONF_NAME: "Battery bank", "packs": devices})
    bank = dr.async_entries_for_config_entry(registry, result["result"].entry_id)[0]
    filled = with_bms_sensors(hass, {CONF_BMS: bank.id})
    assert filled[CONF_SOC_SENSOR] == "sensor.battery_bank_state_of_charge"
    assert filled[CONF_CELL_MIN_SENSOR] == "sensor.battery_bank_lowest_cell"
    assert filled[CONF_CELL_MAX_SENSOR] == "sensor.battery_bank_highest_cell"
    assert sorted(filled[CONF_TEMPERATURE_SENSORS]) == [
        "sensor.battery_bank_highest_temperature",
        "sensor.battery_bank_lowest_temperature",
    ]


async def test_the_simulated_packs_are_one_bank_with_the_plant(hass: HomeAssistant) -> None:
    """A JK of 280 Ah and a Daly of 100 Ah on the simulated plant: their bank is the
    plant's battery, whatever their sizes, and the Daly's weak cell is the lowest."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    plant = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "simulated_plant"}
    )
    assert plant["type"] is FlowResultType.CREATE_ENTRY
    for step in ("jk_bms", "daly_bms"):
        answers = {"device": "simulator"} | ({"bms_port": "rs485"} if step == "daly_bms" else {})
        assert (await _flow(hass, step, answers))["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    registry = dr.async_get(hass)
    packs = [
        d.id
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.data["device_type"] in ("jk_bms", "daly_bms")
        for d in dr.async_entries_for_config_entry(registry, entry.entry_id)
    ]
    await _flow(hass, "battery_bank", {CONF_NAME: "Battery bank", "packs": packs})
    await hass.async_block_till_done()
    plant_soc = float(hass.states.get("sensor.simulated_plant_state_of_charge").state)
    assert float(state(hass, "state_of_charge")) == pytest.approx(plant_soc, abs=0.2)
    # The packs share the plant's battery current by their sizes, 280 : 100: together they
    # carry what the plant's battery does, not twice it.
    plant_w = float(hass.states.get("sensor.simulated_plant_battery_power").state)
    assert float(state(hass, "power")) == pytest.approx(plant_w, rel=0.05, abs=20)
    jk = float(hass.states.get("sensor.jk_bms_simulator_current").state)
    daly = float(hass.states.get("sensor.daly_bms_simulator_current").state)
    if abs(jk) > 1:
        assert daly / jk == pytest.approx(100 / 280, rel=0.05)
    assert state(hass, "pack_with_the_lowest_cell") == "Daly BMS simulator"
    for entry in hass.config_entries.async_entries(DOMAIN):
        await hass.config_entries.async_unload(entry.entry_id)
