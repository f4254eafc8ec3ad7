"""Output priority against the PI30 emulator over a pty: the policy selects through the
Axpert's own select, and what counts is the setting in the inverter (QPIRI field 16)."""

from __future__ import annotations

from datetime import timedelta
from unittest.mock import patch

import pytest
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import ATTR_ENTITY_ID, CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.diy_solar.const import DOMAIN
from custom_components.diy_solar.emulators.pi30 import Pi30Emulator
from tests.ha.common import PREFIX, answer_forms, device_of

OUTPUT_INDEX = 16  # QPIRI: 0 utility first, 1 solar first, 2 SBU
OPTIONS = {
    "output_select": f"select.{PREFIX}_output_source_priority",
    "soc_sensor": f"sensor.{PREFIX}_state_of_charge",
    "grid_below_soc": 25,
    "battery_above_soc": 60,
    "battery_min_pv": 0,
    "grid_output": "utility_first",
    "min_dwell": 0,
    "daily_writes": 3,
    "stale_after": 5,
    "grid_when_stale": False,
}


async def tick(hass: HomeAssistant) -> None:
    """The inverter's next poll and the policy's next run, in real time (serial I/O)."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31), fire_all=True)
    await hass.async_block_till_done(wait_background_tasks=True)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31), fire_all=True)
    await hass.async_block_till_done(wait_background_tasks=True)


def reason(hass: HomeAssistant) -> str:
    return hass.states.get("sensor.output_priority_reason").state


async def _add(hass: HomeAssistant, **changes: object) -> str:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "output_priority"}
    )
    options = {CONF_NAME: "Output priority", **OPTIONS, **changes}
    wrong = {**options, "battery_above_soc": 25}
    result = await answer_forms(hass.config_entries.flow, result, wrong)
    assert result["errors"] == {"battery_above_soc": "level_order"}
    result = await answer_forms(hass.config_entries.flow, result, options)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    return result["result"].entry_id


async def test_switches_on_soc_with_a_gap_undoes_a_panel_change_and_stops_at_its_budget(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: Pi30Emulator
) -> None:
    emulator.qpiri[OUTPUT_INDEX] = "2"
    entry_id = await _add(hass)
    path = []
    for soc in (0.40, 0.25, 0.40, 0.60):
        emulator.plant.soc = soc
        await tick(hass)
        path.append((round(soc * 100), emulator.qpiri[OUTPUT_INDEX], reason(hass)))
    assert path == [
        (40, "2", "started"),
        (25, "0", "battery_low"),  # at the level
        (40, "0", "battery_low"),  # in the gap: stays
        (60, "2", "battery_recovered"),
    ]
    # Someone sets utility first on the panel: the policy reads it and sets SBU again,
    # and that is its third and last write today.
    emulator.qpiri[OUTPUT_INDEX] = "0"
    # Settings are read once a minute: within one, the change is seen.
    later = dt_util.utcnow() + timedelta(minutes=1)
    with patch("custom_components.diy_solar.axpert.coordinator.utcnow", return_value=later):
        # The poll that reads QPIRI again and the policy's run may come in either order.
        for _ in range(2):
            await tick(hass)
    assert emulator.qpiri[OUTPUT_INDEX] == "2"
    assert hass.states.get("sensor.output_priority_setting_writes_today").state == "3"
    budget = f"output_priority_budget_{entry_id}"
    emulator.plant.soc = 0.2
    await tick(hass)
    assert (emulator.qpiri[OUTPUT_INDEX], reason(hass)) == ("2", "budget_spent")
    assert ir.async_get(hass).async_get_issue(DOMAIN, budget)


async def test_an_override_a_pause_and_stale_readings(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: Pi30Emulator
) -> None:
    emulator.qpiri[OUTPUT_INDEX] = "2"
    emulator.plant.soc = 0.8
    entry_id = await _add(hass, daily_writes=10)
    await hass.services.async_call(
        DOMAIN,
        "override_output_priority",
        {"config_entry_id": entry_id, "source": "grid", "duration": 3600},
        blocking=True,
    )
    assert (emulator.qpiri[OUTPUT_INDEX], reason(hass)) == ("0", "override")
    await hass.services.async_call(
        DOMAIN, "resume_policy", {"config_entry_id": entry_id}, blocking=True
    )
    assert (emulator.qpiri[OUTPUT_INDEX], reason(hass)) == ("2", "battery_recovered")
    await hass.services.async_call(
        DOMAIN, "pause_policy", {"config_entry_id": entry_id, "duration": 600}, blocking=True
    )
    emulator.plant.soc = 0.1
    await tick(hass)
    assert (emulator.qpiri[OUTPUT_INDEX], reason(hass)) == ("2", "paused")
    await hass.services.async_call(
        DOMAIN, "resume_policy", {"config_entry_id": entry_id}, blocking=True
    )
    assert emulator.qpiri[OUTPUT_INDEX] == "0"
    # The inverter stops answering: its SOC goes stale, the policy holds and says so.
    emulator.vanished = True
    emulator.plant.soc = 0.9
    for _ in range(4):
        await tick(hass)
    assert reason(hass) == "stale_held"
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"output_priority_stale_{entry_id}")


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"battery_above_soc": None}, {"battery_above_soc": "level_pair"}),
        ({"grid_below_soc": None, "battery_above_soc": None}, {"base": "no_levels"}),
        ({"soc_sensor": None}, {"soc_sensor": "sensor_needed"}),
        # Folded in a section: the form's own error.
        ({"window_start": "23:00:00"}, {"base": "window_pair"}),
        ({"grid_charger": "solar_and_utility"}, {"base": "charger_pair"}),
        ({"battery_min_pv": 500}, {"base": "pv_sensor_needed"}),
    ],
)
async def test_the_form_refuses_what_the_policy_cannot_work_with(
    hass: HomeAssistant, changes: dict[str, object], errors: dict[str, str]
) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "output_priority"}
    )
    options = {CONF_NAME: "Output priority", **OPTIONS, **changes}
    options = {k: v for k, v in options.items() if v is not None}
    result = await answer_forms(hass.config_entries.flow, result, options)
    assert result["errors"] == errors


async def test_the_cheap_tariff_blueprint_puts_the_grid_first(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: Pi30Emulator
) -> None:
    emulator.qpiri[OUTPUT_INDEX] = "2"
    emulator.plant.soc = 0.8
    entry_id = await _add(hass)
    start = dt_util.now() + timedelta(minutes=2)
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "use_blueprint": {
                    "path": "diy_solar/cheap_tariff_grid_first.yaml",
                    "input": {
                        "policy": device_of(hass, entry_id),
                        "start": start.strftime("%H:%M:%S"),
                        "length": {"hours": 1},
                    },
                }
            }
        },
    )
    await hass.async_block_till_done()
    async_fire_time_changed(hass, start + timedelta(seconds=1))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert (emulator.qpiri[OUTPUT_INDEX], reason(hass)) == ("0", "override")
    (automation,) = hass.states.async_entity_ids("automation")
    await hass.services.async_call(
        "automation", "turn_off", {ATTR_ENTITY_ID: automation}, blocking=True
    )
