"""The output-priority policy entry: policies.output_priority selecting an inverter's output
(and charger) source priority through its own select entities, so every write is checked
and read back by the inverter's coordinator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from ..forms import minute_of_day, option
from ..policies.output_priority import (
    CHARGER,
    OUTPUT,
    Reading,
    Reason,
    Settings,
    Source,
    State,
    override,
    pause,
    resume,
    step,
)
from ..policies.schedule import Window
from ..policy_runner import PolicyRunner, sensor_value
from ..runtime import DiySolarConfigEntry, RuntimeData, async_start
from ..values import enum_sensor, measurement, value_sensors

# The selects written, by what they choose.
SELECTS = {OUTPUT: "output_select", CHARGER: "charger_select"}
CONF_SOC, CONF_BATTERY_VOLTAGE, CONF_PV_POWER = "soc_sensor", "battery_voltage", "pv_power"
CONF_WINDOW_START, CONF_WINDOW_END = "window_start", "window_end"


def settings_from(options: dict[str, Any]) -> Settings:
    d = Settings()
    opt = partial(option, options)
    start, end = (
        minute_of_day(options.get(CONF_WINDOW_START)),
        minute_of_day(options.get(CONF_WINDOW_END)),
    )
    return Settings(
        grid_below_soc=options.get("grid_below_soc"),
        battery_above_soc=options.get("battery_above_soc"),
        grid_below_v=options.get("grid_below_v"),
        battery_above_v=options.get("battery_above_v"),
        battery_min_pv_w=opt("battery_min_pv", d.battery_min_pv_w),
        window=Window(start, end) if start is not None and end is not None else None,
        min_dwell_s=opt("min_dwell", d.min_dwell_s / 60, 60),
        daily_writes=int(opt("daily_writes", d.daily_writes)),
        stale_after_s=opt("stale_after", d.stale_after_s / 60, 60),
        grid_when_stale=bool(options.get("grid_when_stale", False)),
        grid_output=str(options.get("grid_output", d.grid_output)),
        grid_charger=options.get("grid_charger") or None,
        battery_charger=options.get("battery_charger") or None,
    )


@dataclass(frozen=True)
class OutputPriorityData:
    source: Source
    reason: Reason
    writes_today: int


class OutputPriorityRunner(PolicyRunner[OutputPriorityData]):
    model = "Output priority"
    state: State
    tick = timedelta(seconds=30)

    def __init__(self, hass: HomeAssistant, entry: DiySolarConfigEntry) -> None:
        super().__init__(hass, entry)
        self.settings = settings_from(self.options)
        self.state = State()

    def snapshot(self) -> OutputPriorityData:
        return OutputPriorityData(self.state.source, self.state.reason, self.state.writes_today)

    def _reading(self, now: float) -> Reading:
        values = {
            key: sensor_value(self.hass, self.options.get(key), now)
            for key in (CONF_SOC, CONF_BATTERY_VOLTAGE, CONF_PV_POWER)
        }
        ages = [v[1] for v in values.values() if v is not None]
        current: dict[str, str | None] = {}
        for key, conf in SELECTS.items():
            state = self.hass.states.get(self.options.get(conf) or "")
            current[key] = state.state if state is not None else None
        local = dt_util.as_local(dt_util.utc_from_timestamp(now))

        def value(key: str) -> float | None:
            found = values[key]
            return found[0] if found else None

        return Reading(
            now=now,
            day=local.date().toordinal(),
            minute=local.hour * 60 + local.minute,
            soc=value(CONF_SOC),
            battery_v=value(CONF_BATTERY_VOLTAGE),
            pv_w=value(CONF_PV_POWER),
            age_s=max(ages, default=0.0),
            current=current,
        )

    async def async_act(self, now: float) -> None:
        decision = step(self.settings, self.state, self._reading(now))
        self.state = decision.state
        self.issue("output_priority_stale", self.state.reason is Reason.STALE_HELD)
        self.issue("output_priority_budget", self.state.reason is Reason.BUDGET_SPENT)
        for key, choice in decision.writes.items():
            data = {ATTR_ENTITY_ID: self.options[SELECTS[key]], "option": choice}
            await self.async_write("select", "select_option", data)

    async def async_pause(self, duration: timedelta) -> None:
        self.state = pause(self.state, (dt_util.utcnow() + duration).timestamp())
        await self.async_run(action=True)

    async def async_resume(self) -> None:
        self.state = resume(self.state)
        await self.async_run(action=True)

    async def async_override(self, source: Source, duration: timedelta) -> None:
        until = (dt_util.utcnow() + duration).timestamp()
        self.state = override(self.state, source, until)
        await self.async_run(action=True)


SENSORS = (
    enum_sensor("output_priority_source", Source, lambda d: d.source.value),
    enum_sensor("output_priority_reason", Reason, lambda d: d.reason.value),
    measurement("output_priority_writes_today", None, None, lambda d: d.writes_today),
)


async def async_setup(hass: HomeAssistant, entry: DiySolarConfigEntry) -> RuntimeData:
    return await async_start(
        OutputPriorityRunner(hass, entry), {Platform.SENSOR: value_sensors(SENSORS)}
    )
