"""Actions aimed at a policy by its device, and pause and resume on every policy that can
pause: what each does to the device while paused, after a restart, and when it resumes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import voluptuous as vol
import yaml
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.diy_solar.const import DOMAIN
from custom_components.diy_solar.emulators.pi30 import Pi30Emulator
from custom_components.diy_solar.emulators.usbrelay import RelayBoardEmulator
from custom_components.diy_solar.generator import GeneratorRunner
from custom_components.diy_solar.grid_connect import GridConnectRunner
from custom_components.diy_solar.output_priority import OutputPriorityRunner
from custom_components.diy_solar.smart_charging import ChargingRunner
from custom_components.diy_solar.zero_export.runner import ZeroExportRunner
from tests.ha.common import device_of
from tests.ha.test_generator import (
    CONTACTOR,
    GRID_CONNECT,
    _flow,
    _generator,
    generator_status,
    grid,
    minutes,
    relay_board,  # noqa: F401 (the fixture)
)
from tests.ha.test_smart_charging import FLOAT_INDEX, _add, tick

SERVICES = yaml.safe_load(
    (Path(__file__).parents[2] / "custom_components/diy_solar/services.yaml").read_text()
)


async def act(hass: HomeAssistant, service: str, **data: object) -> None:
    await hass.services.async_call(DOMAIN, service, data, blocking=True)
    await hass.async_block_till_done(wait_background_tasks=True)


def picker_models(service: str) -> set[str]:
    return {
        f["model"] for f in SERVICES[service]["fields"]["device_id"]["selector"]["device"]["filter"]
    }


def test_each_picker_offers_the_policies_its_action_is_for() -> None:
    every = {
        r.model
        for r in (
            ZeroExportRunner,
            GeneratorRunner,
            GridConnectRunner,
            ChargingRunner,
            OutputPriorityRunner,
        )
    }
    assert picker_models("pause_policy") == picker_models("resume_policy") == every
    for service in ("start_generator", "stop_generator", "generator_serviced"):
        assert picker_models(service) == {GeneratorRunner.model}
    for service in ("start_absorption", "stop_absorption"):
        assert picker_models(service) == {ChargingRunner.model}
    assert picker_models("set_zero_export_target") == {ZeroExportRunner.model}
    assert picker_models("override_output_priority") == {OutputPriorityRunner.model}
    assert all("config_entry_id" not in s["fields"] for s in SERVICES.values())


@pytest.mark.usefixtures("relay_board")
async def test_the_generator_paused_stops_starts_for_nothing_and_resumes(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, board: RelayBoardEmulator
) -> None:
    freezer.move_to("2026-11-25 12:00:00")
    entry_id = await _generator(hass)
    device_id = device_of(hass, entry_id)
    await minutes(hass, freezer, 1, charge_controller_soc=18)
    assert board.states[0] is True  # running on low SOC
    await act(hass, "pause_policy", device_id=device_id, duration={"minutes": 30})
    assert board.states[0] is False  # stopped, on the board itself
    assert generator_status(hass) == "paused"
    await minutes(hass, freezer, 10, charge_controller_soc=8)  # even critical: no start
    assert board.states[0] is False
    # A restart keeps the pause.
    assert await hass.config_entries.async_reload(entry_id)
    await minutes(hass, freezer, 10, charge_controller_soc=8)
    assert (board.states[0], generator_status(hass)) == (False, "paused")
    # The pause runs out after its 30 minutes; the low bank starts it then, not before.
    await minutes(hass, freezer, 9, charge_controller_soc=15)
    assert board.states[0] is False
    await minutes(hass, freezer, 2, charge_controller_soc=15)
    assert board.states[0] is True
    assert generator_status(hass) == "running"
    # Paused again and resumed at once: it decides again on the spot.
    await act(hass, "pause_policy", device_id=device_id, duration={"hours": 1})
    assert board.states[0] is False
    await act(hass, "resume_policy", config_entry_id=entry_id)  # the older way still works
    assert generator_status(hass) != "paused"


@pytest.mark.usefixtures("relay_board")
async def test_grid_connect_paused_leaves_the_contactor_to_the_owner(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, board: RelayBoardEmulator
) -> None:
    freezer.move_to("2026-11-25 12:00:00")
    grid(hass, 51.0)
    entry_id = (await _flow(hass, "grid_connect", GRID_CONNECT))["result"].entry_id
    device_id = device_of(hass, entry_id)

    async def wait(count: int, battery: float) -> None:
        for _ in range(count):
            freezer.tick(timedelta(minutes=1))
            grid(hass, battery)
            async_fire_time_changed(hass)
            await hass.async_block_till_done(wait_background_tasks=True)

    await wait(5, 51.0)
    assert board.states[1] is True  # connected on a low battery
    await act(hass, "pause_policy", device_id=device_id, duration={"hours": 1})
    reason = hass.states.get("sensor.grid_connect_reason")
    assert reason.state == "paused"
    await wait(15, 54.5)  # recovered long enough to disconnect, but hands off
    assert board.states[1] is True
    await hass.services.async_call("switch", "turn_off", {ATTR_ENTITY_ID: CONTACTOR}, blocking=True)
    await wait(3, 50.0)  # low again: the owner's choice stands, nothing switches it back
    assert board.states[1] is False
    await act(hass, "resume_policy", device_id=device_id)
    # From what the relay shows (open), the low battery must last its 4 minutes again.
    await wait(3, 50.0)
    assert board.states[1] is False
    await wait(2, 50.0)
    assert board.states[1] is True
    assert hass.states.get("sensor.grid_connect_reason").state == "battery_low"


async def test_smart_charging_paused_leaves_the_charger_and_says_it_all_again_after(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: Pi30Emulator
) -> None:
    entry_id = await _add(hass)
    assert emulator.qpiri[FLOAT_INDEX] == "54.4"  # bulk: float held at absorption
    await act(hass, "pause_policy", device_id=device_of(hass, entry_id), duration=3600)
    assert hass.states.get("sensor.smart_charging_reason").state == "paused"
    emulator.qpiri[FLOAT_INDEX] = "52.0"  # the owner sets float on the panel
    for _ in range(3):
        await tick(hass)
    assert emulator.qpiri[FLOAT_INDEX] == "52.0"
    await act(hass, "resume_policy", device_id=device_of(hass, entry_id))
    await tick(hass)
    assert emulator.qpiri[FLOAT_INDEX] == "54.4"
    assert hass.states.get("sensor.smart_charging_reason").state != "paused"


@pytest.mark.usefixtures("relay_board")
async def test_an_action_refuses_a_device_of_another_kind_and_writes_nothing(
    hass: HomeAssistant, board: RelayBoardEmulator
) -> None:
    entry_id = await _generator(hass)
    relay_entry = next(
        e for e in hass.config_entries.async_entries(DOMAIN) if e.data["device_type"] == "usb_relay"
    )
    relay_device = device_of(hass, relay_entry.entry_id)
    with pytest.raises(ServiceValidationError) as refused:
        await act(hass, "start_generator", device_id=relay_device, duration=600)
    assert refused.value.translation_key == "wrong_policy"
    with pytest.raises(ServiceValidationError) as refused:
        await act(hass, "start_generator", device_id="no-such-device", duration=600)
    assert refused.value.translation_key == "unknown_device"
    with pytest.raises(vol.Invalid):
        await act(hass, "stop_generator")  # neither a device nor an entry
    with pytest.raises(vol.Invalid):
        await act(
            hass, "stop_generator", device_id=device_of(hass, entry_id), config_entry_id=entry_id
        )
    assert board.states == [False, False]
