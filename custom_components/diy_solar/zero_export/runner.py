"""Runs the zero-export controller inside Home Assistant.

It reads the grid meter's state (on every change, and every second for staleness),
feeds policies.zero_export, and writes only through entity services (number.set_value,
switch.turn_on/off), so it drives our chargers and dischargers or any other
integration's. Its state, pause and target override are stored, so a restart resumes
where it stopped.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from homeassistant.const import (
    ATTR_ENTITY_ID,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    UnitOfElectricCurrent,
    UnitOfPower,
)
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.event import (
    async_track_state_change_event,
    async_track_time_interval,
)
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..const import (
    CONF_CHARGERS,
    CONF_DISCHARGERS,
    CONF_GRID_SENSOR,
    CONF_IMPORT_NEGATIVE,
    CONF_SOC_SENSOR,
    CONF_SWITCH_POWER,
    CONF_VOLTAGE_SENSOR,
    DOMAIN,
    LOGGER,
)
from ..coordinator import DeviceCoordinator
from ..policies.zero_export import (
    Actuator,
    Decision,
    Reading,
    Settings,
    State,
    Status,
    safe_stop,
    step,
)
from ..repairs import set_issue
from ..runtime import DiySolarConfigEntry
from .settings import TUNABLES, build_settings

STORAGE_VERSION = 1
TICK = timedelta(seconds=1)


@dataclass(frozen=True)
class ZeroExportData:
    """What the policy's entities show."""

    status: Status
    target_w: float
    command_w: float
    writes: int
    enabled: bool
    paused_until: datetime | None
    override_until: datetime | None
    tunables: dict[str, float]


def _float(hass: HomeAssistant, entity_id: str | None) -> float | None:
    if not entity_id:
        return None
    state = hass.states.get(entity_id)
    if state is None or state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
        return None
    try:
        return float(state.state)
    except ValueError:
        return None


