"""The zero-export policy entry against a test meter and real HA number entities."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise
from pathlib import Path

import pytest
import voluptuous as vol
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import ATTR_ENTITY_ID, CONF_NAME, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.diy_solar.blueprints import async_install_blueprints
from custom_components.diy_solar.const import DOMAIN
from custom_components.diy_solar.diagnostics import async_get_config_entry_diagnostics
from tests.ha.common import answer_forms, device_of

METER = "sensor.grid_power"
CHARGER = "number.charger_power"
DISCHARGER = "number.discharger_power"
PREFIX = "zero_export"


def _template_number(name: str, backing: str) -> dict:
    return {
        "name": name,
        "state": f"{{{{ states('{backing}') | float(0) }}}}",
        "min": 0,
        "max": 2000,
        "step": 1,
        "set_value": [
            {
                "action": "input_number.set_value",
                "target": {"entity_id": backing},
                "data": {"value": "{{ value }}"},
            }
        ],
    }


@pytest.fixture
async def actuators(hass: HomeAssistant) -> None:
    """A charger and a discharger as any integration's number entities would be."""
    assert await async_setup_component(
        hass,
        "input_number",
        {
            "input_number": {
                name: {"min": 0, "max": 2000, "step": 1, "initial": 0}
                for name in ("charger", "discharger")
            }
        },
    )
    assert await async_setup_component(
        hass,
        "template",
        {
            "template": [
                {
                    "number": [
                        _template_number("Charger power", "input_number.charger"),
                        _template_number("Discharger power", "input_number.discharger"),
                    ]
                }
            ]
        },
    )
    await hass.async_block_till_done()
    meter(hass, 0)


def meter(hass: HomeAssistant, watts: float) -> None:
    hass.states.async_set(METER, str(watts), {"unit_of_measurement": "W", "device_class": "power"})


def written(hass: HomeAssistant) -> tuple[float, float]:
    return (
        float(hass.states.get("input_number.charger").state),
        float(hass.states.get("input_number.discharger").state),
    )


def status(hass: HomeAssistant) -> str:
    return hass.states.get(f"sensor.{PREFIX}_status").state


async def _add(hass: HomeAssistant, **extra: object) -> str:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "zero_export"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_NAME: "Zero export",
            "grid_sensor": METER,
            "import_negative": False,
            "chargers": [CHARGER],
            "dischargers": [DISCHARGER],
            **extra,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await hass.async_block_till_done()
    return result["result"].entry_id


async def later(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    # What is due now first: the template numbers show a write a moment after it.
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


@pytest.mark.usefixtures("actuators")
async def test_regulates_the_grid_to_zero(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await _add(hass)
    assert status(hass) == "idle"
    meter(hass, 600)
    await hass.async_block_till_done()
    assert written(hass) == (0, 600)
    assert status(hass) == "regulating"
    assert hass.states.get(f"sensor.{PREFIX}_battery_command").state == "600.0"
    # The plant follows: the meter now shows what is left, after the meter's lag.
    await later(hass, freezer, 3)
    meter(hass, -800)  # the kettle is off and the sun came out
    await hass.async_block_till_done()
    assert written(hass) == (200, 0)  # never both at once
    assert hass.states.get(f"sensor.{PREFIX}_writes").state == "3"


@pytest.mark.usefixtures("actuators")
async def test_flow_refuses_what_it_cannot_drive(hass: HomeAssistant) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "zero_export"}
    )
    base = {CONF_NAME: "Zero export", "grid_sensor": METER, "import_negative": False}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], base)
    assert result["errors"] == {"base": "no_actuators"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**base, "chargers": ["switch.plug"]}
    )
    assert result["errors"] == {"switch_power": "switch_power_required"}


