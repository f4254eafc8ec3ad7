"""The simulated plant: load, PV, battery and the grid meter of the demo, as a device."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, Platform, UnitOfEnergy, UnitOfPower
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.util.dt import utcnow

from ..const import CONF_TIME_SHIFT, DOMAIN
from ..coordinator import DeviceCoordinator
from ..emulators.plant import LivePlant, shared_plant
from ..runtime import DiySolarConfigEntry, RuntimeData, async_start
from ..values import ValueSensor, ValueSensorDescription, measurement

# A meter that reports every second, as a fast smart-meter reader does.
METER_INTERVAL = timedelta(seconds=1)


@dataclass(frozen=True)
class PlantData:
    grid_w: float
    load_w: float
    pv_w: float
    battery_w: float
    soc: float
    sampled_at: datetime
    energy_kwh: dict[str, float]


class PlantCoordinator(DeviceCoordinator[PlantData]):
    def __init__(self, hass: HomeAssistant, entry: DiySolarConfigEntry) -> None:
        super().__init__(hass, entry)
        self.update_interval = METER_INTERVAL
        self.plant: LivePlant = shared_plant(hass.config.config_dir)
        if (shift := entry.options.get(CONF_TIME_SHIFT)) is not None:
            # To see noon at night.
            self.plant.run_ahead(float(shift))

    async def _async_update_data(self) -> PlantData:
        grid, load, pv, battery = self.plant.sample()
        return PlantData(
            round(grid),
            round(load),
            round(pv),
            round(battery),
            round(self.plant.soc * 100, 1),
            utcnow(),
            {meter: round(wh / 1000, 4) for meter, wh in self.plant.energy_wh.items()},
        )

    def device_info(self, unit: int | None = None) -> DeviceInfo:
        return DeviceInfo(
            identifiers={(DOMAIN, self.device_key)},
            manufacturer="DIY Solar",
            model="Simulated plant",
            name=self.config_entry.title,
            sw_version=self.software_version,
        )

    async def async_close(self) -> None:
        """Nothing to release: the plant outlives the entry, its devices use it."""

    def diagnostics(self) -> dict[str, Any]:
        return {"soc": self.plant.soc, "flows": sorted(self.plant.flows)}


def _power(key: str, fn: Callable[[PlantData], float]) -> ValueSensorDescription:
    return measurement(key, SensorDeviceClass.POWER, UnitOfPower.WATT, fn)


def _energy(meter: str) -> ValueSensorDescription:
    # Counted from the plant's start: a restart begins a new count, as a meter that was
    # replaced does (total increasing).
    return measurement(
        f"{meter}_energy",
        SensorDeviceClass.ENERGY,
        UnitOfEnergy.KILO_WATT_HOUR,
        lambda d: d.energy_kwh[meter],
        precision=3,
        state_class=SensorStateClass.TOTAL_INCREASING,
    )


SENSORS = (
    _power("grid_power", lambda d: d.grid_w),
    _power("load_power", lambda d: d.load_w),
    _power("pv_power", lambda d: d.pv_w),
    _power("battery_power", lambda d: d.battery_w),
    measurement("soc", SensorDeviceClass.BATTERY, PERCENTAGE, lambda d: d.soc),
    *(_energy(meter) for meter in ("grid_import", "grid_export", "pv", "load")),
)


async def _async_setup_sensors(
    hass: HomeAssistant, entry: DiySolarConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    coordinator = cast(PlantCoordinator, entry.runtime_data.coordinator)
    entities: list[SensorEntity] = [ValueSensor(coordinator, d) for d in SENSORS]
    async_add_entities(entities)


async def async_setup(hass: HomeAssistant, entry: DiySolarConfigEntry) -> RuntimeData:
    return await async_start(PlantCoordinator(hass, entry), {Platform.SENSOR: _async_setup_sensors})
