"""Polls the Lumentree units on one port; a silent unit is unavailable on its own."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, cast

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.update_coordinator import UpdateFailed
from homeassistant.util.dt import utcnow

from ..const import DOMAIN, LOGGER
from ..coordinator import DeviceCoordinator, translated
from ..drivers.lumentree import (
    LumentreeClient,
    LumentreeConnectionError,
    LumentreeError,
    LumentreeValueError,
    Readings,
)
from ..runtime import DiySolarConfigEntry


def unit_identifier(device_key: str, unit: int | None) -> tuple[str, str]:
    """The device-registry identifier of one unit on the bus."""
    return DOMAIN, f"{device_key}-{unit}"


@dataclass(frozen=True)
class LumentreeData:
    units: dict[int, Readings | None]  # None: that unit did not answer this poll
    sampled_at: datetime


class LumentreeCoordinator(DeviceCoordinator[LumentreeData]):
    def __init__(
        self, hass: HomeAssistant, entry: DiySolarConfigEntry, client: LumentreeClient
    ) -> None:
        super().__init__(hass, entry)
        self.client = client
        self._silent: set[int] = set()

    async def _async_setup(self) -> None:
        try:
            await self.client.connect()
        except LumentreeError as err:
            raise translated(UpdateFailed, "communication_error", err) from err

    async def _async_update_data(self) -> LumentreeData:
        units: dict[int, Readings | None] = {}
        errors: list[LumentreeError] = []
        for slave in self.client.slaves:
            try:
                units[slave] = await self.client.read(slave)
            except LumentreeError as err:
                units[slave] = None
                errors.append(err)
                if slave not in self._silent:
                    LOGGER.warning("%s: %s", self.config_entry.title, err)
                self._silent.add(slave)
            else:
                if slave in self._silent:
                    LOGGER.info("%s: unit %s answers again", self.config_entry.title, slave)
                self._silent.discard(slave)
        if len(errors) == len(units):
            raise translated(UpdateFailed, "communication_error", errors[0])
        return LumentreeData(units, utcnow())

    def device_info(self, unit: int | None = None) -> DeviceInfo:
        return DeviceInfo(
            identifiers={unit_identifier(self.device_key, unit)},
            manufacturer="Lumentree",
            model=f"SUN-{self.client.max_power}",
            name=f"{self.config_entry.title} unit {unit}",
        )

    def subject(self, unit: int | None = None) -> Readings | None:
        if unit is None:
            return None
        return self.data.units.get(unit)

    async def async_set_power(self, unit: int, watts: float) -> None:
        try:
            await self.client.set_power(unit, watts)
        except LumentreeValueError as err:
            raise translated(ServiceValidationError, "value_not_allowed", err) from err
        except LumentreeConnectionError as err:
            raise translated(HomeAssistantError, "write_rejected", err) from err
        self.async_update_listeners()

    async def async_close(self) -> None:
        await self.client.close()

    def diagnostics(self) -> dict[str, Any]:
        return {
            "port": self.client.port,
            "max_power": self.client.max_power,
            "commanded": self.client.commanded,
            "writes": self.client.writes,
            "units": {
                unit: None if r is None else asdict(r)
                for unit, r in (self.data.units.items() if self.data else ())
            },
        }


def coordinator_of(entry: DiySolarConfigEntry) -> LumentreeCoordinator:
    """The entry's coordinator, typed: entries of this device kind carry this one."""
    return cast(LumentreeCoordinator, entry.runtime_data.coordinator)
