"""Polls a JK or Daly BMS; a Daly's MOSFETs are switched through here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.update_coordinator import UpdateFailed
from homeassistant.util.dt import utcnow

from ..const import CONF_DEVICE_TYPE, DOMAIN, DeviceType
from ..coordinator import DeviceCoordinator, translated
from ..drivers.bms import BmsError, BmsRejectedError, BmsStatus
from ..drivers.bms.cli import jsonable
from ..drivers.dalybms import DalyBmsClient
from ..runtime import DiySolarConfigEntry
from .connection import MANUFACTURERS, Connection


@dataclass(frozen=True)
class BmsData:
    status: BmsStatus
    sampled_at: datetime


class BmsCoordinator(DeviceCoordinator[BmsData]):
    def __init__(
        self, hass: HomeAssistant, entry: DiySolarConfigEntry, connection: Connection
    ) -> None:
        super().__init__(hass, entry)
        self.connection = connection
        self.device_type = DeviceType(entry.data[CONF_DEVICE_TYPE])

    async def _async_update_data(self) -> BmsData:
        try:
            status = await self.connection.client.read_status()
        except BmsError as err:
            raise translated(UpdateFailed, "communication_error", err) from err
        return BmsData(status, utcnow())

    def subject(self, unit: int | None = None) -> BmsStatus:
        return self.data.status

    def device_info(self, unit: int | None = None) -> DeviceInfo:
        status = self.data.status if self.data else None
        return DeviceInfo(
            identifiers={(DOMAIN, self.device_key)},
            manufacturer=MANUFACTURERS[self.device_type],
            model=f"{len(status.cell_voltages)}S BMS" if status else "BMS",
            sw_version=status.software_version if status else None,
            serial_number=status.device_id if status else None,
            name=self.config_entry.title,
        )

    async def async_set_mosfet(self, charge: bool, on: bool) -> None:
        """Switch a Daly MOSFET; the switch then shows what the BMS reads back."""
        client = self.connection.client
        if not isinstance(client, DalyBmsClient):
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="mosfets_not_switchable"
            )
        try:
            await client.set_mosfet(charge=charge, on=on)
        except BmsRejectedError as err:
            raise translated(HomeAssistantError, "write_rejected", err) from err
        except BmsError as err:
            raise translated(HomeAssistantError, "communication_error", err) from err
        finally:
            await self.async_refresh()

    async def async_close(self) -> None:
        await self.connection.close()

    def diagnostics(self) -> dict[str, Any]:
        return {
            "port": self.connection.client.url,
            "simulated": self.connection.emulator is not None,
            "status": jsonable(self.data.status) if self.data else None,
        }


def coordinator_of(entry: DiySolarConfigEntry) -> BmsCoordinator:
    """The entry's coordinator, typed: entries of this device kind carry this one."""
    return cast(BmsCoordinator, entry.runtime_data.coordinator)
