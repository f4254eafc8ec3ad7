"""What the add-device steps of every family share: probing, port pickers, and creating or
updating the entry once the device has answered."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import Any

import serialx
from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import selector

from .const import DOMAIN, LOGGER


async def async_probe[T](
    probe: Awaitable[T],
    errors: dict[str, str],
    *,
    unreachable: tuple[type[Exception], ...],
    wrong: tuple[type[Exception], ...] = (),
    what: str,
) -> T | None:
    """Run a device probe; on failure None, with errors["base"] saying why."""
    try:
        return await probe
    except unreachable:
        errors["base"] = "cannot_connect"
    except wrong:
        errors["base"] = "wrong_protocol"
    except Exception:
        LOGGER.exception("Unexpected error while %s", what)
        errors["base"] = "unknown"
    return None


def serial_ports() -> list[selector.SelectOptionDict]:
    """The serial ports of this machine (blocking: run in the executor)."""
    return [
        selector.SelectOptionDict(
            value=port.device,
            label=f"{port.device} ({port.product or port.manufacturer or 'unknown'})",
        )
        for port in serialx.list_serial_ports()
    ]


def _adopt(hass: HomeAssistant, entry: ConfigEntry[Any], unique_id: str) -> None:
    """Give a simulator's device and entities the identity of the real device that takes
    its place: the entity ids, the device id and whatever refers to them stay."""
    old = entry.unique_id or entry.entry_id

    def moved(identity: str) -> str | None:
        if identity == old or identity.startswith(f"{old}-"):
            return unique_id + identity[len(old) :]
        return None

    entities = er.async_get(hass)
    for entity in er.async_entries_for_config_entry(entities, entry.entry_id):
        if (new := moved(entity.unique_id)) is not None:
            entities.async_update_entity(entity.entity_id, new_unique_id=new)
    devices = dr.async_get(hass)
    for device in dr.async_entries_for_config_entry(devices, entry.entry_id):
        identifiers = {
            (domain, moved(identity) or identity) if domain == DOMAIN else (domain, identity)
            for domain, identity in device.identifiers
        }
        devices.async_update_device(device.id, new_identifiers=identifiers)


class DiySolarFlow(ConfigFlow):
    """The base of every family's steps; config_flow.py composes them."""

    # Reconfiguring a simulator: the device found takes its place (see _adopt).
    _from_simulator = False

    def _current(self) -> Mapping[str, Any]:
        """The entry's data while reconfiguring (the form's defaults), else nothing."""
        return self._get_reconfigure_entry().data if self.source == SOURCE_RECONFIGURE else {}

    def _port_identity(self, port_id: str) -> str:
        """The unique id of a device that reports none: its port, kept when a
        reconfigure moves the device to another port."""
        if self.source == SOURCE_RECONFIGURE and not self._from_simulator:
            return self._get_reconfigure_entry().unique_id or port_id
        return port_id

    async def _async_claim(self, data: dict[str, Any], unique_id: str) -> None:
        """This flow adds the device unique_id; one already configured has its entry
        updated with data instead, and the flow ends there."""
        await self.async_set_unique_id(unique_id)
        # The entry's update listener reloads it once; HA must not reload it as well.
        self._abort_if_unique_id_configured(updates=data, reload_on_update=False)

    async def _async_create_or_update(
        self, data: dict[str, Any], unique_id: str, title: str
    ) -> ConfigFlowResult:
        if self.source == SOURCE_RECONFIGURE:
            entry = self._get_reconfigure_entry()
            await self.async_set_unique_id(unique_id)
            if self._from_simulator:
                if unique_id != entry.unique_id:
                    # A real device may already have an entry of its own.
                    self._abort_if_unique_id_configured()
                    _adopt(self.hass, entry, unique_id)
                self.hass.config_entries.async_update_entry(
                    entry, unique_id=unique_id, title=title, data=data
                )
                return self.async_abort(reason="reconfigure_successful")
            self._abort_if_unique_id_mismatch(reason="wrong_device")
            self.hass.config_entries.async_update_entry(entry, data=data)
            return self.async_abort(reason="reconfigure_successful")
        await self._async_claim(data, unique_id)
        return self.async_create_entry(title=title, data=data)
