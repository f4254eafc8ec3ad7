"""The DIY Solar dashboard: the strategy run (by Node.js, as a browser would run it) on the
registry and states of a real plant of simulated devices, and the dashboard that keeps it
until its owner takes control."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er

from custom_components.diy_solar.dashboard import SCRIPT, STRATEGY, StrategyDashboard
from tests.ha.test_plant import _add, _bic_zero_export

NODE = shutil.which("node")


def frontend_hass(hass: HomeAssistant) -> dict[str, Any]:
    """The parts of the frontend's hass object a strategy reads, as the frontend fills them
    from the registries and the states."""
    registry = er.async_get(hass)
    found = [registry.async_get(s.entity_id) for s in hass.states.async_all()]
    entries = [e for e in found if e is not None]
    entities = {
        e.entity_id: {
            "entity_id": e.entity_id,
            "device_id": e.device_id,
            "platform": e.platform,
            "translation_key": e.translation_key,
            "entity_category": e.entity_category,
            "hidden": e.hidden_by is not None,
        }
        for e in entries
    }
    device_registry = dr.async_get(hass)
    devices = {
        d.id: {
            "id": d.id,
            "name": d.name,
            "name_by_user": d.name_by_user,
            "model": d.model,
            "manufacturer": d.manufacturer,
        }
        for d in (device_registry.async_get(e.device_id or "") for e in entries)
        if d is not None
    }
    states = {
        s.entity_id: {"state": s.state, "attributes": dict(s.attributes)}
        for s in hass.states.async_all()
    }
    return {"entities": entities, "devices": devices, "states": states}


def generate(hass_object: dict[str, Any]) -> dict[str, Any]:
    assert NODE is not None
    program = (
        f"import {{ generateDashboard }} from {json.dumps(str(SCRIPT))};"
        "let text = ''; process.stdin.on('data', (c) => (text += c));"
        "process.stdin.on('end', () =>"
        " console.log(JSON.stringify(generateDashboard(JSON.parse(text)))));"
    )
    done = subprocess.run(
        [NODE, "--input-type=module", "-e", program],
        input=json.dumps(hass_object, default=str),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def referenced(node: Any) -> set[str]:
    """Every entity id a card names, however deep."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("entity", "entities") and isinstance(value, str):
                found.add(value)
            elif key == "entities" and isinstance(value, list):
                found |= {v for v in value if isinstance(v, str)}
            else:
                found |= referenced(value)
    elif isinstance(node, list):
        for item in node:
            found |= referenced(item)
    elif isinstance(node, str):
        found |= {
            word for word in node.split("'") if word.startswith(("sensor.", "binary_sensor."))
        }
    return found


@pytest.mark.skipif(NODE is None, reason="Node.js runs the strategy; this lane has none")
async def test_the_dashboard_shows_what_the_plant_has_and_nothing_else(
    hass: HomeAssistant,
) -> None:
    entries, _ = await _bic_zero_export(hass, 12)
    bms = await _add(hass, {"next_step_id": "jk_bms"}, {"device": "simulator"})
    await hass.async_block_till_done()
    hass_object = frontend_hass(hass)
    dashboard = await hass.async_add_executor_job(generate, hass_object)
    views = {view["title"]: view for view in dashboard["views"]}
    bic = dr.async_entries_for_config_entry(dr.async_get(hass), entries[1])[0]
    policy = dr.async_entries_for_config_entry(dr.async_get(hass), entries[2])[0]
    assert list(views) == ["Plant", "Battery", bic.name, "Policies"]  # no Axpert, no Lumentree
    # Every card names entities that exist, and the plant's live figures are there.
    names = referenced(dashboard)
    assert names and names <= set(hass_object["states"])
    plant = referenced(views["Plant"])
    assert {
        "sensor.simulated_plant_grid_power",
        "sensor.simulated_plant_pv_power",
        "sensor.simulated_plant_battery_power",
        "sensor.simulated_plant_load_power",
        "sensor.simulated_plant_grid_import",
    } <= plant
    (gauge,) = [c for c in views["Plant"]["cards"] if c["type"] == "gauge"]
    # A BMS before the simulation.
    assert gauge["entity"] == "sensor.jk_bms_simulator_state_of_charge"
    # The battery view has the pack's cells, bar by bar, once their sensors are on.
    cells = next(c for c in views["Battery"]["cards"] if c.get("title") == "Cells")
    assert "Cell N voltage" in cells["content"]
    registry = er.async_get(hass)
    for n in range(1, 17):  # off by default: not in the registry's states yet
        registry.async_update_entity(f"sensor.jk_bms_simulator_cell_{n}_voltage", disabled_by=None)
    assert await hass.config_entries.async_reload(bms)
    await hass.async_block_till_done()
    again = await hass.async_add_executor_job(generate, frontend_hass(hass))
    views = {v["title"]: v for v in again["views"]}
    cells = next(c for c in views["Battery"]["cards"] if c.get("title") == "Cells")
    assert cells["content"].count("▇") == 16
    assert "sensor.jk_bms_simulator_cell_16_voltage" in cells["content"]
    # The policy's own buttons act on its device.
    grid = next(c for c in views["Policies"]["cards"] if c["type"] == "grid")
    actions = {b["name"]: b["tap_action"] for b in grid["cards"]}
    assert actions["Pause 1 h"]["perform_action"] == "diy_solar.pause_policy"
    assert actions["Pause 1 h"]["data"] == {"device_id": policy.id, "duration": "01:00:00"}
    assert "Run 1 h" not in actions  # a zero-export controller runs no generator
    (card,) = [c for c in views["Policies"]["cards"] if c["type"] == "entities"]
    (paused,) = [r for r in card["entities"] if isinstance(r, dict)]
    assert paused == {  # shown only while paused, not "Unknown" the rest of the time
        "type": "conditional",
        "conditions": [{"entity": "sensor.zero_export_paused_until", "state_not": "unknown"}],
        "row": {"entity": "sensor.zero_export_paused_until"},
    }


async def test_the_dashboard_keeps_the_strategy_until_its_owner_takes_control(
    hass: HomeAssistant,
) -> None:
    config = {"id": "diy_solar", "url_path": "diy-solar", "mode": "storage"}
    dashboard = StrategyDashboard(hass, config)
    assert await dashboard.async_load(False) == STRATEGY
    taken = {"views": [{"title": "Mine", "cards": []}]}
    await dashboard.async_save(taken)
    # After a restart, what the owner saved.
    assert await StrategyDashboard(hass, config).async_load(False) == taken
    await dashboard.async_delete()
    assert await StrategyDashboard(hass, config).async_load(False) == STRATEGY