@pytest.mark.usefixtures("actuators")
async def test_stale_meter_stops_raises_a_repair_and_recovers(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    entry_id = await _add(hass)
    meter(hass, 900)
    await hass.async_block_till_done()
    assert written(hass) == (0, 900)
    await later(hass, freezer, 31)
    assert written(hass) == (0, 0)
    assert status(hass) == "stale_meter"
    issues = ir.async_get(hass)
    assert issues.async_get_issue(DOMAIN, f"stale_meter_{entry_id}") is not None
    meter(hass, 500)
    await hass.async_block_till_done()
    assert issues.async_get_issue(DOMAIN, f"stale_meter_{entry_id}") is None
    # Readings count once the stop had time to show in them, and more power waits for
    # the write interval.
    await later(hass, freezer, 5)
    meter(hass, 520)
    await hass.async_block_till_done()
    assert written(hass) == (0, 520)
    # A meter that goes unavailable is as good as silent.
    hass.states.async_set(METER, STATE_UNAVAILABLE)
    await later(hass, freezer, 1)
    assert written(hass) == (0, 0)


@pytest.mark.usefixtures("actuators")
async def test_pause_resume_and_a_temporary_target(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    entry_id = await _add(hass)
    meter(hass, 700)
    await hass.async_block_till_done()
    await hass.services.async_call(
        DOMAIN,
        "pause_policy",
        {"config_entry_id": entry_id, "duration": {"minutes": 10}},
        blocking=True,
    )
    assert written(hass) == (0, 0)
    assert status(hass) == "paused"
    assert hass.states.get(f"sensor.{PREFIX}_paused_until").state != "unknown"
    # Read while paused, hidden from the device page (where it would say Unknown otherwise).
    hidden = er.async_get(hass).async_get(f"sensor.{PREFIX}_paused_until").hidden_by
    assert hidden is er.RegistryEntryHider.INTEGRATION
    await later(hass, freezer, 601)
    meter(hass, 700)
    await later(hass, freezer, 1)
    assert status(hass) == "regulating"
    assert written(hass) == (0, 700)

    await hass.services.async_call(
        DOMAIN,
        "pause_policy",
        {"config_entry_id": entry_id, "duration": "01:00:00"},
        blocking=True,
    )
    await hass.services.async_call(
        DOMAIN, "resume_policy", {"config_entry_id": entry_id}, blocking=True
    )
    assert status(hass) != "paused"

    await hass.services.async_call(
        DOMAIN,
        "set_zero_export_target",
        {"config_entry_id": entry_id, "target": 200, "duration": {"hours": 1}},
        blocking=True,
    )
    assert hass.states.get(f"sensor.{PREFIX}_target_in_effect").state == "200.0"
    await later(hass, freezer, 10)
    meter(hass, 710)
    await hass.async_block_till_done()
    assert written(hass) == (0, 510)
    await later(hass, freezer, 3600)
    assert hass.states.get(f"sensor.{PREFIX}_target_in_effect").state == "0.0"


@pytest.mark.usefixtures("actuators")
async def test_bad_service_calls_change_nothing(hass: HomeAssistant) -> None:
    entry_id = await _add(hass)
    with pytest.raises(ServiceValidationError, match="No DIY Solar entry"):
        await hass.services.async_call(
            DOMAIN, "resume_policy", {"config_entry_id": "nope"}, blocking=True
        )
    with pytest.raises((vol.Invalid, ServiceValidationError)):
        await hass.services.async_call(
            DOMAIN, "pause_policy", {"config_entry_id": entry_id, "duration": -5}, blocking=True
        )
    with pytest.raises((vol.Invalid, ServiceValidationError)):
        await hass.services.async_call(
            DOMAIN,
            "set_zero_export_target",
            {"config_entry_id": entry_id, "target": 10**6, "duration": 60},
            blocking=True,
        )
    assert status(hass) == "idle"
    assert hass.states.get(f"sensor.{PREFIX}_paused_until").state == "unknown"


@pytest.mark.usefixtures("actuators")
async def test_numbers_set_limits_and_the_switch_stops_it(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await _add(hass)
    await hass.services.async_call(
        "number",
        "set_value",
        {ATTR_ENTITY_ID: f"number.{PREFIX}_maximum_discharge_power", "value": 400},
        blocking=True,
    )
    meter(hass, 1500)
    await hass.async_block_till_done()
    assert written(hass) == (0, 400)
    await hass.services.async_call(
        "switch", "turn_off", {ATTR_ENTITY_ID: f"switch.{PREFIX}_enabled"}, blocking=True
    )
    assert written(hass) == (0, 0)
    assert status(hass) == "disabled"


@pytest.mark.usefixtures("actuators")
async def test_state_survives_a_restart(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    entry_id = await _add(hass)
    meter(hass, 600)
    await hass.async_block_till_done()
    await hass.services.async_call(
        "number",
        "set_value",
        {ATTR_ENTITY_ID: f"number.{PREFIX}_deadband", "value": 80},
        blocking=True,
    )
    assert await hass.config_entries.async_reload(entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(f"sensor.{PREFIX}_battery_command").state == "600.0"
    assert hass.states.get(f"number.{PREFIX}_deadband").state == "80.0"
    assert hass.states.get(f"sensor.{PREFIX}_writes").state == "1"
    await hass.services.async_call(
        DOMAIN,
        "pause_policy",
        {"config_entry_id": entry_id, "duration": {"hours": 2}},
        blocking=True,
    )
    assert await hass.config_entries.async_reload(entry_id)
    await hass.async_block_till_done()
    assert status(hass) == "paused"  # a restart does not end a pause early


@pytest.mark.usefixtures("actuators")
async def test_options_tuning_is_validated(hass: HomeAssistant) -> None:
    entry_id = await _add(hass)
    result = await hass.config_entries.options.async_init(entry_id)
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "tuning"}
    )
    tuning = {
        "meter_lag": 2,
        "stale_after": 30,
        "min_write_interval": 5,
        "ramp": 1000,
        "offset": 0,
        "soc_hysteresis": 5,
        "min_discharge_burst": 0,
        "kp": 0,
        "ki": 1,
        "kd": 0,
    }
    options = hass.config_entries.options
    result = await answer_forms(
        options, result, {**tuning, "discharge_blocks": "22-6am", "charge_profile": "1,2"}
    )
    assert result["errors"] == {"base": "bad_windows"}
    result = await answer_forms(
        options, result, {**tuning, "discharge_blocks": "22:00-06:00", "charge_profile": ""}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    entry = hass.config_entries.async_get_entry(entry_id)
    assert entry is not None and entry.options["discharge_blocks"] == "22:00-06:00"


async def test_blueprint_installed_without_overwriting_an_edited_copy(
    hass: HomeAssistant,
) -> None:
    target = Path(hass.config.path("blueprints/automation/diy_solar/pause_zero_export.yaml"))

    def edit() -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("# my own version\n")

    await hass.async_add_executor_job(edit)
    assert await async_setup_component(hass, DOMAIN, {})
    assert await hass.async_add_executor_job(target.read_text) == "# my own version\n"
    await hass.async_add_executor_job(target.unlink)
    await async_install_blueprints(hass)
    assert "diy_solar.pause_policy" in await hass.async_add_executor_job(target.read_text)


@pytest.mark.usefixtures("actuators")
async def test_diagnostics_show_the_controller(hass: HomeAssistant) -> None:
    entry_id = await _add(hass)
    meter(hass, 300)
    await hass.async_block_till_done()
    entry = hass.config_entries.async_get_entry(entry_id)
    assert entry is not None
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert diagnostics["stored"]["state"]["command_w"] == 300
    assert list(diagnostics["settings"]["dischargers"]) == [
        {"name": f"{DISCHARGER}:discharge", "max_w": 2000.0, "min_w": 0.0}
    ]
    assert diagnostics["entry"]["options"]["grid_sensor"] == METER


async def test_a_switched_charger_goes_on_for_a_surplus(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A constant-current supply on a smart plug: on when the surplus covers it."""
    assert await async_setup_component(hass, "input_boolean", {"input_boolean": {"plug": {}}})
    assert await async_setup_component(
        hass,
        "template",
        {
            "template": [
                {
                    "switch": [
                        {
                            "name": "Charger plug",
                            "state": "{{ is_state('input_boolean.plug', 'on') }}",
                            "turn_on": {
                                "action": "input_boolean.turn_on",
                                "target": {"entity_id": "input_boolean.plug"},
                            },
                            "turn_off": {
                                "action": "input_boolean.turn_off",
                                "target": {"entity_id": "input_boolean.plug"},
                            },
                        }
                    ]
                }
            ]
        },
    )
    await hass.async_block_till_done()
    meter(hass, 0)
    await _add(
        hass,
        import_negative=True,  # this meter shows export as positive
        chargers=["switch.charger_plug"],
        dischargers=[],
        switch_power=300,
    )
    assert hass.states.get("switch.charger_plug") is not None
    entry_id = hass.config_entries.async_entries(DOMAIN)[0].entry_id
    path: list[str] = []

    async def minutes(count: int, surplus: float) -> None:
        """The plant: what goes out to the grid is the surplus less what the plug draws."""
        for _ in range(count * 12):
            plug = hass.states.get("input_boolean.plug").state
            meter(hass, surplus - (300 if plug == "on" else 0))
            await later(hass, freezer, 5)
            path.append(hass.states.get("input_boolean.plug").state)

    def switchings() -> int:
        return sum(1 for a, b in pairwise(path) if a != b)

    # A steady 200 W surplus under a 300 W plug: it stays off, not on and off.
    await minutes(10, 200)
    assert set(path) == {"off"}
    # 350 W: on once, after the minimum off time since the plug last switched.
    await minutes(10, 350)
    assert path[-1] == "on"
    assert switchings() == 1
    on_at = path.index("on")
    # The surplus drops to 100 W (200 W imported): off, but not before 5 minutes on.
    await minutes(10, 100)
    off_at = len(path) - 1 - path[::-1].index("on")
    assert (off_at - on_at + 1) * 5 >= 300
    assert path[-1] == "off"
    assert switchings() == 2
    # A pause stops it at once, whatever its minimum on time.
    await minutes(6, 350)
    assert path[-1] == "on"
    await hass.services.async_call(
        DOMAIN, "pause_policy", {"config_entry_id": entry_id, "duration": 600}, blocking=True
    )
    await hass.async_block_till_done()
    assert hass.states.get("input_boolean.plug").state == "off"


@pytest.mark.usefixtures("actuators")
async def test_blueprint_pauses_while_the_car_charges(hass: HomeAssistant) -> None:
    entry_id = await _add(hass)  # DIY Solar set up: the blueprint is in place
    assert await async_setup_component(hass, "input_boolean", {"input_boolean": {"car": {}}})
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "use_blueprint": {
                    "path": "diy_solar/pause_zero_export.yaml",
                    "input": {
                        "policy": device_of(hass, entry_id),
                        "blocker": ["input_boolean.car"],
                    },
                }
            }
        },
    )
    await hass.async_block_till_done()
    (automation,) = hass.states.async_entity_ids("automation")
    assert hass.states.get(automation).state == "on"
    await hass.services.async_call(
        "input_boolean", "turn_on", {ATTR_ENTITY_ID: "input_boolean.car"}, blocking=True
    )
    await hass.async_block_till_done()
    assert status(hass) == "paused"
    await hass.services.async_call(
        "input_boolean", "turn_off", {ATTR_ENTITY_ID: "input_boolean.car"}, blocking=True
    )
    await hass.async_block_till_done()
    assert status(hass) != "paused"
    # Its time triggers would outlive the test.
    await hass.services.async_call(
        "automation", "turn_off", {ATTR_ENTITY_ID: automation}, blocking=True
    )


async def _tune(hass: HomeAssistant, entry_id: str, **options: object) -> None:
    entry = hass.config_entries.async_get_entry(entry_id)
    assert entry is not None
    hass.config_entries.async_update_entry(entry, options={**entry.options, **options})
    await hass.async_block_till_done()


def cells(hass: HomeAssistant, low: float, high: float) -> None:
    for name, volts in (("lowest", low), ("highest", high)):
        hass.states.async_set(f"sensor.bms_{name}_cell", str(volts), {"unit_of_measurement": "V"})


@pytest.mark.usefixtures("actuators")
async def test_the_bms_limits_stop_a_running_discharge_at_once(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    cells(hass, 3.10, 3.30)
    entry_id = await _add(
        hass, cell_min_sensor="sensor.bms_lowest_cell", cell_max_sensor="sensor.bms_highest_cell"
    )
    await _tune(hass, entry_id, discharge_stop_cell=3.0, discharge_resume_cell=3.2)
    meter(hass, 600)
    await later(hass, freezer, 1)
    assert written(hass) == (0, 600)
    cells(hass, 3.00, 3.30)  # at the limit: no new meter sample needed
    await later(hass, freezer, 1)
    assert written(hass) == (0, 0)
    assert status(hass) == "cell_limit"
    cells(hass, 3.15, 3.30)  # above the stop, below the resume voltage: still held
    for _ in range(3):
        meter(hass, 600)
        await later(hass, freezer, 6)
    assert written(hass) == (0, 0)
    cells(hass, 3.20, 3.30)
    meter(hass, 600)
    await later(hass, freezer, 6)
    assert written(hass)[1] > 0
    # The BMS goes silent: its readings age past the stale time and discharging stops.
    for _ in range(6):
        meter(hass, 600)
        await later(hass, freezer, 6)
    assert written(hass) == (0, 0)
    assert status(hass) == "bms_stale"


@pytest.mark.usefixtures("actuators")
async def test_a_manual_change_is_seen_counted_and_regulated_away(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await _add(hass)
    meter(hass, 0)
    await later(hass, freezer, 1)
    # Someone sets the discharger to 500 W by hand: the house now exports it.
    await hass.services.async_call(
        "input_number",
        "set_value",
        {ATTR_ENTITY_ID: "input_number.discharger", "value": 500},
        blocking=True,
    )
    for _ in range(3):
        meter(hass, -500 if written(hass)[1] else 0)
        await later(hass, freezer, 3)
    assert hass.states.get(f"sensor.{PREFIX}_corrections").state == "1"
    assert written(hass) == (0, 0)


@pytest.mark.usefixtures("actuators")
async def test_the_daily_write_budget_stops_the_device_and_says_so(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    entry_id = await _add(hass)
    await _tune(hass, entry_id, write_budget=10, min_write_interval=1)
    issues = ir.async_get(hass)
    for n in range(30):  # a load that keeps changing: a write on nearly every reading
        meter(hass, 300 + 200 * (n % 2) - written(hass)[1])
        await later(hass, freezer, 3)
    assert written(hass) == (0, 0)
    assert issues.async_get_issue(DOMAIN, f"write_budget_{entry_id}") is not None
    assert status(hass) == "write_budget"
    tomorrow = dt_util.now() + timedelta(days=1)
    freezer.move_to(tomorrow.replace(hour=0, minute=0, second=30))  # a new day
    meter(hass, 400)
    await later(hass, freezer, 3)
    assert written(hass)[1] > 0
    assert issues.async_get_issue(DOMAIN, f"write_budget_{entry_id}") is None
