"""Polls one PI30 inverter and performs its setting writes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util.dt import utcnow

from .const import CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL, DOMAIN, LOGGER
from .drivers.pi30 import (
    Capabilities,
    DeviceMode,
    GeneralStatus,
    Identity,
    Pi30Client,
    Pi30ConnectionError,
    Pi30Error,
    Pi30RejectedError,
    Pi30ValueError,
    SettingKey,
    WarningStatus,
)


@dataclass(frozen=True)
class Pi30Data:
    status: GeneralStatus
    mode: DeviceMode
    warnings: WarningStatus
    capabilities: Capabilities
    sampled_at: datetime


@dataclass
class RuntimeData:
    coordinator: Pi30Coordinator


type DiySolarConfigEntry = ConfigEntry[RuntimeData]


class Pi30Coordinator(DataUpdateCoordinator[Pi30Data]):
    """QPIGS, QMOD and QPIWS every poll; QPIRI at start and after each setter."""

    config_entry: DiySolarConfigEntry
    identity: Identity

    def __init__(
        self, hass: HomeAssistant, entry: DiySolarConfigEntry, client: Pi30Client
    ) -> None:
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            update_interval=timedelta(
                seconds=entry.options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL)
            ),
        )
        self.client = client

    async def _async_setup(self) -> None:
        try:
            self.identity = await self.client.get_identity()
            await self.client.read_capabilities()
        except Pi30Error as err:
            raise _translated(UpdateFailed, "communication_error", err) from err

    async def _async_update_data(self) -> Pi30Data:
        try:
            capabilities = self.client.capabilities or await self.client.read_capabilities()
            return Pi30Data(
                status=await self.client.get_status(),
                mode=await self.client.get_mode(),
                warnings=await self.client.get_warnings(),
                capabilities=capabilities,
                sampled_at=utcnow(),
            )
        except Pi30Error as err:
            raise _translated(UpdateFailed, "communication_error", err) from err

    async def async_set(self, key: SettingKey, value: float) -> None:
        """Write a setting; the driver checks it and confirms it by re-reading QPIRI."""
        try:
            await self.client.set_setting(key, value)
        except Pi30ValueError as err:
            raise _translated(ServiceValidationError, "value_not_allowed", err) from err
        except (Pi30RejectedError, Pi30ConnectionError) as err:
            raise _translated(HomeAssistantError, "write_rejected", err) from err
        except Pi30Error as err:
            raise _translated(HomeAssistantError, "communication_error", err) from err
        if self.client.capabilities is not None:
            self.async_set_updated_data(replace(self.data, capabilities=self.client.capabilities))


def _translated[E: HomeAssistantError](cls: type[E], key: str, err: Exception) -> E:
    return cls(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={"error": str(err)},
    )
