"""USB HID relay boards in Home Assistant: one switch per channel."""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, cast

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.update_coordinator import UpdateFailed
from homeassistant.util.dt import utcnow

from ..const import CONF_SERIAL, DOMAIN
from ..coordinator import DeviceCoordinator, translated
from ..drivers.usbrelay import BoardState, HidBackend, UsbRelayBoard, UsbRelayError
from ..entity import DiySolarEntity
from ..runtime import DiySolarConfigEntry, RuntimeData, async_start
from . import connection


@dataclass(frozen=True)
class RelayData:
    state: BoardState
    sampled_at: datetime


class RelayCoordinator(DeviceCoordinator[RelayData]):
    def __init__(self, hass: HomeAssistant, entry: DiySolarConfigEntry, hid: HidBackend) -> None:
        super().__init__(hass, entry)
        self.board = UsbRelayBoard(entry.data[CONF_SERIAL], hid)
        # One board call at a time from here: the driver's own lock orders the calls on
        # the board, but their results can reach the loop in another order, and a poll
        # that read before a switch would then show the relay as it was before.
        self._order = asyncio.Lock()

    async def _async_update_data(self) -> RelayData:
        async with self._order:
            try:
                state = await self.hass.async_add_executor_job(self.board.read)
            except UsbRelayError as err:
                raise translated(UpdateFailed, "communication_error", err) from err
        return RelayData(state, utcnow())

    async def async_switch(self, channel: int, on: bool) -> None:
        """Switch, then show what the board reports, not what was asked."""
        async with self._order:
            try:
                state = await self.hass.async_add_executor_job(self.board.switch, channel, on)
            except UsbRelayError as err:
                self.async_set_update_error(err)
                raise translated(HomeAssistantError, "communication_error", err) from err
            self.async_set_updated_data(RelayData(state, utcnow()))

    def device_info(self, unit: int | None = None) -> DeviceInfo:
        return DeviceInfo(
            identifiers={(DOMAIN, self.device_key)},
            manufacturer="dcttech (generic)",
            model=f"USBRelay{self.board.channels or ''}",
            serial_number=self.board.serial,
            name=self.config_entry.title,
        )

    async def async_close(self) -> None:
        await self.hass.async_add_executor_job(self.board.close)

    def diagnostics(self) -> dict[str, Any]:
        return {
            "channels": self.board.channels,
            "state": asdict(self.data.state) if self.data else None,
        }


class RelaySwitch(DiySolarEntity[RelayCoordinator], SwitchEntity):
    def __init__(self, coordinator: RelayCoordinator, channel: int) -> None:
        description = SwitchEntityDescription(
            key=f"channel_{channel}",
            translation_key="relay_channel",
            translation_placeholders={"channel": str(channel)},
        )
        super().__init__(coordinator, description)
        self.channel = channel

    @property
    def is_on(self) -> bool:
        return self.coordinator.data.state.states[self.channel - 1]

    async def async_turn_on(self, **kwargs: Any) -> None:
        await self.coordinator.async_switch(self.channel, True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        await self.coordinator.async_switch(self.channel, False)


async def _async_setup_switches(
    hass: HomeAssistant, entry: DiySolarConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    coordinator = cast(RelayCoordinator, entry.runtime_data.coordinator)
    channels = len(coordinator.data.state.states)
    async_add_entities(RelaySwitch(coordinator, n) for n in range(1, channels + 1))


async def async_setup(hass: HomeAssistant, entry: DiySolarConfigEntry) -> RuntimeData:
    hid = await hass.async_add_executor_job(connection.backend)
    return await async_start(
        RelayCoordinator(hass, entry, hid), {Platform.SWITCH: _async_setup_switches}
    )
