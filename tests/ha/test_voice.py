"""Assist with the sentences DIY Solar installs: what is said goes through
conversation.process, and what it does is read on the device."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

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


async def say(hass: HomeAssistant, text: str) -> dict[str, Any]:
    result = await hass.services.async_call(
        "conversation",
        "process",
        {"text": text, "language": "en"},
        blocking=True,
        return_response=True,
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert result is not None
    response: dict[str, Any] = result["response"]
    return response


def spoken(response: dict[str, Any]) -> str:
    return str(response["speech"]["plain"]["speech"])


@pytest.fixture
async def assist(hass: HomeAssistant) -> None:
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})


@pytest.mark.usefixtures("relay_board", "assist")
async def test_the_generator_by_voice(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, board: RelayBoardEmulator
) -> None:
    freezer.move_to("2026-11-25 12:00:00")
    await _generator(hass)
    sentences = Path(hass.config.path("custom_sentences", "en", "diy_solar.yaml"))
    assert await hass.async_add_executor_job(sentences.exists)
    assert spoken(await say(hass, "is the generator running")) == "No, the generator is off."
    response = await say(hass, "start the generator for two hours")
    assert spoken(response) == "Running the generator for 2 hours."
    assert board.states[0] is True
    assert spoken(await say(hass, "is the generator running")) == "Yes, the generator is running."
    await minutes(hass, freezer, 119, charge_controller_soc=95)
    assert board.states[0] is True  # two hours, not one
    await minutes(hass, freezer, 2, charge_controller_soc=95)
    assert board.states[0] is False
    await say(hass, "run the generator for 30 minutes")
    assert board.states[0] is True
    assert spoken(await say(hass, "stop the generator")) == "Stopping the generator."
    assert board.states[0] is False
    assert generator_status(hass) == "cooling_down"


@pytest.mark.usefixtures("assist")
async def test_a_command_without_its_policy_says_so(hass: HomeAssistant) -> None:
    # Assist has read its sentences before DIY Solar installs its own: they count at once.
    not_yet = await say(hass, "start the generator for an hour")
    assert not_yet["response_type"] == "error"
    assert await async_setup_component(hass, "diy_solar", {})
    response = await say(hass, "start the generator for an hour")
    assert response["response_type"] == "error"
    assert spoken(response) == "There is no generator auto-start policy running."
    response = await say(hass, "what is the battery state of charge")
    assert spoken(response) == "No battery reports its state of charge now."


@pytest.mark.usefixtures("actuators", "assist")
async def test_zero_export_by_voice(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    await _add(hass)
    meter(hass, 700)
    await hass.async_block_till_done()
    assert written(hass) == (0, 700)
    response = await say(hass, "pause zero export for an hour")
    assert spoken(response) == "Zero export is paused for an hour."
    assert (status(hass), written(hass)) == ("paused", (0, 0))  # on the devices
    assert spoken(await say(hass, "resume zero export")) == "Zero export is back on."
    assert status(hass) != "paused"
    response = await say(hass, "set the grid target to 200 watts")
    assert spoken(response) == "The grid target is 200 watts."
    assert hass.states.get(f"number.{PREFIX}_target_grid_power").state == "200.0"
    await later(hass, freezer, 10)
    meter(hass, 710)
    await hass.async_block_till_done()
    assert written(hass) == (0, 510)  # 200 W of import held
    response = await say(hass, "set the grid target to 6000 watts")  # beyond the number
    assert response["response_type"] == "error"
    assert hass.states.get(f"number.{PREFIX}_target_grid_power").state == "200.0"
