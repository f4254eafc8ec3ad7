"""Polls one Mean Well charger and performs its confirmed, counted writes."""

from __future__ import annotations

from collections.abc import Awaitable
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
from ..drivers.meanwell import (
    Device,
    Family,
    MeanWellConnectionError,
    MeanWellError,
    MeanWellRejectedError,
    MeanWellValueError,
    Range,
    Readings,
    Setting,
    voltage_adjust_step,
)
from ..policies.profiles import Kind
from ..profiles import Profiles
from ..repairs import set_issue
from ..runtime import DiySolarConfigEntry
from ..wear import WriteLedger
from .connection import Connection


@dataclass(frozen=True)
class MeanWellData:
    readings: Readings
    settings: dict[Setting, float]
    curve_enabled: bool | None  # NPB only
    battery_mode: bool | None  # BIC only
    sampled_at: datetime


_VOLTAGES = frozenset(
    {Setting.CHARGE_VOLTAGE, Setting.DISCHARGE_VOLTAGE, Setting.CURVE_CV, Setting.CURVE_FV}
)


class MeanWellCoordinator(DeviceCoordinator[MeanWellData]):
    """Readings and settings every poll: a change made elsewhere shows up at once."""

    device: Device

    def __init__(
        self,
        hass: HomeAssistant,
        entry: DiySolarConfigEntry,
        connection: Connection,
        ledger: WriteLedger,
    ) -> None:
        super().__init__(hass, entry)
        self.connection = connection
        self.client = connection.client
        self.ledger = ledger
        # NPB below its minimum current: the wanted current and the voltage ceiling.
        self.low_current_target: float | None = None
        self._voltage_ceiling: float | None = None
        self.profiles = Profiles(hass, entry.entry_id)

    @property
    def family(self) -> Family:
        return self.client.family

    async def _async_setup(self) -> None:
        await self.profiles.async_load()
        try:
            self.device = await self.client.identify()
        except MeanWellError as err:
            raise translated(UpdateFailed, "communication_error", err) from err

    async def async_profile_settings(self) -> dict[str, float]:
        try:
            settings = await self.client.read_settings()
        except MeanWellError as err:
            raise translated(HomeAssistantError, "communication_error", err) from err
        return {setting.value: value for setting, value in settings.items()}

    def profile_kinds(self) -> dict[str, Kind]:
        return {s.value: Kind.VOLTAGE if s in _VOLTAGES else Kind.CURRENT for s in Setting}

    async def async_apply_setting(self, key: str, value: float) -> None:
        await self.async_set(Setting(key), value)

    async def _async_update_data(self) -> MeanWellData:
        try:
            readings = await self.client.read_readings()
            settings = await self.client.read_settings()
            npb = self.family is Family.NPB
            data = MeanWellData(
                readings=readings,
                settings=settings,
                curve_enabled=await self.client.read_curve_enabled() if npb else None,
                battery_mode=None if npb else await self.client.battery_mode(),
                sampled_at=utcnow(),
            )
            await self._follow_low_current(data)
        except MeanWellError as err:
            raise translated(UpdateFailed, "communication_error", err) from err
        self._follow_eep_off()
        return data

    def _follow_eep_off(self) -> None:
        """Keep whether EEP_OFF is in effect across restarts, and say while it waits for
        the power cycle that brings it into effect."""
        client = self.client
        self.ledger.set_eeprom_off(client.eep_off_active)
        pending = client.eep_off and not client.eep_off_active
        set_issue(
            self.hass,
            "eep_off_pending",
            self.config_entry.entry_id,
            pending,
            {"name": self.config_entry.title},
        )

    async def _follow_low_current(self, data: MeanWellData) -> None:
        """One step of the NPB voltage adjust toward a current below the minimum."""
        if self.low_current_target is None or self._voltage_ceiling is None:
            return
        voltage = data.settings[Setting.CHARGE_VOLTAGE]
        window = Range(self.device.limits.charge_voltage.minimum, self._voltage_ceiling)
        step = voltage_adjust_step(
            self.low_current_target, data.readings.output_current, voltage, window
        )
        if step != voltage:
            await self.client.set(Setting.CHARGE_VOLTAGE, step)
            data.settings[Setting.CHARGE_VOLTAGE] = step

    def device_info(self, unit: int | None = None) -> DeviceInfo:
        identity = self.device.identity
        return DeviceInfo(
            identifiers={(DOMAIN, self.device_key)},
            manufacturer="Mean Well",
            model=identity.model,
            name=self.config_entry.title,
            serial_number=identity.serial_number,
            sw_version=identity.firmware,
        )

    def allowed(self, setting: Setting) -> Range:
        allowed = self.client.allowed(setting)
        if setting is Setting.CHARGE_CURRENT and self.family is Family.NPB:
            # Below the minimum, the voltage adjust takes over.
            return Range(0.0, allowed.maximum)
        return allowed

    def setting_value(self, setting: Setting) -> float | None:
        if setting is Setting.CHARGE_CURRENT and self.low_current_target is not None:
            return self.low_current_target
        return self.data.settings.get(setting)

    async def _write(self, write: Awaitable[Any]) -> None:
        try:
            await write
        except MeanWellValueError as err:
            raise translated(ServiceValidationError, "value_not_allowed", err) from err
        except (MeanWellRejectedError, MeanWellConnectionError) as err:
            raise translated(HomeAssistantError, "write_rejected", err) from err
        except MeanWellError as err:
            raise translated(HomeAssistantError, "communication_error", err) from err
        await self.async_refresh()

    async def async_set(self, setting: Setting, value: float) -> None:
        minimum = self.device.limits.charge_current.minimum
        if setting is Setting.CHARGE_CURRENT and self.family is Family.NPB and value < minimum:
            if not value >= 0:
                raise translated(
                    ServiceValidationError, "value_not_allowed", ValueError(f"{value} A")
                )
            starting = self.low_current_target is None
            if starting:
                self._voltage_ceiling = self.data.settings[Setting.CHARGE_VOLTAGE]
            self.low_current_target = value
            LOGGER.debug("%s: %s A by voltage adjust", self.config_entry.title, value)
            await self._write(self.client.set(Setting.CHARGE_CURRENT, minimum))
            if starting:
                # Start at the terminal voltage the charger measures now, where the
                # current barely changes, rather than walking down from the ceiling.
                await self._write(self.client.set(Setting.CHARGE_VOLTAGE, self._start_voltage()))
            return
        if setting in (Setting.CHARGE_CURRENT, Setting.CHARGE_VOLTAGE):
            await self._end_low_current(restore=setting is Setting.CHARGE_CURRENT)
        await self._write(self.client.set(setting, value))

    def _start_voltage(self) -> float:
        window = self.device.limits.charge_voltage
        ceiling = self._voltage_ceiling or window.maximum
        return round(min(ceiling, max(window.minimum, self.data.readings.output_voltage)), 2)

    async def _end_low_current(self, *, restore: bool) -> None:
        ceiling, self._voltage_ceiling = self._voltage_ceiling, None
        self.low_current_target = None
        if restore and ceiling is not None:
            await self._write(self.client.set(Setting.CHARGE_VOLTAGE, ceiling))

    async def async_set_output(self, on: bool) -> None:
        await self._write(self.client.set_output(on))

    async def async_set_discharging(self, discharging: bool) -> None:
        await self._write(self.client.set_discharging(discharging))

    async def async_set_curve_enabled(self, enabled: bool) -> None:
        await self._write(self.client.set_curve_enabled(enabled))

    async def async_close(self) -> None:
        await self.connection.close()
        await self.ledger.async_flush()

    def diagnostics(self) -> dict[str, Any]:
        return {
            "device": asdict(self.device),
            "readings": asdict(self.data.readings) if self.data else None,
            "settings": dict(self.data.settings) if self.data else None,
            "eep_off": self.client.eep_off,
            "writes": asdict(self.client.writes),
            "eeprom_writes": self.ledger.count,
            "eeprom_budget": self.ledger.budget,
            "low_current_target": self.low_current_target,
        }


def coordinator_of(entry: DiySolarConfigEntry) -> MeanWellCoordinator:
    """The entry's coordinator, typed: entries of this device kind carry this one."""
    return cast(MeanWellCoordinator, entry.runtime_data.coordinator)
