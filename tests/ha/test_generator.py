"""Generator auto-start and grid connect through simulated hours, on an emulated relay
board (hidapi boundary) with test sensors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import ATTR_ENTITY_ID, CONF_NAME
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.diy_solar.const import DOMAIN
from custom_components.diy_solar.emulators.usbrelay import FakeHidapi, RelayBoardEmulator
from tests.ha.common import answer_forms

RELAY = "switch.usb_relay_lhcxi_channel_1"
CONTACTOR = "switch.usb_relay_lhcxi_channel_2"
SOC = "sensor.charge_controller_soc"
BMK = "sensor.bmk_soc"


async def _flow(hass: HomeAssistant, step: str, answer: dict) -> dict:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": step}
    )
    result = await answer_forms(hass.config_entries.flow, result, answer)
    await hass.async_block_till_done()
    return result


@pytest.fixture
async def relay_board(hass: HomeAssistant, hid: FakeHidapi) -> None:
    result = await _flow(hass, "usb_relay", {"serial": "LHCXI"})
    assert result["type"] is FlowResultType.CREATE_ENTRY


def soc(hass: HomeAssistant, value: float, entity: str = SOC) -> None:
    hass.states.async_set(entity, str(value), {"unit_of_measurement": "%"})


GENERATOR = {
    CONF_NAME: "Generator",
    "relay": RELAY,
    "soc_sensors": [SOC, BMK],
    "running_voltage": 100,
    "start_soc": 20,
    "stop_soc": 80,
    "quiet_start_soc": 10,
    "quiet_stop_soc": 50,
    "start_voltage_time": 5,
    "min_run": 30,
    "max_run": 240,
    "cooldown": 15,
    "max_starts": 3,
    "start_timeout": 120,
    "retries": 1,
    "exercise_days": 0,
    "exercise_duration": 15,
    "stale_after": 10,
}


async def _generator(hass: HomeAssistant, **extra: object) -> str:
    soc(hass, 50)
    soc(hass, 60, BMK)
    result = await _flow(hass, "generator", {**GENERATOR, **extra})
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    return result["result"].entry_id


async def minutes(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, count: float, **values: float
) -> None:
    """Let count minutes pass in 1-minute steps, the sensors reporting every minute."""
    for _ in range(int(count)):
        freezer.tick(timedelta(minutes=1))
        for entity, value in values.items():
            soc(hass, value, f"sensor.{entity}")
        async_fire_time_changed(hass)
        # The board's polls run as background tasks.
        await hass.async_block_till_done(wait_background_tasks=True)


def generator_status(hass: HomeAssistant) -> str:
    return hass.states.get("sensor.generator_status").state


@pytest.mark.usefixtures("relay_board")
async def test_low_soc_starts_and_high_soc_stops_after_the_minimum_run(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, board: RelayBoardEmulator
) -> None:
    freezer.move_to("2026-11-25 12:00:00")
    await _generator(hass)
    await minutes(hass, freezer, 1, charge_controller_soc=50)
    assert board.states == [False, False]
    await minutes(hass, freezer, 1, charge_controller_soc=18)
    assert board.states[0] is True
    assert generator_status(hass) == "running"
    assert hass.states.get("sensor.generator_reason_of_the_last_start").state == "low_soc"
    await minutes(hass, freezer, 10, charge_controller_soc=85)
    assert board.states[0] is True  # charged, but the minimum run is 30 min
    await minutes(hass, freezer, 21, charge_controller_soc=85)
    assert board.states[0] is False
    assert generator_status(hass) == "cooling_down"
    assert hass.states.get("sensor.generator_starts_today").state == "1"
    assert float(hass.states.get("sensor.generator_run_time_today").state) >= 30


@pytest.mark.usefixtures("relay_board")
async def test_the_trusted_sensor_wins_and_stale_data_does_nothing(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, board: RelayBoardEmulator
) -> None:
    freezer.move_to("2026-11-25 12:00:00")
    entry_id = await _generator(hass)
    # The BMK drifts high; the charge controller is trusted first.
    await minutes(hass, freezer, 1, charge_controller_soc=15, bmk_soc=60)
    assert board.states[0] is True
    # Both go silent for longer than the stale time: it keeps running, says so.
    await minutes(hass, freezer, 45)
    assert board.states[0] is True
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"generator_stale_{entry_id}")
    assert issue is not None
    await minutes(hass, freezer, 1, charge_controller_soc=90)
    assert board.states[0] is False
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"generator_stale_{entry_id}") is None


@pytest.mark.usefixtures("relay_board")
async def test_quiet_hours_and_maximum_run(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, board: RelayBoardEmulator
) -> None:
    await hass.config.async_set_time_zone("UTC")  # quiet hours are local time
    freezer.move_to("2026-11-25 23:00:00")
    await _generator(hass, quiet_from="22:00:00", quiet_to="07:00:00", max_run=60, critical_soc=5)
    await minutes(hass, freezer, 2, charge_controller_soc=15)
    assert board.states[0] is False
    assert generator_status(hass) == "quiet_hours"
    await minutes(hass, freezer, 1, charge_controller_soc=9)
    assert board.states[0] is True
    await minutes(hass, freezer, 61, charge_controller_soc=9)
    assert board.states[0] is False  # an hour at most while low but not critical


@pytest.mark.usefixtures("relay_board")
async def test_failed_start_is_retried_then_reported(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, board: RelayBoardEmulator
) -> None:
    freezer.move_to("2026-11-25 12:00:00")
    hass.states.async_set("binary_sensor.generator_running", "off")
    entry_id = await _generator(hass, running_sensor="binary_sensor.generator_running")
    await minutes(hass, freezer, 1, charge_controller_soc=12)
    assert (board.states[0], generator_status(hass)) == (True, "starting")
    await minutes(hass, freezer, 3, charge_controller_soc=12)  # no feedback in 2 min
    assert board.states[0] is False
    await minutes(hass, freezer, 2, charge_controller_soc=12)  # the retry
    assert board.states[0] is True
    await minutes(hass, freezer, 3, charge_controller_soc=12)
    assert (board.states[0], generator_status(hass)) == (False, "failed")
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"generator_failed_{entry_id}")
    # A person looked at it: a manual start clears the failure.
    hass.states.async_set("binary_sensor.generator_running", "on")
    await hass.services.async_call(
        DOMAIN,
        "start_generator",
        {"config_entry_id": entry_id, "duration": "01:00:00"},
        blocking=True,
    )
    await minutes(hass, freezer, 1, charge_controller_soc=12)
    assert (board.states[0], generator_status(hass)) == (True, "running")
    assert not ir.async_get(hass).async_get_issue(DOMAIN, f"generator_failed_{entry_id}")


@pytest.mark.usefixtures("relay_board")
async def test_manual_run_for_a_duration_and_a_restart_in_the_middle(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, board: RelayBoardEmulator
) -> None:
    freezer.move_to("2026-11-25 12:00:00")
    entry_id = await _generator(hass)
    await hass.services.async_call(
        DOMAIN,
        "start_generator",
        {"config_entry_id": entry_id, "duration": {"hours": 2}},
        blocking=True,
    )
    assert board.states[0] is True
    await minutes(hass, freezer, 30, charge_controller_soc=95)
    assert board.states[0] is True  # a manual run ignores the stop level
    # Home Assistant restarts mid-run; meanwhile the relay board lost power.
    assert await hass.config_entries.async_reload(entry_id)
    board.states[0] = False
    # Once the board's poll shows the relay open, the policy says it again.
    await minutes(hass, freezer, 2, charge_controller_soc=95)
    assert board.states[0] is True
    assert generator_status(hass) == "running"
    await minutes(hass, freezer, 90, charge_controller_soc=95)
    assert board.states[0] is False
    await hass.services.async_call(
        DOMAIN,
        "start_generator",
        {"config_entry_id": entry_id, "duration": 600},
        blocking=True,
    )
    await hass.services.async_call(
        DOMAIN, "stop_generator", {"config_entry_id": entry_id}, blocking=True
    )
    assert board.states[0] is False
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN, "stop_generator", {"config_entry_id": "nope"}, blocking=True
        )


@pytest.mark.usefixtures("relay_board")
async def test_generator_flow_checks_levels(hass: HomeAssistant) -> None:
    result = await _flow(hass, "generator", {**GENERATOR, "start_soc": 90})
    assert result["errors"] == {"stop_soc": "soc_order"}


GRID_CONNECT = {
    CONF_NAME: "Grid connect",
    "relay": CONTACTOR,
    "battery_voltage": "sensor.battery_voltage",
    "grid_voltage": "sensor.grid_voltage",
    "grid_frequency": "sensor.grid_frequency",
    "connect_below": 51.2,
    "connect_after": 4,
    "disconnect_above": 54.0,
    "disconnect_after": 10,
    "grid_v_min": 207,
    "grid_v_max": 253,
    "grid_hz_min": 49.5,
    "grid_hz_max": 50.5,
    "stale_after": 2,
    "connect_when_stale": False,
}


def grid(hass: HomeAssistant, battery: float, volts: float = 230, hz: float = 50) -> None:
    hass.states.async_set("sensor.battery_voltage", str(battery), {"unit_of_measurement": "V"})
    hass.states.async_set("sensor.grid_voltage", str(volts), {"unit_of_measurement": "V"})
    hass.states.async_set("sensor.grid_frequency", str(hz), {"unit_of_measurement": "Hz"})


@pytest.mark.usefixtures("relay_board")
async def test_grid_connect_thresholds_and_timers(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, board: RelayBoardEmulator
) -> None:
    freezer.move_to("2026-11-25 12:00:00")
    grid(hass, 52.0)
    result = await _flow(hass, "grid_connect", GRID_CONNECT)
    assert result["type"] is FlowResultType.CREATE_ENTRY

    async def wait(count: int, battery: float, **kw: float) -> None:
        for _ in range(count):
            freezer.tick(timedelta(minutes=1))
            grid(hass, battery, **kw)
            async_fire_time_changed(hass)
            await hass.async_block_till_done(wait_background_tasks=True)

    await wait(3, 51.0)
    assert board.states[1] is False  # below for 3 of the 4 minutes
    await wait(2, 51.0)
    assert board.states[1] is True
    assert hass.states.get("sensor.grid_connect_reason").state == "battery_low"
    await wait(9, 54.5)
    assert board.states[1] is True
    await wait(2, 54.5)
    assert board.states[1] is False
    await wait(5, 50.0, hz=51.0)  # low battery, but the grid is off frequency
    assert board.states[1] is False
    assert hass.states.get("sensor.grid_connect_grid").state == "disconnected"


@pytest.mark.usefixtures("relay_board")
async def test_grid_connect_waits_for_discharge_and_checks_the_grid_it_gets(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, board: RelayBoardEmulator
) -> None:
    freezer.move_to("2026-11-25 12:00:00")
    grid(hass, 52.0)
    result = await _flow(
        hass,
        "grid_connect",
        {
            **GRID_CONNECT,
            "battery_current": "sensor.battery_current",
            "grid_voltage_2": "sensor.grid_voltage_2",
            "grid_voltage_3": "sensor.grid_voltage_3",
            "max_asymmetry": 10,
            "grid_stale_after": 2,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY

    async def wait(count: int, amps: float, l2: float = 230, grid_fresh: bool = True) -> None:
        for _ in range(count):
            freezer.tick(timedelta(minutes=1))
            hass.states.async_set("sensor.battery_voltage", "51.0")
            hass.states.async_set("sensor.battery_current", str(amps))
            if grid_fresh:
                for entity, volts in (("grid_voltage", 230), ("grid_voltage_2", l2)):
                    hass.states.async_set(f"sensor.{entity}", str(volts))
                hass.states.async_set("sensor.grid_voltage_3", "232")
                hass.states.async_set("sensor.grid_frequency", "50")
            async_fire_time_changed(hass)
            await hass.async_block_till_done(wait_background_tasks=True)

    await wait(6, amps=8.0)
    assert board.states[1] is False  # low, but charging: not empty
    await wait(5, amps=-20.0)
    assert board.states[1] is True
    heartbeat = hass.states.get("sensor.grid_connect_heartbeat").state
    assert heartbeat == dt_util.utcnow().replace(second=0, microsecond=0).isoformat()
    await wait(1, amps=-20.0, l2=219.9)  # 12.1 V below the third phase
    assert board.states[1] is False
    assert hass.states.get("sensor.grid_connect_reason").state == "phases_unbalanced"
    await wait(5, amps=-20.0)
    assert board.states[1] is True
    await wait(3, amps=-20.0, grid_fresh=False)  # the grid meter went quiet
    assert board.states[1] is False
    assert hass.states.get("sensor.grid_connect_reason").state == "grid_stale"


@pytest.mark.usefixtures("relay_board")
async def test_notification_blueprint(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    board: RelayBoardEmulator,
    phone: tuple[str, list[dict[str, Any]]],
) -> None:
    freezer.move_to("2026-11-25 12:00:00")
    await _generator(hass)
    device_id, sent = phone
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "use_blueprint": {
                    "path": "diy_solar/generator_notify.yaml",
                    "input": {"status": "sensor.generator_status", "phone": device_id},
                }
            }
        },
    )
    await minutes(hass, freezer, 1, charge_controller_soc=10)
    assert board.states[0] is True
    await minutes(hass, freezer, 31, charge_controller_soc=90)
    assert [m["message"] for m in sent] == ["Generator started.", "Generator stopped."]
    (automation,) = hass.states.async_entity_ids("automation")
    await hass.services.async_call(
        "automation", "turn_off", {ATTR_ENTITY_ID: automation}, blocking=True
    )


@pytest.mark.usefixtures("relay_board")
async def test_a_board_that_comes_back_gets_the_state_the_policy_wants(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, board: RelayBoardEmulator
) -> None:
    freezer.move_to("2026-11-25 12:00:00")
    await _generator(hass)
    await minutes(hass, freezer, 1, charge_controller_soc=10)
    assert board.states[0] is True
    board.plugged = False
    await minutes(hass, freezer, 2, charge_controller_soc=10)
    assert hass.states.get(RELAY).state == "unavailable"
    # Back, after losing power: every relay open.
    board.plugged, board.states = True, [False, False]
    await minutes(hass, freezer, 2, charge_controller_soc=10)
    assert board.states[0] is True
    assert generator_status(hass) == "running"


async def test_a_relay_that_refuses_fails_the_action_and_is_logged_once_per_outage(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """Another integration's switch whose service raises while its state stays off."""
    flaky, broken, tries = "switch.other_relay", [True], []

    async def switch(call: ServiceCall) -> None:
        tries.append(call.service)
        if broken[0]:
            raise HomeAssistantError("relay board offline")
        hass.states.async_set(flaky, "on" if call.service == "turn_on" else "off")

    hass.states.async_set(flaky, "off")
    freezer.move_to("2026-11-25 12:00:00")
    entry_id = await _generator(hass, relay=flaky)
    # After the set-up, which loads HA's switch component and its services.
    hass.services.async_register("switch", "turn_on", switch)
    hass.services.async_register("switch", "turn_off", switch)

    await minutes(hass, freezer, 10, charge_controller_soc=15)
    assert generator_status(hass) == "running"
    assert hass.states.get(flaky).state == "off"
    assert len(tries) >= 5  # said again every half minute or so...
    assert caplog.text.count("relay board offline") == 1  # ...and logged once

    # Stopping asks nothing of a relay that is already open.
    await hass.services.async_call(
        DOMAIN, "stop_generator", {"config_entry_id": entry_id}, blocking=True
    )
    with pytest.raises(HomeAssistantError) as failed:
        await hass.services.async_call(
            DOMAIN,
            "start_generator",
            {"config_entry_id": entry_id, "duration": {"hours": 1}},
            blocking=True,
        )
    assert failed.value.translation_key == "policy_write_failed"
    assert failed.value.translation_placeholders == {
        "name": "Generator",
        "entity": flaky,
        "error": "relay board offline",
    }

    broken[0] = False
    await minutes(hass, freezer, 1, charge_controller_soc=15)
    assert hass.states.get(flaky).state == "on"
    assert caplog.text.count("takes writes again") == 1
    await minutes(hass, freezer, 3, charge_controller_soc=15)
    assert caplog.text.count("relay board offline") == 1


