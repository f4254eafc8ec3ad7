"""hidapi for relay boards: the one boundary tests replace with emulated boards."""

from __future__ import annotations

from homeassistant.core import HomeAssistant

from ..drivers.usbrelay import BoardInfo, HidBackend, find_boards, hidapi


def backend() -> HidBackend:
    """hidapi (blocking: its import loads a shared library; run in the executor)."""
    return hidapi()


async def async_find_boards(hass: HomeAssistant) -> list[BoardInfo]:
    return await hass.async_add_executor_job(lambda: find_boards(backend()))
