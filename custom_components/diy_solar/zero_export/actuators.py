"""What zero export drives, each read back from the device every run.

A DIY Solar device is driven through its coordinator, so every write goes through the
driver's checks, read-back and EEPROM ledger: a BIC-2200 is one actuator that charges or
discharges, an NPB a charger, each Lumentree unit a discharger. Any other integration's
number (W, kW or A) or switch of a fixed power is driven through its entity services and
read back from its state.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    ATTR_ENTITY_ID,
    STATE_ON,
    STATE_UNAVAILABLE,
    UnitOfElectricCurrent,
    UnitOfPower,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from ..const import CONF_DEVICE_TYPE, DOMAIN, DeviceType
from ..drivers.meanwell import Family, Setting
from ..lumentree.coordinator import LumentreeCoordinator, unit_identifier
from ..meanwell.coordinator import MeanWellCoordinator
from ..policies.switching import SwitchSettings, switch_on

# Below this current a Mean Well is switched off rather than set: its output cannot be
# set to nothing, only off.
MIN_AMPS = 1.0
# The device kinds zero export drives through their own coordinators.
DRIVEN = {DeviceType.MEANWELL_BIC, DeviceType.MEANWELL_NPB, DeviceType.LUMENTREE}
# Current changes smaller than this are not written (each write may wear the EEPROM).
AMPS_STEP = 0.05


class ZeroExportActuator(ABC):
    """One thing zero export drives. Watts are magnitudes: charge_w from the grid side into
    the battery, discharge_w out of it; never both."""

    charges = True
    discharges = False
    # Read back right after every write (a DIY Solar device's coordinator refreshes then),
    # so what it shows is never a write still on its way.
    confirms_writes = False

    def __init__(self, key: str, label: str) -> None:
        self.key = key  # what its writes are counted and its failures logged by
        self.label = label

    @property
    def charge_name(self) -> str:
        return f"{self.key}:charge"

    @property
    def discharge_name(self) -> str:
        return f"{self.key}:discharge"

    @abstractmethod
    def limits(self) -> tuple[float, float]:
        """The most it can charge and discharge now (0 when it cannot be driven)."""

    def least(self) -> tuple[float, float]:
        """The least it can charge and discharge when it runs at all."""
        return 0.0, 0.0

    @abstractmethod
    def doing(self) -> tuple[float, float] | None:
        """(charge, discharge) watts it does now, read back; None if it cannot be read."""

    @abstractmethod
    async def async_apply(self, charge_w: float, discharge_w: float, *, stop: bool) -> int:
        """Make it do this; how many writes that took (0: it already did). stop: a safe
        state is wanted now, whatever keeps it running otherwise."""


class MeanWellActuator(ZeroExportActuator):
    """A BIC-2200 (both ways) or an NPB (charging), in watts at its own output voltage.

    0 W is output off. The BIC changes direction with its output off: off, direction,
    current, on; so it never charges and discharges at once.
    """

    confirms_writes = True

    def __init__(self, coordinator: MeanWellCoordinator) -> None:
        entry = coordinator.config_entry
        super().__init__(f"device:{entry.entry_id}", entry.title)
        self.coordinator = coordinator
        self.discharges = coordinator.family is Family.BIC

    def _volts(self) -> float | None:
        data = self.coordinator.data
        if data is None or not self.coordinator.last_update_success:
            return None
        return data.readings.output_voltage or None

    def limits(self) -> tuple[float, float]:
        volts = self._volts()
        if volts is None:
            return 0.0, 0.0
        charge = self.coordinator.allowed(Setting.CHARGE_CURRENT).maximum * volts
        discharge = (
            self.coordinator.allowed(Setting.DISCHARGE_CURRENT).maximum * volts
            if self.discharges
            else 0.0
        )
        return charge, discharge

    def least(self) -> tuple[float, float]:
        volts = self._volts() or 0.0

        def amps(setting: Setting) -> float:
            return max(MIN_AMPS, self.coordinator.allowed(setting).minimum)

        discharge = amps(Setting.DISCHARGE_CURRENT) if self.discharges else 0.0
        return amps(Setting.CHARGE_CURRENT) * volts, discharge * volts

    def doing(self) -> tuple[float, float] | None:
        volts = self._volts()
        if volts is None:
            return None
        readings = self.coordinator.data.readings
        if not readings.output_on:
            return 0.0, 0.0
        if readings.discharging:
            amps = self.coordinator.setting_value(Setting.DISCHARGE_CURRENT) or 0.0
            return 0.0, round(amps * volts, 1)
        amps = self.coordinator.setting_value(Setting.CHARGE_CURRENT) or 0.0
        return round(amps * volts, 1), 0.0

    async def async_apply(self, charge_w: float, discharge_w: float, *, stop: bool) -> int:
        coordinator, volts = self.coordinator, self._volts()
        if volts is None:
            return 0
        discharge = self.discharges and discharge_w > 0
        amps = (discharge_w if discharge else charge_w) / volts
        writes = 0
        on = coordinator.data.readings.output_on
        if amps < MIN_AMPS:
            if on:
                await coordinator.async_set_output(False)
                writes += 1
            return writes
        if self.discharges and bool(coordinator.data.readings.discharging) != discharge:
            if on:
                await coordinator.async_set_output(False)
                writes += 1
            await coordinator.async_set_discharging(discharge)
            writes += 1
        setting = Setting.DISCHARGE_CURRENT if discharge else Setting.CHARGE_CURRENT
        allowed = coordinator.allowed(setting)
        amps = round(min(allowed.maximum, max(allowed.minimum, amps)), 2)
        now = coordinator.setting_value(setting)
        if now is None or abs(now - amps) >= AMPS_STEP:
            await coordinator.async_set(setting, amps)
            writes += 1
        if not coordinator.data.readings.output_on:
            await coordinator.async_set_output(True)
            writes += 1
        return writes


class LumentreeActuator(ZeroExportActuator):
    """One Lumentree unit: told watts, read back by the output power it measures (its
    power register cannot be read)."""

    charges = False
    discharges = True

    def __init__(self, coordinator: LumentreeCoordinator, unit: int) -> None:
        entry = coordinator.config_entry
        super().__init__(f"device:{entry.entry_id}:{unit}", f"{entry.title} unit {unit}")
        self.coordinator = coordinator
        self.unit = unit

    def limits(self) -> tuple[float, float]:
        if self.doing() is None:
            return 0.0, 0.0
        return 0.0, float(self.coordinator.client.max_power)

    def doing(self) -> tuple[float, float] | None:
        data = self.coordinator.data
        readings = data.units.get(self.unit) if data is not None else None
        return None if readings is None else (0.0, readings.output_power)

    async def async_apply(self, charge_w: float, discharge_w: float, *, stop: bool) -> int:
        watts = round(discharge_w)
        if self.coordinator.client.commanded.get(self.unit) == watts:
            return 0
        await self.coordinator.async_set_power(self.unit, watts)
        return 1


class EntityActuator(ZeroExportActuator):
    """Another integration's number in W, kW or A (amps at the battery voltage given)."""

    def __init__(
        self,
        hass: HomeAssistant,
        entity_id: str,
        *,
        discharger: bool,
        volts: float | None,
    ) -> None:
        super().__init__(entity_id, entity_id)
        self.hass = hass
        self.charges, self.discharges = not discharger, discharger
        self._volts = volts

    def _scale(self) -> float | None:
        """Watts per unit of the number."""
        state = self.hass.states.get(self.key)
        if state is None or state.state == STATE_UNAVAILABLE:
            return None
        unit = state.attributes.get("unit_of_measurement")
        if unit == UnitOfElectricCurrent.AMPERE:
            return self._volts
        return 1000.0 if unit == UnitOfPower.KILO_WATT else 1.0

    def _side(self, watts: float) -> tuple[float, float]:
        return (0.0, watts) if self.discharges else (watts, 0.0)

    def limits(self) -> tuple[float, float]:
        scale = self._scale()
        state = self.hass.states.get(self.key)
        if scale is None or state is None:
            return 0.0, 0.0
        return self._side(float(state.attributes.get("max", 0)) * scale)

    def doing(self) -> tuple[float, float] | None:
        scale = self._scale()
        state = self.hass.states.get(self.key)
        if scale is None or state is None:
            return None
        try:
            return self._side(float(state.state) * scale)
        except ValueError:
            return None

    async def async_apply(self, charge_w: float, discharge_w: float, *, stop: bool) -> int:
        scale = self._scale()
        state = self.hass.states.get(self.key)
        if scale is None or state is None:
            return 0
        watts = discharge_w if self.discharges else charge_w
        low = float(state.attributes.get("min", 0))
        high = float(state.attributes.get("max", watts / scale))
        value = round(min(high, max(low, watts / scale)), 2)
        await self.hass.services.async_call(
            "number", "set_value", {ATTR_ENTITY_ID: self.key, "value": value}, blocking=True
        )
        return 1


