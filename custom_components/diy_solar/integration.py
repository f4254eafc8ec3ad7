"""Set-up and unload of DIY Solar config entries."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant

from .connection import build_client
from .coordinator import DiySolarConfigEntry, Pi30Coordinator, RuntimeData

PLATFORMS = [Platform.BINARY_SENSOR, Platform.NUMBER, Platform.SELECT, Platform.SENSOR]


async def async_setup_entry(hass: HomeAssistant, entry: DiySolarConfigEntry) -> bool:
    client = build_client(entry.data)
    coordinator = Pi30Coordinator(hass, entry, client)
    try:
        await coordinator.async_config_entry_first_refresh()
    except Exception:
        await client.close()
        raise
    entry.runtime_data = RuntimeData(coordinator)
    entry.async_on_unload(entry.add_update_listener(_async_reload))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: DiySolarConfigEntry) -> bool:
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await entry.runtime_data.coordinator.client.close()
    return unloaded


async def _async_reload(hass: HomeAssistant, entry: DiySolarConfigEntry) -> None:
    """Options or a reconfigured port take effect through a reload."""
    await hass.config_entries.async_reload(entry.entry_id)
