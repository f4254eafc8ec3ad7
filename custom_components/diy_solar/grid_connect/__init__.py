"""The grid-connect policy entry: policies.grid_connect driving a contactor's relay."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant

from ..forms import option
from ..policies.grid_connect import Reading, Reason, Settings, State, step
from ..policy_runner import sensor_value
from ..relay_runner import RelayPolicyRunner
from ..runtime import DiySolarConfigEntry, RuntimeData, async_start
from ..values import enum_sensor, value_sensors

CONF_BATTERY_VOLTAGE = "battery_voltage"
CONF_GRID_VOLTAGE = "grid_voltage"
CONF_GRID_FREQUENCY = "grid_frequency"


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
    )


@dataclass(frozen=True)
class GridConnectData:
    connected: bool
    reason: Reason


class GridConnectRunner(RelayPolicyRunner[GridConnectData]):
    model = "Grid connect"
    state: State

    def __init__(self, hass: HomeAssistant, entry: DiySolarConfigEntry) -> None:
        super().__init__(hass, entry)
        self.settings = settings_from(self.options)
        self.state = State()

    def decide(self, now: float) -> bool:
        battery = sensor_value(self.hass, self.options[CONF_BATTERY_VOLTAGE], now)
        grid_v = sensor_value(self.hass, self.options[CONF_GRID_VOLTAGE], now)
        grid_hz = sensor_value(self.hass, self.options[CONF_GRID_FREQUENCY], now)
        self.state = step(
            self.settings,
            self.state,
            Reading(
                now=now,
                battery_v=battery[0] if battery else None,
                battery_age_s=battery[1] if battery else 0.0,
                grid_v=grid_v[0] if grid_v else None,
                grid_hz=grid_hz[0] if grid_hz else None,
            ),
        )
        self.issue("battery_stale", self.state.stale)
        return self.state.connected

    def snapshot(self) -> GridConnectData:
        return GridConnectData(self.state.connected, self.state.reason)


SENSORS = (
    enum_sensor(
        "grid_connect_status",
        ("connected", "disconnected"),
        lambda d: "connected" if d.connected else "disconnected",
    ),
    enum_sensor("grid_connect_reason", Reason, lambda d: d.reason.value),
)


async def async_setup(hass: HomeAssistant, entry: DiySolarConfigEntry) -> RuntimeData:
    runner = GridConnectRunner(hass, entry)
    return await async_start(runner, {Platform.SENSOR: value_sensors(SENSORS)})
