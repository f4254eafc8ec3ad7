"""The simulated plant: one battery behind the simulated charger, BMS and grid meter."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from custom_components import diy_solar
from custom_components.diy_solar.const import DOMAIN
from custom_components.diy_solar.emulators.plant import shared_plant
from tests.ha.common import device_with, poll

GRID = "sensor.simulated_plant_grid_power"


async def _add(hass: HomeAssistant, *answers: dict) -> str:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    for answer in answers:
        result = await hass.config_entries.flow.async_configure(result["flow_id"], answer)
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await hass.async_block_till_done()
    return result["result"].entry_id


async def test_simulators_share_the_plant(hass: HomeAssistant) -> None:
    plant = await _add(hass, {"next_step_id": "simulated_plant"})
    again = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    again = await hass.config_entries.flow.async_configure(
        again["flow_id"], {"next_step_id": "simulated_plant"}
    )
    assert again["reason"] == "already_configured"
    device = device_with(hass, plant, "simulated_plant")
    assert device is not None
    assert (device.manufacturer, device.model, device.sw_version) == (
        "DIY Solar",
        "Simulated plant",
        json.loads((Path(diy_solar.__file__).parent / "manifest.json").read_text())["version"],
    )
    bms = await _add(hass, {"next_step_id": "jk_bms"}, {"device": "simulator"})
    charger = await _add(
        hass,
        {"next_step_id": "meanwell_bic"},
        {"interface": "simulator", "channel": "", "bitrate": 250000, "address": 0},
    )
    grid = float(hass.states.get("sensor.simulated_plant_grid_power").state)
    load = float(hass.states.get("sensor.simulated_plant_load_power").state)
    pv = float(hass.states.get("sensor.simulated_plant_pv_power").state)
    await poll(hass)
    battery = float(hass.states.get("sensor.simulated_plant_battery_power").state)
    # The simulated BIC charges from its start-up setting: the plant's battery takes it.
    assert battery > 100
    assert abs(grid - (load - pv)) <= abs(battery) + 1
    soc = hass.states.get("sensor.simulated_plant_state_of_charge").state
    assert hass.states.get("sensor.jk_bms_simulator_state_of_charge").state == str(
        float(round(float(soc)))
    )
    for entry_id in (charger, bms, plant):
        assert await hass.config_entries.async_unload(entry_id)


async def test_zero_export_regulates_the_emulated_bic(hass: HomeAssistant) -> None:
    """A late-morning surplus: the controller raises the BIC's charge current until the grid is
    near 0 W, through the BIC's own number entity, in amperes at the BMS's voltage."""
    plant = shared_plant(hass.config.config_dir)
    # 11:00 of the synthetic day: 1.4 kW of PV, 0.3 kW of load.
    # (The plant keeps the machine's local time, as the simulators run on this machine.)
    eleven = datetime.now().replace(hour=11, minute=0, second=0).timestamp()
    plant.clock = lambda: eleven
    entries = [
        await _add(hass, {"next_step_id": "simulated_plant"}),
        await _add(hass, {"next_step_id": "jk_bms"}, {"device": "simulator"}),
        await _add(
            hass,
            {"next_step_id": "meanwell_bic"},
            {"interface": "simulator", "channel": "", "bitrate": 250000, "address": 0},
        ),
    ]
    charge_current = "number.bic_2200_48_eb23a1234567_charge_current"
    await hass.services.async_call(
        "number", "set_value", {ATTR_ENTITY_ID: charge_current, "value": 5}, blocking=True
    )
    await poll(hass)
    surplus = float(hass.states.get(GRID).state)
    assert surplus < -500
    entries.append(
        await _add(
            hass,
            {"next_step_id": "zero_export"},
            {
                "name": "Zero export",
                "grid_sensor": GRID,
                "import_negative": False,
                "chargers": [charge_current],
                "dischargers": [],
                "voltage_sensor": "sensor.jk_bms_simulator_voltage",
            },
        )
    )
    # Real time runs here (the charger is on a CAN bus thread): a quick meter and write
    # interval keep the test short.
    policy = hass.config_entries.async_get_entry(entries[-1])
    assert policy is not None
    hass.config_entries.async_update_entry(
        policy, options={**policy.options, "meter_lag": 0.5, "min_write_interval": 1}
    )
    await hass.async_block_till_done()
    for _ in range(10):
        await poll(hass)
        await asyncio.sleep(1.05)
    assert abs(float(hass.states.get(GRID).state)) < 150
    assert float(hass.states.get(charge_current).state) > 20
    for entry_id in reversed(entries):
        assert await hass.config_entries.async_unload(entry_id)
