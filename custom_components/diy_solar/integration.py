"""Set-up and unload of DIY Solar config entries."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import cast

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.typing import ConfigType

from . import (
    axpert,
    bank,
    bms,
    generator,
    grid_connect,
    lumentree,
    meanwell,
    output_priority,
    plant,
    relay,
    smart_charging,
    soc_estimator,
    zero_export,
)
from .axpert.coordinator import Pi30Coordinator
from .blueprints import async_install_blueprints
from .const import CONF_DEVICE_TYPE, CONF_SLAVES, DOMAIN, DeviceType
from .dashboard import async_setup_dashboard
from .lumentree.coordinator import unit_identifier
from .policy_runner import policy_store
from .profiles import profile_store
from .repairs import clear_issues
from .runtime import DiySolarConfigEntry, RuntimeData
from .services import async_register_services
from .voice import async_register_intents
from .wear import async_remove_ledger

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
]

SETUP: dict[DeviceType, Callable[[HomeAssistant, DiySolarConfigEntry], Awaitable[RuntimeData]]] = {
    DeviceType.AXPERT: axpert.async_setup,
    DeviceType.MEANWELL_BIC: meanwell.async_setup,
    DeviceType.MEANWELL_NPB: meanwell.async_setup,
    DeviceType.LUMENTREE: lumentree.async_setup,
    DeviceType.JK_BMS: bms.async_setup,
    DeviceType.DALY_BMS: bms.async_setup,
    DeviceType.USB_RELAY: relay.async_setup,
    DeviceType.SIMULATED_PLANT: plant.async_setup,
    DeviceType.BATTERY_BANK: bank.async_setup,
    DeviceType.SOC_ESTIMATOR: soc_estimator.async_setup,
    DeviceType.ZERO_EXPORT: zero_export.async_setup,
    DeviceType.GENERATOR: generator.async_setup,
    DeviceType.GRID_CONNECT: grid_connect.async_setup,
    DeviceType.SMART_CHARGING: smart_charging.async_setup,
    DeviceType.OUTPUT_PRIORITY: output_priority.async_setup,
}


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Services, intents, blueprints, sentences and the dashboard exist once, whatever
    entries there are."""
    async_register_services(hass)
    async_register_intents(hass)
    await async_install_blueprints(hass)
    await async_setup_dashboard(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: DiySolarConfigEntry) -> bool:
    entry.runtime_data = await SETUP[DeviceType(entry.data[CONF_DEVICE_TYPE])](hass, entry)
    remove_stale_devices(hass, entry)
    entry.async_on_unload(entry.add_update_listener(_async_reload))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: DiySolarConfigEntry) -> bool:
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await entry.runtime_data.coordinator.async_close()
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: ConfigEntry) -> None:
    await async_remove_ledger(hass, entry.entry_id)
    clear_issues(hass, entry.entry_id)
    await policy_store(hass, entry.entry_id).async_remove()
    await profile_store(hass, entry.entry_id).async_remove()


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: ConfigEntry, device: dr.DeviceEntry
) -> bool:
    """A device the entry no longer has may be deleted from the UI; a current one may not."""
    return not device.identifiers & entry_devices(entry)


def entry_devices(entry: ConfigEntry) -> set[tuple[str, str]]:
    """The device-registry identifiers an entry has now: one device, or one per Lumentree
    unit on the bus (from its data alone, so also while it is not loaded), and once loaded
    the units of a parallel Axpert system."""
    key = entry.unique_id or entry.entry_id
    if entry.data[CONF_DEVICE_TYPE] == DeviceType.LUMENTREE:
        return {unit_identifier(key, int(unit)) for unit in entry.data[CONF_SLAVES]}
    runtime: RuntimeData | None = getattr(entry, "runtime_data", None)
    if entry.data[CONF_DEVICE_TYPE] == DeviceType.AXPERT and runtime is not None:
        return {(DOMAIN, key), *cast(Pi30Coordinator, runtime.coordinator).unit_identifiers()}
    return {(DOMAIN, key)}


def remove_stale_devices(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Detach the devices the entry no longer has (units a reconfigure dropped)."""
    registry = dr.async_get(hass)
    current = entry_devices(entry)
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        if not device.identifiers & current:
            registry.async_update_device(device.id, remove_config_entry_id=entry.entry_id)


async def _async_reload(hass: HomeAssistant, entry: DiySolarConfigEntry) -> None:
    """Options or a reconfigured port take effect through a reload."""
    await hass.config_entries.async_reload(entry.entry_id)
