"""Runs the zero-export controller inside Home Assistant.

It reads the grid meter's state (on every change, and every second for staleness) and
what every actuator is doing (read back from the device), feeds policies.zero_export,
and writes through the actuators: our devices through their coordinators, any other
integration's numbers and switches through their services. Its state, pause, target
override and write budget are stored, so a restart resumes where it stopped.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from homeassistant.const import (
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    UnitOfPower,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.event import (
    async_track_state_change_event,
)
from homeassistant.util import dt as dt_util

from ..const import (
    CONF_CELL_MAX_SENSOR,
    CONF_CELL_MIN_SENSOR,
    CONF_CHARGERS,
    CONF_DEVICES,
    CONF_DISCHARGERS,
    CONF_GRID_SENSOR,
    CONF_IMPORT_NEGATIVE,
    CONF_SOC_SENSOR,
    CONF_SWITCH_MIN_OFF,
    CONF_SWITCH_MIN_ON,
    CONF_SWITCH_POWER,
    CONF_TEMPERATURE_SENSORS,
    CONF_VOLTAGE_SENSOR,
    CONF_WRITE_BUDGET,
    DEFAULT_WRITE_BUDGET,
)
from ..forms import option
from ..policies.budget import WriteBudget
from ..policies.switching import SwitchSettings
from ..policies.zero_export import (
    MIN_CHANGE_W,
    Actuator,
    Reading,
    Settings,
    State,
    Status,
    observe,
    safe_stop,
    step,
)
from ..policy_runner import PolicyRunner, sensor_value
from ..runtime import DiySolarConfigEntry
from .actuators import EntityActuator, SwitchActuator, ZeroExportActuator, device_actuators
from .settings import TUNABLES, build_settings

# Statuses in which every actuator must reach its safe state now (a switched charger too,
# whatever its minimum on time).
STOPPED = {
    Status.STALE_METER,
    Status.PAUSED,
    Status.DISABLED,
    Status.SOC_LIMIT,
    Status.CELL_LIMIT,
    Status.TEMPERATURE_LIMIT,
    Status.BMS_STALE,
    Status.WRITE_BUDGET,
}


@dataclass(frozen=True)
class ZeroExportData:
    """What the policy's entities show."""

    status: Status
    target_w: float
    command_w: float
    writes: int
    corrections: int
    enabled: bool
    paused_until: datetime | None
    override_until: datetime | None
    tunables: dict[str, float]


def _number(hass: HomeAssistant, entity_id: str | None) -> float | None:
    reading = sensor_value(hass, entity_id, 0.0)
    return None if reading is None else reading[0]


