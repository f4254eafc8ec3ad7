"""Polls one PI30 inverter and performs its setting writes."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any, cast

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.update_coordinator import UpdateFailed
from homeassistant.util.dt import utcnow

from ..const import DOMAIN
from ..coordinator import DeviceCoordinator, translated
from ..drivers.pi30 import (
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
from ..drivers.pi30.models import CurrentOptions, ParallelStatus
from ..policies.profiles import Kind
from ..profiles import Profiles
from ..runtime import DiySolarConfigEntry
from ..wear import WriteLedger


@dataclass(frozen=True)
class Pi30Data:
    status: GeneralStatus
    mode: DeviceMode
    warnings: WarningStatus
    capabilities: Capabilities
    sampled_at: datetime
    # QPGSn of each unit of a parallel system, by index; empty for a single unit.
    units: tuple[ParallelStatus, ...] = ()

    @property
    def system(self) -> SystemTotals | None:
        return SystemTotals.of(self.units) if self.units else None


@dataclass(frozen=True)
class SystemTotals:
    """What a parallel system does as a whole."""

    pv_power: float
    load: float
    charging_current: float

    @classmethod
    def of(cls, units: tuple[ParallelStatus, ...]) -> SystemTotals:
        return cls(
            pv_power=round(sum(u.pv_input_voltage * (u.pv_input_current or 0.0) for u in units)),
            load=float(sum(u.ac_output_active_power for u in units)),
            charging_current=float(sum(u.battery_charging_current for u in units)),
        )


_KINDS = {
    SettingKey.FLOAT_VOLTAGE: Kind.VOLTAGE,
    SettingKey.BULK_VOLTAGE: Kind.VOLTAGE,
    SettingKey.RECHARGE_VOLTAGE: Kind.VOLTAGE,
    SettingKey.REDISCHARGE_VOLTAGE: Kind.VOLTAGE,
    SettingKey.CUTOFF_VOLTAGE: Kind.VOLTAGE,
    SettingKey.MAX_CHARGE_CURRENT: Kind.CURRENT,
    SettingKey.MAX_UTILITY_CHARGE_CURRENT: Kind.CURRENT,
}
# The most units a PI30 parallel system has.
MAX_PARALLEL = 9
# How old the settings (QPIRI) may get before they are read again.
RATED_REFRESH = timedelta(minutes=1)


class Pi30Coordinator(DeviceCoordinator[Pi30Data]):
    """QPIGS, QMOD and QPIWS every poll; QPIRI at start, after each setter and once a
    minute, so that a setting changed on the unit's panel shows within a minute."""

    identity: Identity
    _rated_at: datetime | None = None
    unit_count = 0  # units of a parallel system (QPGSn), 0 for a single unit

    def __init__(
        self,
        hass: HomeAssistant,
        entry: DiySolarConfigEntry,
        client: Pi30Client,
        ledger: WriteLedger,
    ) -> None:
        super().__init__(hass, entry)
        self.client = client
        self.ledger = ledger
        self.profiles = Profiles(hass, entry.entry_id)

    async def _async_setup(self) -> None:
        await self.profiles.async_load()
        try:
            self.identity = await self.client.get_identity()
            await self.client.read_capabilities()
            self.unit_count = await self._count_units()
            self._rated_at = utcnow()
        except Pi30Error as err:
            raise translated(UpdateFailed, "communication_error", err) from err

    async def _count_units(self) -> int:
        """How many units answer QPGSn as part of a parallel system; 0 for a single unit.
        Asked only of a unit whose output mode (QPIRI) is not "single": most single units
        ignore QPGS, and each would cost a timeout."""
        assert self.client.capabilities is not None
        rated = self.client.capabilities.rated
        if not rated.output_mode:
            return 0
        most = rated.parallel_max_num or MAX_PARALLEL
        count = 0
        for index in range(min(most, MAX_PARALLEL)):
            try:
                unit = await self.client.get_parallel(index)
            except Pi30Error:
                break
            if not unit.parallel_exists:
                break
            count += 1
        return count if count > 1 else 0

    async def _async_update_data(self) -> Pi30Data:
        try:
            now = utcnow()
            if self.client.capabilities is None:
                await self.client.read_capabilities()
                self._rated_at = now
            elif self._rated_at is None or now - self._rated_at >= RATED_REFRESH:
                await self.client.get_rated()
                self._rated_at = now
            status = await self.client.get_status()
            mode = await self.client.get_mode()
            warnings = await self.client.get_warnings()
            units = tuple([await self.client.get_parallel(n) for n in range(self.unit_count)])
        except Pi30Error as err:
            raise translated(UpdateFailed, "communication_error", err) from err
        # Taken last: a setter takes turns with the poll on the line, and one confirmed
        # while the poll ran has updated them (taken first, the poll would undo it).
        capabilities = self.client.capabilities
        assert capabilities is not None  # read at the start of the poll or before
        return Pi30Data(
            status=status,
            mode=mode,
            warnings=warnings,
            capabilities=capabilities,
            sampled_at=utcnow(),
            units=units,
        )

    def _unit_identifier(self, serial: str) -> tuple[str, str]:
        return (DOMAIN, f"{self.device_key}-unit-{serial}")

    def unit_identifiers(self) -> set[tuple[str, str]]:
        return {self._unit_identifier(unit.serial_number) for unit in self.data.units}

    def subject(self, unit: int | None = None) -> Any:
        if unit is None:
            return self.data
        units = self.data.units
        return units[unit] if unit < len(units) else None

    def device_info(self, unit: int | None = None) -> DeviceInfo:
        if unit is not None:
            serial = self.data.units[unit].serial_number
            return DeviceInfo(
                identifiers={self._unit_identifier(serial)},
                manufacturer="Voltronic Power",
                model="PI30 inverter in a parallel system",
                name=f"{self.config_entry.title} unit {unit + 1}",
                serial_number=serial,
                via_device=(DOMAIN, self.device_key),
            )
        rated = self.data.capabilities.rated
        return DeviceInfo(
            identifiers={(DOMAIN, self.device_key)},
            manufacturer="Voltronic Power",
            model=f"PI30 inverter {rated.ac_output_rating_active_power} W",
            name=self.config_entry.title,
            serial_number=self.identity.serial_number,
            sw_version=self.identity.firmware_version,
        )

    async def async_profile_settings(self) -> dict[str, float]:
        try:
            await self.client.get_rated()
        except Pi30Error as err:
            raise translated(HomeAssistantError, "communication_error", err) from err
        capabilities = self.client.capabilities
        assert capabilities is not None  # read at set-up
        return {
            key.value: value
            for key in SettingKey
            if capabilities.allowed(key) is not None
            and (value := capabilities.current_value(key)) is not None
        }

    def profile_kinds(self) -> dict[str, Kind]:
        return {key.value: _KINDS.get(key, Kind.OTHER) for key in SettingKey}

    async def async_apply_setting(self, key: str, value: float) -> None:
        await self.async_set(SettingKey(key), value)

    async def async_set(self, key: SettingKey, value: float) -> None:
        """Write a setting; the driver checks it and confirms it by re-reading QPIRI."""
        await self._async_write(self.client.set_setting(key, value))
        if self.client.capabilities is not None:
            self.async_set_updated_data(replace(self.data, capabilities=self.client.capabilities))

    async def async_set_unit_charge_current(self, unit: int, amps: float) -> None:
        """One parallel unit's maximum charge current, confirmed by its QPGSn."""
        await self._async_write(self.client.set_unit_charge_current(unit, amps))
        await self.async_request_refresh()

    async def _async_write(self, write: Awaitable[bool]) -> None:
        sent_before = self.client.writes.sent
        try:
            await write
        except Pi30ValueError as err:
            raise translated(ServiceValidationError, "value_not_allowed", err) from err
        except (Pi30RejectedError, Pi30ConnectionError) as err:
            raise translated(HomeAssistantError, "write_rejected", err) from err
        except Pi30Error as err:
            raise translated(HomeAssistantError, "communication_error", err) from err
        finally:
            # The inverter keeps every accepted setting in EEPROM.
            if sent := self.client.writes.sent - sent_before:
                self.ledger.add(sent)

    async def async_close(self) -> None:
        await self.client.close()
        await self.ledger.async_flush()

    def diagnostics(self) -> dict[str, Any]:
        data, client = self.data, self.client
        return {
            "identity": asdict(self.identity),
            "status": asdict(data.status),
            "mode": data.mode.value,
            "warnings": list(data.warnings.active),
            "rated": asdict(data.capabilities.rated),
            "parallel_units": [asdict(unit) for unit in data.units],
            "charge_currents": _maybe(data.capabilities.charge_currents),
            "utility_charge_currents": _maybe(data.capabilities.utility_charge_currents),
            "writes": asdict(client.writes),
            "eeprom_writes": self.ledger.count,
            # QID's frame is the serial number itself.
            "raw_frames": {
                cmd: frame.hex(" ") for cmd, frame in client.raw_frames.items() if cmd != "QID"
            },
        }


def _maybe(options: CurrentOptions | None) -> dict[str, Any] | None:
    return None if options is None else asdict(options)


def coordinator_of(entry: DiySolarConfigEntry) -> Pi30Coordinator:
    """The entry's coordinator, typed: entries of this device kind carry this one."""
    return cast(Pi30Coordinator, entry.runtime_data.coordinator)
