"""The phone alerts blueprint: what reaches the phone, and what a tap on its actions (the
mobile_app_notification_action event the app sends) does to the plant."""

from __future__ import annotations

from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component

from custom_components.diy_solar.const import DOMAIN
from custom_components.diy_solar.emulators.usbrelay import RelayBoardEmulator
from tests.ha.test_generator import (
    _generator,
    generator_status,
    minutes,
    relay_board,  # noqa: F401 (the fixture)
)
from tests.ha.test_zero_export import (
    PREFIX,
    _add,
    actuators,  # noqa: F401 (the fixture)
    later,
    meter,
    status,
    written,
)

AUTOMATION = "automation.plant_alerts_to_a_phone_with_actions"


@pytest.fixture
def sent(phone: tuple[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return phone[1]


async def _alerts(hass: HomeAssistant, **inputs: object) -> None:
    assert await async_setup_component(hass, DOMAIN, {})  # installs the blueprint
    (app,) = hass.config_entries.async_entries("mobile_app")
    (phone,) = dr.async_entries_for_config_entry(dr.async_get(hass), app.entry_id)
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "alias": "Plant alerts to a phone, with actions",
                "use_blueprint": {
                    "path": "diy_solar/phone_alerts.yaml",
                    "input": {"phone": phone.id, **inputs},
                },
            }
        },
    )
    await hass.async_block_till_done()


async def tap(hass: HomeAssistant, action: str) -> None:
    hass.bus.async_fire("mobile_app_notification_action", {"action": action})
    await hass.async_block_till_done(wait_background_tasks=True)


async def failed_start(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, sent: list[dict[str, Any]], **inputs: Any
) -> dict[str, Any]:
    """A generator that does not start (no running feedback, no retry): the alert sent."""
    freezer.move_to("2026-11-25 12:00:00")
    hass.states.async_set("binary_sensor.generator_running", "off")
    await _generator(hass, running_sensor="binary_sensor.generator_running", retries=0)
    await _alerts(hass, generator=["sensor.generator_status"], **inputs)
    await minutes(hass, freezer, 4, charge_controller_soc=12)
    assert generator_status(hass) == "failed"
    (alert,) = sent
    return alert


@pytest.mark.usefixtures("relay_board")
async def test_a_failed_start_reaches_the_phone_and_retry_runs_the_generator(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    board: RelayBoardEmulator,
    sent: list[dict[str, Any]],
) -> None:
    alert = await failed_start(hass, freezer, sent, retry_run={"minutes": 45})
    assert board.states[0] is False
    assert alert["title"] == "Generator"
    actions = [a["action"] for a in alert["data"]["actions"]]
    assert [a["title"] for a in alert["data"]["actions"]] == ["Retry", "Stop trying"]
    # Another automation's answer, and a stranger's: nothing happens.
    await tap(hass, "SOMETHING_ELSE")
    await tap(hass, actions[0].replace(AUTOMATION, "automation.another"))
    assert board.states[0] is False
    # Someone checked the fuel and taps Retry: the generator runs, for the retry's length.
    hass.states.async_set("binary_sensor.generator_running", "on")
    await tap(hass, actions[0])
    assert board.states[0] is True
    await minutes(hass, freezer, 1, charge_controller_soc=90)
    assert generator_status(hass) == "running"
    await minutes(hass, freezer, 44, charge_controller_soc=90)
    assert board.states[0] is False


@pytest.mark.usefixtures("relay_board")
async def test_stop_trying_leaves_the_generator_off(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    board: RelayBoardEmulator,
    sent: list[dict[str, Any]],
) -> None:
    alert = await failed_start(hass, freezer, sent)
    await tap(hass, alert["data"]["actions"][1]["action"])
    await minutes(hass, freezer, 10, charge_controller_soc=12)
    assert (board.states[0], generator_status(hass)) == (False, "failed")


async def test_a_bms_alarm_offers_the_dashboard(
    hass: HomeAssistant, sent: list[dict[str, Any]]
) -> None:
    hass.states.async_set("binary_sensor.pack_1_alarm", "off", {"friendly_name": "Pack 1 Alarm"})
    await _alerts(hass, alarms=["binary_sensor.pack_1_alarm"], dashboard="/diy-solar/battery")
    hass.states.async_set("binary_sensor.pack_1_alarm", "on", {"friendly_name": "Pack 1 Alarm"})
    await hass.async_block_till_done()
    (alert,) = sent
    assert (alert["title"], alert["message"]) == ("Battery", "Pack 1 Alarm")
    assert alert["data"]["actions"] == [
        {"action": "URI", "title": "Open dashboard", "uri": "/diy-solar/battery"}
    ]


@pytest.mark.usefixtures("actuators")
async def test_a_quiet_meter_reaches_the_phone_and_pause_pauses_zero_export(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, sent: list[dict[str, Any]]
) -> None:
    await _add(hass)
    await _alerts(hass, zero_export=[f"sensor.{PREFIX}_status"])
    meter(hass, 900)
    await hass.async_block_till_done()
    await later(hass, freezer, 31)
    assert status(hass) == "stale_meter"
    (alert,) = sent
    assert alert["title"] == "Zero export"
    (pause,) = alert["data"]["actions"]
    assert pause["title"] == "Pause 1 h"
    await tap(hass, pause["action"])
    assert status(hass) == "paused"
    assert written(hass) == (0, 0)