class ZeroExportRunner(DeviceCoordinator[ZeroExportData]):
    def __init__(self, hass: HomeAssistant, entry: DiySolarConfigEntry) -> None:
        super().__init__(hass, entry)
        self.update_interval = None  # driven by the meter and a 1 s tick, not polled
        self.options = {**entry.data, **entry.options}
        self._store = _store(hass, entry.entry_id)
        self.state = State()
        self.enabled = True
        self.paused_until: float | None = None
        self.override: tuple[float, float] | None = None  # (watts, until)
        self.tunables = dict(TUNABLES)
        self.settings = Settings()
        self._unsubscribe: list[CALLBACK_TYPE] = []
        # The meter and the tick both start runs; one decision at a time.
        self._lock = asyncio.Lock()

    # -- lifecycle ------------------------------------------------------------------------

    async def _async_setup(self) -> None:
        stored = await self._store.async_load() or {}
        if "state" in stored:
            self.state = State.from_dict(stored["state"])
        self.enabled = stored.get("enabled", True)
        self.paused_until = stored.get("paused_until")
        override = stored.get("override")
        self.override = (override[0], override[1]) if override else None
        self.tunables |= stored.get("tunables", {})
        self._unsubscribe = [
            async_track_state_change_event(
                self.hass, [self.options[CONF_GRID_SENSOR]], self._on_meter
            ),
            async_track_time_interval(self.hass, self._on_tick, TICK),
        ]

    async def _async_update_data(self) -> ZeroExportData:
        await self._async_run()
        return self._snapshot()

    async def async_close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        await self._store.async_save(self._stored())

    # -- what is stored and shown ---------------------------------------------------------

    def _stored(self) -> dict[str, Any]:
        return {
            "state": self.state.to_dict(),
            "enabled": self.enabled,
            "paused_until": self.paused_until,
            "override": list(self.override) if self.override else None,
            "tunables": self.tunables,
        }

    def _snapshot(self) -> ZeroExportData:
        def when(ts: float | None) -> datetime | None:
            return None if ts is None else dt_util.utc_from_timestamp(ts)

        return ZeroExportData(
            status=self.state.status,
            target_w=self._target(),
            command_w=self.state.command_w,
            writes=self.state.writes,
            enabled=self.enabled,
            paused_until=when(self.paused_until),
            override_until=when(self.override[1] if self.override else None),
            tunables=dict(self.tunables),
        )

    def _target(self) -> float:
        return self.override[0] if self.override else self.tunables["target"]

    # -- inputs ---------------------------------------------------------------------------

    def _reading(self, now: float) -> Reading:
        state = self.hass.states.get(self.options[CONF_GRID_SENSOR])
        grid = sample_at = None
        if state is not None and state.state not in (STATE_UNAVAILABLE, STATE_UNKNOWN):
            try:
                grid = float(state.state)
            except ValueError:
                grid = None
            else:
                if state.attributes.get("unit_of_measurement") == UnitOfPower.KILO_WATT:
                    grid *= 1000
                if self.options.get(CONF_IMPORT_NEGATIVE):
                    grid = -grid
                sample_at = max(state.last_updated, state.last_reported).timestamp()
        local = dt_util.as_local(dt_util.utc_from_timestamp(now))
        return Reading(
            now=now,
            minute_of_day=local.hour * 60 + local.minute,
            grid_w=grid,
            sample_at=sample_at,
            soc=_float(self.hass, self.options.get(CONF_SOC_SENSOR)),
        )

    def _actuators(self) -> tuple[tuple[Actuator, ...], tuple[Actuator, ...]]:
        """Chargers and dischargers with the most each may be told, in watts."""
        return (
            tuple(self._actuator(e) for e in self.options.get(CONF_CHARGERS, [])),
            tuple(self._actuator(e) for e in self.options.get(CONF_DISCHARGERS, [])),
        )

    def _actuator(self, entity_id: str) -> Actuator:
        state = self.hass.states.get(entity_id)
        if state is None or state.state == STATE_UNAVAILABLE:
            return Actuator(entity_id, 0.0)  # nothing can be sent to it now
        if entity_id.startswith("switch."):
            return Actuator(entity_id, float(self.options.get(CONF_SWITCH_POWER, 0)))
        maximum = float(state.attributes.get("max", 0))
        if state.attributes.get("unit_of_measurement") == UnitOfElectricCurrent.AMPERE:
            volts = _float(self.hass, self.options.get(CONF_VOLTAGE_SENSOR))
            return Actuator(entity_id, maximum * volts if volts else 0.0)
        if state.attributes.get("unit_of_measurement") == UnitOfPower.KILO_WATT:
            maximum *= 1000
        return Actuator(entity_id, maximum)

    # -- the loop -------------------------------------------------------------------------

    @callback
    def _on_meter(self, event: Event[Any]) -> None:
        self.hass.async_create_task(self._async_run(), eager_start=True)

    @callback
    def _on_tick(self, _now: datetime) -> None:
        self.hass.async_create_task(self._async_run(), eager_start=True)

    async def _async_run(self) -> None:
        async with self._lock:
            await self._async_decide()

    async def _async_decide(self) -> None:
        now = dt_util.utcnow().timestamp()
        if self.paused_until is not None and now >= self.paused_until:
            self.paused_until = None
        if self.override is not None and now >= self.override[1]:
            self.override = None
        chargers, dischargers = self._actuators()
        self.settings = build_settings(
            self.options, self.tunables | {"target": self._target()}, chargers, dischargers
        )
        reading = self._reading(now)
        if not self.enabled:
            decision = safe_stop(self.settings, self.state, reading, Status.DISABLED)
        elif self.paused_until is not None:
            decision = safe_stop(self.settings, self.state, reading, Status.PAUSED)
        else:
            decision = step(self.settings, self.state, reading)
        await self._async_apply(decision)

    async def _async_apply(self, decision: Decision) -> None:
        before = self._snapshot()
        self.state = decision.state
        if decision.commands is not None:
            await self._async_write(decision.commands)
        self._repair(self.state.status is Status.STALE_METER)
        snapshot = self._snapshot()
        if decision.commands is not None or snapshot != before:
            self._store.async_delay_save(self._stored, 1)
        if snapshot != self.data:
            self.async_set_updated_data(snapshot)

    async def _async_write(self, commands: dict[str, float]) -> None:
        volts = _float(self.hass, self.options.get(CONF_VOLTAGE_SENSOR))
        for entity_id, watts in commands.items():
            state = self.hass.states.get(entity_id)
            if state is None:
                continue
            try:
                if entity_id.startswith("switch."):
                    power = float(self.options.get(CONF_SWITCH_POWER, 0))
                    service = "turn_on" if power and watts >= power / 2 else "turn_off"
                    await self.hass.services.async_call(
                        "switch", service, {ATTR_ENTITY_ID: entity_id}, blocking=True
                    )
                    continue
                value = watts
                unit = state.attributes.get("unit_of_measurement")
                if unit == UnitOfElectricCurrent.AMPERE:
                    value = round(watts / volts, 2) if volts else 0.0
                elif unit == UnitOfPower.KILO_WATT:
                    value = watts / 1000
                low = float(state.attributes.get("min", 0))
                high = float(state.attributes.get("max", value))
                await self.hass.services.async_call(
                    "number",
                    "set_value",
                    {ATTR_ENTITY_ID: entity_id, "value": min(high, max(low, value))},
                    blocking=True,
                )
            except HomeAssistantError as err:
                LOGGER.warning("%s: writing %s failed: %s", self.config_entry.title, entity_id, err)

    def _repair(self, stale: bool) -> None:
        entry = self.config_entry
        meter = str(self.options[CONF_GRID_SENSOR])
        set_issue(
            self.hass, "stale_meter", entry.entry_id, stale, {"name": entry.title, "meter": meter}
        )

    # -- what entities and services change --------------------------------------------------

    async def async_set_enabled(self, enabled: bool) -> None:
        self.enabled = enabled
        await self._async_run()

    async def async_set_tunable(self, key: str, value: float) -> None:
        self.tunables[key] = value
        await self._async_run()

    async def async_pause(self, duration: timedelta) -> None:
        self.paused_until = dt_util.utcnow().timestamp() + duration.total_seconds()
        await self._async_run()

    async def async_resume(self) -> None:
        self.paused_until = None
        await self._async_run()

    async def async_set_target(self, watts: float, duration: timedelta) -> None:
        self.override = (watts, dt_util.utcnow().timestamp() + duration.total_seconds())
        await self._async_run()

    # -- DeviceCoordinator ----------------------------------------------------------------

    def device_info(self, unit: int | None = None) -> DeviceInfo:
        return DeviceInfo(
            identifiers={(DOMAIN, self.device_key)},
            manufacturer="DIY Solar",
            model="Zero export controller",
            name=self.config_entry.title,
            entry_type=DeviceEntryType.SERVICE,
        )

    def diagnostics(self) -> dict[str, Any]:
        return {"stored": self._stored(), "settings": asdict(self.settings)}


def _store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.zero_export.{entry_id}")


async def async_remove_policy_state(hass: HomeAssistant, entry_id: str) -> None:
    await _store(hass, entry_id).async_remove()
    set_issue(hass, "stale_meter", entry_id, False, {})


def runner_of(entry: DiySolarConfigEntry) -> ZeroExportRunner:
    return cast(ZeroExportRunner, entry.runtime_data.coordinator)