class SwitchActuator(ZeroExportActuator):
    """A charger of one fixed power behind a switch, with hysteresis and minimum times."""

    def __init__(
        self,
        hass: HomeAssistant,
        entity_id: str,
        settings: SwitchSettings,
        now: float,
    ) -> None:
        super().__init__(entity_id, entity_id)
        self.hass = hass
        self.settings = settings
        self._now = now

    def limits(self) -> tuple[float, float]:
        return (self.settings.power_w, 0.0) if self.doing() is not None else (0.0, 0.0)

    def doing(self) -> tuple[float, float] | None:
        state = self.hass.states.get(self.key)
        if state is None or state.state == STATE_UNAVAILABLE:
            return None
        return (self.settings.power_w if state.state == STATE_ON else 0.0), 0.0

    async def async_apply(self, charge_w: float, discharge_w: float, *, stop: bool) -> int:
        state = self.hass.states.get(self.key)
        if state is None or state.state == STATE_UNAVAILABLE:
            return 0
        on = state.state == STATE_ON
        since = self._now - state.last_changed.timestamp()
        wanted = not stop and switch_on(self.settings, on, charge_w, since)
        if wanted == on:
            return 0
        service = "turn_on" if wanted else "turn_off"
        await self.hass.services.async_call(
            "switch", service, {ATTR_ENTITY_ID: self.key}, blocking=True
        )
        return 1


