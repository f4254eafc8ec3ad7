"""Runs the zero-export controller inside Home Assistant.

It reads the grid meter's state (on every change, and every second for staleness),
feeds policies.zero_export, and writes only through entity services (number.set_value,
switch.turn_on/off), so it drives our chargers and dischargers or any other
integration's. Its state, pause and target override are stored, so a restart resumes
where it stopped.
"""

from __future__ import annotations

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
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.event import (
    async_track_state_change_event,
)
from homeassistant.util import dt as dt_util

from ..const import (
    CONF_CHARGERS,
    CONF_DISCHARGERS,
    CONF_GRID_SENSOR,
    CONF_IMPORT_NEGATIVE,
    CONF_SOC_SENSOR,
    CONF_SWITCH_POWER,
    CONF_VOLTAGE_SENSOR,
)
from ..policies.zero_export import (
    Actuator,
    Reading,
    Settings,
    State,
    Status,
    safe_stop,
    step,
)
from ..policy_runner import PolicyRunner, sensor_value
from ..runtime import DiySolarConfigEntry
from .settings import TUNABLES, build_settings


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


def _number(hass: HomeAssistant, entity_id: str | None) -> float | None:
    reading = sensor_value(hass, entity_id, 0.0)
    return None if reading is None else reading[0]


class ZeroExportRunner(PolicyRunner[ZeroExportData]):
    model = "Zero export controller"
    tick = timedelta(seconds=1)  # for staleness and expiries; the meter drives the rest

    def __init__(self, hass: HomeAssistant, entry: DiySolarConfigEntry) -> None:
        super().__init__(hass, entry)
        self.state = State()
        self.enabled = True
        self.paused_until: float | None = None
        self.override: tuple[float, float] | None = None  # (watts, until)
        self.tunables = dict(TUNABLES)
        self.settings = Settings()

    async def _async_setup(self) -> None:
        await super()._async_setup()
        self.unsubscribe.append(
            async_track_state_change_event(
                self.hass, [self.options[CONF_GRID_SENSOR]], self._on_meter
            )
        )

    def restore(self, stored: dict[str, Any]) -> None:
        if "state" in stored:
            self.state = State.from_dict(stored["state"])
        self.enabled = stored.get("enabled", True)
        self.paused_until = stored.get("paused_until")
        override = stored.get("override")
        self.override = (override[0], override[1]) if override else None
        self.tunables |= stored.get("tunables", {})

    # -- what is stored and shown ---------------------------------------------------------

    def stored(self) -> dict[str, Any]:
        return {
            "state": self.state.to_dict(),
            "enabled": self.enabled,
            "paused_until": self.paused_until,
            "override": list(self.override) if self.override else None,
            "tunables": self.tunables,
        }

    def snapshot(self) -> ZeroExportData:
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
            soc=_number(self.hass, self.options.get(CONF_SOC_SENSOR)),
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
            volts = _number(self.hass, self.options.get(CONF_VOLTAGE_SENSOR))
            return Actuator(entity_id, maximum * volts if volts else 0.0)
        if state.attributes.get("unit_of_measurement") == UnitOfPower.KILO_WATT:
            maximum *= 1000
        return Actuator(entity_id, maximum)

    # -- the loop -------------------------------------------------------------------------

    @callback
    def _on_meter(self, event: Event[Any]) -> None:
        self.hass.async_create_task(self.async_run(), eager_start=True)

    async def async_act(self, now: float) -> None:
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
        self.state = decision.state
        if decision.commands is not None:
            await self._async_write(decision.commands)
        meter = str(self.options[CONF_GRID_SENSOR])
        self.issue("stale_meter", self.state.status is Status.STALE_METER, meter=meter)

    async def _async_write(self, commands: dict[str, float]) -> None:
        volts = _number(self.hass, self.options.get(CONF_VOLTAGE_SENSOR))
        for entity_id, watts in commands.items():
            state = self.hass.states.get(entity_id)
            if state is None:
                continue
            if entity_id.startswith("switch."):
                power = float(self.options.get(CONF_SWITCH_POWER, 0))
                service = "turn_on" if power and watts >= power / 2 else "turn_off"
                await self.async_write("switch", service, {ATTR_ENTITY_ID: entity_id})
                continue
            value = watts
            unit = state.attributes.get("unit_of_measurement")
            if unit == UnitOfElectricCurrent.AMPERE:
                value = round(watts / volts, 2) if volts else 0.0
            elif unit == UnitOfPower.KILO_WATT:
                value = watts / 1000
            low = float(state.attributes.get("min", 0))
            high = float(state.attributes.get("max", value))
            await self.async_write(
                "number",
                "set_value",
                {ATTR_ENTITY_ID: entity_id, "value": min(high, max(low, value))},
            )

    # -- what entities and services change --------------------------------------------------

    async def async_set_enabled(self, enabled: bool) -> None:
        self.enabled = enabled
        await self.async_run(action=True)

    async def async_set_tunable(self, key: str, value: float) -> None:
        self.tunables[key] = value
        await self.async_run(action=True)

    async def async_pause(self, duration: timedelta) -> None:
        self.paused_until = dt_util.utcnow().timestamp() + duration.total_seconds()
        await self.async_run(action=True)

    async def async_resume(self) -> None:
        self.paused_until = None
        await self.async_run(action=True)

    async def async_set_target(self, watts: float, duration: timedelta) -> None:
        self.override = (watts, dt_util.utcnow().timestamp() + duration.total_seconds())
        await self.async_run(action=True)

    def diagnostics(self) -> dict[str, Any]:
        return {**super().diagnostics(), "settings": asdict(self.settings)}


def runner_of(entry: DiySolarConfigEntry) -> ZeroExportRunner:
    return cast(ZeroExportRunner, entry.runtime_data.coordinator)
