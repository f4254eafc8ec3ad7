"""The grid-connect policy entry: policies.grid_connect driving a contactor's relay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.const import EntityCategory, Platform
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from ..forms import option
from ..policies.grid_connect import Reading, Reason, Settings, State, hold, step
from ..policy_runner import sensor_value
from ..relay_runner import RelayPolicyRunner
from ..runtime import DiySolarConfigEntry, RuntimeData, async_start
from ..values import ValueSensorDescription, enum_sensor, value_sensors

CONF_BATTERY_VOLTAGE = "battery_voltage"
CONF_GRID_VOLTAGE = "grid_voltage"
CONF_GRID_FREQUENCY = "grid_frequency"
CONF_BATTERY_CURRENT = "battery_current"
CONF_PHASES = ("grid_voltage_2", "grid_voltage_3")


def settings_from(options: dict[str, Any]) -> Settings:
    d = Settings()

    opt = partial(option, options)

    return Settings(
        connect_below_v=opt("connect_below", d.connect_below_v),
        connect_after_s=opt("connect_after", d.connect_after_s / 60, 60),
        disconnect_above_v=opt("disconnect_above", d.disconnect_above_v),
        disconnect_after_s=opt("disconnect_after", d.disconnect_after_s / 60, 60),
        grid_voltage=(opt("grid_v_min", d.grid_voltage[0]), opt("grid_v_max", d.grid_voltage[1])),
        grid_frequency=(
            opt("grid_hz_min", d.grid_frequency[0]),
            opt("grid_hz_max", d.grid_frequency[1]),
        ),
        stale_after_s=opt("stale_after", d.stale_after_s / 60, 60),
        connect_when_stale=bool(options.get("connect_when_stale", False)),
        grid_stale_after_s=opt("grid_stale_after", d.grid_stale_after_s / 60, 60),
        max_asymmetry_v=options.get("max_asymmetry"),
    )


@dataclass(frozen=True)
class GridConnectData:
    connected: bool
    reason: Reason
    heartbeat: datetime | None  # the minute of the last run: the controller is alive


class GridConnectRunner(RelayPolicyRunner[GridConnectData]):
    model = "Grid connect"
    state: State

    def __init__(self, hass: HomeAssistant, entry: DiySolarConfigEntry) -> None:
        super().__init__(hass, entry)
        self.settings = settings_from(self.options)
        self.state = State()
        self._ran_at: float | None = None

    async def async_act(self, now: float) -> None:
        if self.paused(now):
            self._ran_at = now
            self.state = hold(self.state, self.relay_on())
            return  # hands off: the contactor stays as it is, switched by hand if need be
        await super().async_act(now)

    def decide(self, now: float) -> bool:
        self._ran_at = now
        battery = sensor_value(self.hass, self.options[CONF_BATTERY_VOLTAGE], now)
        grid_v = sensor_value(self.hass, self.options[CONF_GRID_VOLTAGE], now)
        grid_hz = sensor_value(self.hass, self.options[CONF_GRID_FREQUENCY], now)
        amps = sensor_value(self.hass, self.options.get(CONF_BATTERY_CURRENT), now)
        phases = [
            sensor_value(self.hass, self.options[key], now)
            for key in CONF_PHASES
            if self.options.get(key)
        ]
        grid = [grid_v, grid_hz, *phases]
        self.state = step(
            self.settings,
            self.state,
            Reading(
                now=now,
                battery_v=battery[0] if battery else None,
                battery_age_s=battery[1] if battery else 0.0,
                grid_v=grid_v[0] if grid_v else None,
                grid_hz=grid_hz[0] if grid_hz else None,
                grid_age_s=max((g[1] for g in grid if g is not None), default=0.0),
                battery_a=amps[0] if amps and amps[1] <= self.settings.stale_after_s else None,
                phases=tuple(p[0] if p else None for p in phases),
            ),
        )
        self.issue("battery_stale", self.state.stale)
        return self.state.connected

    def snapshot(self) -> GridConnectData:
        # To the minute: alive enough for a watchdog, without a state write every tick.
        minute = None if self._ran_at is None else self._ran_at // 60 * 60
        beat = None if minute is None else dt_util.utc_from_timestamp(minute)
        reason = Reason.PAUSED if self.paused_until is not None else self.state.reason
        return GridConnectData(self.state.connected, reason, beat)


SENSORS = (
    enum_sensor(
        "grid_connect_status",
        ("connected", "disconnected"),
        lambda d: "connected" if d.connected else "disconnected",
    ),
    enum_sensor("grid_connect_reason", Reason, lambda d: d.reason.value),
    ValueSensorDescription(
        key="heartbeat",
        translation_key="heartbeat",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda d: d.heartbeat,
    ),
)


async def async_setup(hass: HomeAssistant, entry: DiySolarConfigEntry) -> RuntimeData:
    runner = GridConnectRunner(hass, entry)
    return await async_start(runner, {Platform.SENSOR: value_sensors(SENSORS)})