def device_actuators(hass: HomeAssistant, device_id: str) -> list[ZeroExportActuator]:
    """The actuator of a DIY Solar device (none while its entry is not loaded)."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        return []
    for entry_id in device.config_entries:
        entry = hass.config_entries.async_get_entry(entry_id)
        if entry is None or entry.domain != DOMAIN or entry.state is not ConfigEntryState.LOADED:
            continue
        coordinator = entry.runtime_data.coordinator
        if isinstance(coordinator, MeanWellCoordinator):
            return [MeanWellActuator(coordinator)]
        if isinstance(coordinator, LumentreeCoordinator):
            return [
                LumentreeActuator(coordinator, unit)
                for unit in coordinator.client.slaves
                if unit_identifier(coordinator.device_key, unit) in device.identifiers
            ]
    return []


def device_kinds(hass: HomeAssistant, device_id: str) -> set[str]:
    """The kinds of the DIY Solar entries a device belongs to (none: not ours)."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        return set()
    return {
        str(entry.data.get(CONF_DEVICE_TYPE))
        for entry_id in device.config_entries
        if (entry := hass.config_entries.async_get_entry(entry_id)) is not None
        and entry.domain == DOMAIN
    }


def can_drive(hass: HomeAssistant, device_id: str) -> bool:
    """A device zero export can drive: a Mean Well charger or a Lumentree unit."""
    return bool(device_kinds(hass, device_id) & DRIVEN)
