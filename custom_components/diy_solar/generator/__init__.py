"""The generator auto-start policy entry: policies.generator driving a relay switch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.const import STATE_ON, Platform, UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..forms import minute_of_day, option
from ..policies.generator import (
    Reading,
    Reason,
    Settings,
    State,
    Status,
    hold,
    next_exercise_day,
    service_due,
    serviced,
    start_manual,
    status,
    step,
    stop_manual,
)
from ..policies.schedule import Window
from ..policy_runner import sensor_value
from ..relay_runner import RelayPolicyRunner
from ..runtime import DiySolarConfigEntry, RuntimeData, async_start
from ..values import ValueSensorDescription, value_sensors

CONF_SOC_SENSORS = "soc_sensors"
CONF_VOLTAGE = "voltage_sensor"
CONF_RUNNING = "running_sensor"
CONF_RUNNING_VOLTAGE = "running_voltage"
MINUTES = 60.0
HOURS = 3600.0
# Fired once when the run time since the last service reaches the interval.
EVENT_SERVICE_DUE = f"{DOMAIN}_generator_service_due"


def settings_from(options: dict[str, Any]) -> Settings:
    d = Settings()

    opt = partial(option, options)

    quiet_from, quiet_to = (
        minute_of_day(options.get("quiet_from")),
        minute_of_day(options.get("quiet_to")),
    )
    quiet = (
        Window(quiet_from, quiet_to) if quiet_from is not None and quiet_to is not None else None
    )
    return Settings(
        start_soc=opt("start_soc", d.start_soc),
        stop_soc=opt("stop_soc", d.stop_soc),
        quiet_hours=quiet if quiet and quiet.start != quiet.end else None,
        quiet_start_soc=opt("quiet_start_soc", d.quiet_start_soc),
        quiet_stop_soc=opt("quiet_stop_soc", d.quiet_stop_soc),
        start_voltage=options.get("start_voltage"),
        start_voltage_s=opt("start_voltage_time", d.start_voltage_s / MINUTES, MINUTES),
        stop_voltage=options.get("stop_voltage"),
        min_run_s=opt("min_run", d.min_run_s / MINUTES, MINUTES),
        max_run_s=opt("max_run", d.max_run_s / MINUTES, MINUTES),
        critical_soc=options.get("critical_soc", d.critical_soc),
        critical_voltage=options.get("critical_voltage"),
        max_run_hard_s=opt("max_run_hard", d.max_run_hard_s / HOURS, HOURS),
        service_interval_s=opt("service_interval", 0, HOURS),
        cooldown_s=opt("cooldown", d.cooldown_s / MINUTES, MINUTES),
        max_starts_per_day=int(opt("max_starts", d.max_starts_per_day)),
        feedback=bool(options.get(CONF_RUNNING)),
        start_timeout_s=opt("start_timeout", d.start_timeout_s),
        retries=int(opt("retries", d.retries)),
        exercise_days=int(opt("exercise_days", 0)),
        exercise_minute=minute_of_day(options.get("exercise_time")) or d.exercise_minute,
        exercise_s=opt("exercise_duration", d.exercise_s / MINUTES, MINUTES),
        stale_after_s=opt("stale_after", d.stale_after_s / MINUTES, MINUTES),
    )


@dataclass(frozen=True)
class GeneratorData:
    status: Status
    reason: str | None
    run_today_min: float
    total_run_h: float
    starts_today: int
    next_exercise: datetime | None
    relay_on: bool
    service_run_h: float


class GeneratorRunner(RelayPolicyRunner[GeneratorData]):
    model = "Generator auto-start"
    state: State

    def __init__(self, hass: HomeAssistant, entry: DiySolarConfigEntry) -> None:
        super().__init__(hass, entry)
        self.settings = settings_from(self.options)
        self.state = State()
        self._minute = 0

    def _reading(self, now: float) -> Reading:
        local = dt_util.as_local(dt_util.utc_from_timestamp(now))
        self._minute = local.hour * 60 + local.minute
        running: bool | None = None
        if (feedback := self.options.get(CONF_RUNNING)) and (
            state := self.hass.states.get(feedback)
        ):
            if feedback.startswith("binary_sensor."):
                running = state.state == STATE_ON
            else:
                value = sensor_value(self.hass, feedback, now)
                running = value is not None and value[0] >= float(
                    self.options.get(CONF_RUNNING_VOLTAGE, 100)
                )
        return Reading(
            now=now,
            day=local.date().toordinal(),
            minute_of_day=self._minute,
            socs=tuple(sensor_value(self.hass, e, now) for e in self.options[CONF_SOC_SENSORS]),
            voltage=sensor_value(self.hass, self.options.get(CONF_VOLTAGE), now),
            running=running,
        )

    def decide(self, now: float) -> bool:
        if self.paused(now):
            self.state = hold(self.state, self._reading(now))
            return False
        was_due = service_due(self.settings, self.state)
        self.state = step(self.settings, self.state, self._reading(now))
        failed = self.state.phase.value == "failed"
        self.issue("generator_failed", failed, relay=self.relay)
        self.issue("generator_stale", self.state.stale)
        self.issue("generator_extended", self.state.extended)
        due = service_due(self.settings, self.state)
        hours = f"{self.state.service_run_s / HOURS:.0f}"
        self.issue("generator_service_due", due, hours=hours)
        if due and not was_due:
            self.hass.bus.async_fire(
                EVENT_SERVICE_DUE,
                {"config_entry_id": self.config_entry.entry_id, "run_hours": float(hours)},
            )
        return self.state.relay_on

    async def async_serviced(self) -> None:
        self.state = serviced(self.state)
        await self.async_run(action=True)

    def snapshot(self) -> GeneratorData:
        today = dt_util.now().date().toordinal()
        exercise = next_exercise_day(self.settings, self.state, today)
        when = None
        if exercise is not None:
            day = datetime.fromordinal(exercise).replace(tzinfo=dt_util.get_default_time_zone())
            when = day + timedelta(minutes=self.settings.exercise_minute)
        shown = status(self.settings, self.state, self._minute)
        return GeneratorData(
            status=Status.PAUSED if self.paused_until is not None else shown,
            reason=self.state.reason.value if self.state.reason else None,
            run_today_min=round(self.state.run_s_today / 60, 1),
            total_run_h=round(self.state.total_run_s / 3600, 2),
            starts_today=self.state.starts_today,
            next_exercise=when,
            relay_on=self.state.relay_on,
            service_run_h=round(self.state.service_run_s / HOURS, 2),
        )

    async def async_start_manual(self, duration: timedelta) -> None:
        now = dt_util.utcnow().timestamp()
        reading = self._reading(now)
        self.state = start_manual(self.settings, self.state, reading, duration.total_seconds())
        await self.async_run(action=True)

    async def async_stop_manual(self) -> None:
        now = dt_util.utcnow().timestamp()
        self.state = stop_manual(self.state, self._reading(now))
        await self.async_run(action=True)


SENSORS = (
    ValueSensorDescription(
        key="generator_status",
        translation_key="generator_status",
        device_class=SensorDeviceClass.ENUM,
        options=[s.value for s in Status],
        value_fn=lambda d: d.status.value,
    ),
    ValueSensorDescription(
        key="start_reason",
        translation_key="start_reason",
        device_class=SensorDeviceClass.ENUM,
        options=[r.value for r in Reason],
        value_fn=lambda d: d.reason,
    ),
    ValueSensorDescription(
        key="run_time_today",
        translation_key="run_time_today",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda d: d.run_today_min,
    ),
    ValueSensorDescription(
        key="total_run_hours",
        translation_key="total_run_hours",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.HOURS,
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda d: d.total_run_h,
    ),
    ValueSensorDescription(
        key="starts_today",
        translation_key="starts_today",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda d: d.starts_today,
    ),
    ValueSensorDescription(
        key="service_run_hours",
        translation_key="service_run_hours",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.HOURS,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda d: d.service_run_h,
    ),
    ValueSensorDescription(
        key="next_exercise",
        translation_key="next_exercise",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda d: d.next_exercise,
    ),
)


async def async_setup(hass: HomeAssistant, entry: DiySolarConfigEntry) -> RuntimeData:
    return await async_start(
        GeneratorRunner(hass, entry), {Platform.SENSOR: value_sensors(SENSORS)}
    )
