"""Helpers shared by the Home Assistant tests."""

from __future__ import annotations

from datetime import timedelta

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

PREFIX = "axpert_92932105105315"


async def poll(hass: HomeAssistant) -> None:
    """Run the next coordinator poll now.

    Real time, not a frozen clock: serial I/O and reply timeouts need a running loop clock.
    """
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=11), fire_all=True)
    await hass.async_block_till_done(wait_background_tasks=True)