class ZeroExportRunner(PolicyRunner[ZeroExportData]):
    model = "Zero export controller"
    state: State
    tick = timedelta(seconds=1)  # for staleness and expiries; the meter drives the rest

    def __init__(self, hass: HomeAssistant, entry: DiySolarConfigEntry) -> None:
        super().__init__(hass, entry)
        self.state = State()
        self.enabled = True
        self.override: tuple[float, float] | None = None  # (watts, until)
        self.tunables = dict(TUNABLES)
        self.settings = Settings()
        self.budget = WriteBudget()

    async def _async_setup(self) -> None:
        await super()._async_setup()
        self.unsubscribe.append(
            async_track_state_change_event(
                self.hass, [self.options[CONF_GRID_SENSOR]], self._on_meter
            )
        )

    def restore(self, stored: dict[str, Any]) -> None:
        super().restore(stored)
        self.enabled = stored.get("enabled", True)
        override = stored.get("override")
        self.override = (override[0], override[1]) if override else None
        self.tunables |= stored.get("tunables", {})
        self.budget = WriteBudget.from_dict(stored.get("budget", {}))

    # -- what is stored and shown ---------------------------------------------------------

    def stored(self) -> dict[str, Any]:
        return {
            **super().stored(),
            "enabled": self.enabled,
            "override": list(self.override) if self.override else None,
            "tunables": self.tunables,
            "budget": self.budget.to_dict(),
        }

    def snapshot(self) -> ZeroExportData:
        def when(ts: float | None) -> datetime | None:
            return None if ts is None else dt_util.utc_from_timestamp(ts)

        return ZeroExportData(
            status=self.state.status,
            target_w=self._target(),
            command_w=self.state.command_w,
            writes=self.state.writes,
            corrections=self.state.divergences,
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
        high, low = (
            sensor_value(self.hass, self.options.get(key), now)
            for key in (CONF_CELL_MAX_SENSOR, CONF_CELL_MIN_SENSOR)
        )
        temperatures = [
            sensor_value(self.hass, entity_id, now)
            for entity_id in self.options.get(CONF_TEMPERATURE_SENSORS, [])
        ]
        bms = [
            value
            for key, value in ((CONF_CELL_MAX_SENSOR, high), (CONF_CELL_MIN_SENSOR, low))
            if self.options.get(key)
        ] + temperatures
        return Reading(
            now=now,
            minute_of_day=local.hour * 60 + local.minute,
            grid_w=grid,
            sample_at=sample_at,
            soc=_number(self.hass, self.options.get(CONF_SOC_SENSOR)),
            max_cell_v=high[0] if high else None,
            min_cell_v=low[0] if low else None,
            temperatures=tuple(t[0] for t in temperatures if t is not None),
            bms_fresh=all(v is not None and v[1] <= self.settings.stale_after_s for v in bms),
        )

    def _actuators(self, now: float) -> list[ZeroExportActuator]:
        actuators: list[ZeroExportActuator] = []
        for device_id in self.options.get(CONF_DEVICES, []):
            actuators += device_actuators(self.hass, device_id)
        volts = _number(self.hass, self.options.get(CONF_VOLTAGE_SENSOR))
        switch = SwitchSettings(
            power_w=float(self.options.get(CONF_SWITCH_POWER, 0)),
            min_on_s=option(self.options, CONF_SWITCH_MIN_ON, 5, 60),
            min_off_s=option(self.options, CONF_SWITCH_MIN_OFF, 5, 60),
        )
        for entity_id in self.options.get(CONF_CHARGERS, []):
            if entity_id.startswith("switch."):
                actuators.append(SwitchActuator(self.hass, entity_id, switch, now))
            else:
                actuators.append(
                    EntityActuator(self.hass, entity_id, discharger=False, volts=volts)
                )
        actuators += [
            EntityActuator(self.hass, entity_id, discharger=True, volts=volts)
            for entity_id in self.options.get(CONF_DISCHARGERS, [])
        ]
        return actuators

    # -- the loop -------------------------------------------------------------------------

    @callback
    def _on_meter(self, event: Event[Any]) -> None:
        self.hass.async_create_task(self.async_run(), eager_start=True)

    async def async_act(self, now: float) -> None:
        paused = self.paused(now)
        if self.override is not None and now >= self.override[1]:
            self.override = None
        day = dt_util.as_local(dt_util.utc_from_timestamp(now)).date().toordinal()
        budget = int(self.options.get(CONF_WRITE_BUDGET, DEFAULT_WRITE_BUDGET))
        actuators = self._actuators(now)
        spent = [a for a in actuators if self.budget.spent(a.key, day, budget)]
        chargers, dischargers, actual = [], [], {}
        for actuator in actuators:
            most_charge, most_discharge = (0.0, 0.0) if actuator in spent else actuator.limits()
            least_charge, least_discharge = actuator.least()
            if actuator.charges:
                chargers.append(Actuator(actuator.charge_name, most_charge, least_charge))
            if actuator.discharges:
                dischargers.append(
                    Actuator(actuator.discharge_name, most_discharge, least_discharge)
                )
            if (doing := actuator.doing()) is not None:
                actual[actuator.charge_name], actual[actuator.discharge_name] = doing
        self.settings = build_settings(
            self.options,
            self.tunables | {"target": self._target()},
            tuple(chargers),
            tuple(dischargers),
        )
        confirmed = frozenset(
            name
            for actuator in actuators
            if actuator.confirms_writes
            for name in (actuator.charge_name, actuator.discharge_name)
        )
        self.state = observe(self.settings, self.state, actual, now, confirmed)
        before = self.state.commands
        reading = self._reading(now)
        if not self.enabled:
            decision = safe_stop(self.settings, self.state, reading, Status.DISABLED)
        elif paused:
            decision = safe_stop(self.settings, self.state, reading, Status.PAUSED)
        elif spent and len(spent) == len(actuators):
            decision = safe_stop(self.settings, self.state, reading, Status.WRITE_BUDGET)
        else:
            decision = step(self.settings, self.state, reading)
        self.state = decision.state
        if spent and self.state.status is Status.IDLE:
            self.state.status = Status.WRITE_BUDGET  # idle because a device is held
        if decision.commands is not None:
            stop = self.state.status in STOPPED
            for actuator in actuators:
                charge_w = decision.commands.get(actuator.charge_name, 0.0)
                discharge_w = decision.commands.get(actuator.discharge_name, 0.0)
                same = all(
                    abs(before.get(name, 0.0) - watts) < MIN_CHANGE_W
                    for name, watts in (
                        (actuator.charge_name, charge_w),
                        (actuator.discharge_name, discharge_w),
                    )
                )
                if same and not stop:
                    continue
                writes = await self.async_attempt(
                    actuator.label,
                    actuator.async_apply(charge_w, discharge_w, stop=stop or actuator in spent),
                )
                self.budget.spend(actuator.key, day, writes or 0)
        meter = str(self.options[CONF_GRID_SENSOR])
        self.issue("stale_meter", self.state.status is Status.STALE_METER, meter=meter)
        self.issue(
            "write_budget",
            bool(spent),
            devices=", ".join(a.label for a in spent),
            budget=str(budget),
        )

    # -- what entities and services change --------------------------------------------------

    async def async_set_enabled(self, enabled: bool) -> None:
        self.enabled = enabled
        await self.async_run(action=True)

    async def async_set_tunable(self, key: str, value: float) -> None:
        self.tunables[key] = value
        await self.async_run(action=True)

    async def async_set_target(self, watts: float, duration: timedelta) -> None:
        self.override = (watts, dt_util.utcnow().timestamp() + duration.total_seconds())
        await self.async_run(action=True)

    def diagnostics(self) -> dict[str, Any]:
        return {**super().diagnostics(), "settings": asdict(self.settings)}


def runner_of(entry: DiySolarConfigEntry) -> ZeroExportRunner:
    return cast(ZeroExportRunner, entry.runtime_data.coordinator)