@pytest.mark.usefixtures("relay_board")
async def test_a_critical_bank_starts_after_the_days_starts_and_runs_past_the_maximum(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, board: RelayBoardEmulator
) -> None:
    freezer.move_to("2026-11-25 09:00:00")
    entry_id = await _generator(
        hass, max_starts=1, max_run=60, max_run_hard=3, cooldown=15, critical_soc=10
    )
    await minutes(hass, freezer, 1, charge_controller_soc=15)  # the day's one start
    await minutes(hass, freezer, 30, charge_controller_soc=85)
    assert board.states[0] is False
    await minutes(hass, freezer, 20, charge_controller_soc=12)
    assert board.states[0] is False  # low, but the day's starts are used
    await minutes(hass, freezer, 1, charge_controller_soc=10)
    assert board.states[0] is True
    assert hass.states.get("sensor.generator_reason_of_the_last_start").state == "critical"
    extended = f"generator_extended_{entry_id}"
    await minutes(hass, freezer, 70, charge_controller_soc=9)
    assert board.states[0] is True  # past its hour: the bank is critical
    assert ir.async_get(hass).async_get_issue(DOMAIN, extended)
    await minutes(hass, freezer, 30, charge_controller_soc=40)
    assert board.states[0] is True  # no longer critical, not yet at the stop level
    await minutes(hass, freezer, 1, charge_controller_soc=81)
    assert board.states[0] is False
    assert not ir.async_get(hass).async_get_issue(DOMAIN, extended)


@pytest.mark.usefixtures("relay_board")
async def test_the_service_reminder_fires_once_and_is_reset(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, board: RelayBoardEmulator
) -> None:
    freezer.move_to("2026-11-25 09:00:00")
    events = async_capture_events(hass, f"{DOMAIN}_generator_service_due")
    entry_id = await _generator(hass, service_interval=1, max_run=240)
    await minutes(hass, freezer, 59, charge_controller_soc=15)
    assert not events
    await minutes(hass, freezer, 3, charge_controller_soc=15)
    assert len(events) == 1
    assert events[0].data["config_entry_id"] == entry_id
    due = f"generator_service_due_{entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, due)
    assert float(hass.states.get("sensor.generator_run_time_since_service").state) >= 1
    await hass.services.async_call(
        DOMAIN, "generator_serviced", {"config_entry_id": entry_id}, blocking=True
    )
    assert not ir.async_get(hass).async_get_issue(DOMAIN, due)
    assert float(hass.states.get("sensor.generator_run_time_since_service").state) == 0
    await minutes(hass, freezer, 5, charge_controller_soc=15)
    assert len(events) == 1
