"""A battery bank entry: the packs of several DIY Solar BMS devices as one battery, for the
dashboard, the Energy panel and the policies (policies.bank does the sums)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from homeassistant.components.binary_sensor import BinarySensorDeviceClass
from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    PERCENTAGE,
    Platform,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfPower,
    UnitOfTemperature,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.update_coordinator import UpdateFailed
from homeassistant.util.dt import utcnow

from ..const import CONF_DEVICE_TYPE, DOMAIN, DeviceType
from ..coordinator import DeviceCoordinator
from ..energy import EnergySensor, energy_description
from ..policies.bank import Bank, Pack, combine
from ..repairs import set_issue
from ..runtime import DiySolarConfigEntry, RuntimeData, async_start
from ..values import (
    ValueBinarySensor,
    ValueBinarySensorDescription,
    ValueSensor,
    measurement,
)

CONF_PACKS = "packs"
CONF_CAPACITY = "capacity"
CONF_STALE_AFTER = "stale_after"
BMS_KINDS = (DeviceType.JK_BMS, DeviceType.DALY_BMS)
DEFAULT_STALE_S = 120.0


@dataclass(frozen=True)
class BankData:
    bank: Bank
    sampled_at: datetime


class BankCoordinator(DeviceCoordinator[BankData]):
    """Reads the packs' BMS coordinators (no I/O of its own) every poll."""

    def __init__(self, hass: HomeAssistant, entry: DiySolarConfigEntry) -> None:
        super().__init__(hass, entry)
        self.options = {**entry.data, **entry.options}
        self.stale_after = timedelta(
            minutes=float(self.options.get(CONF_STALE_AFTER, DEFAULT_STALE_S / 60))
        )

    def _pack(self, device_id: str) -> Pack:
        device = dr.async_get(self.hass).async_get(device_id)
        name = (device.name_by_user or device.name or device_id) if device else device_id
        capacity = self.options.get(CONF_CAPACITY)
        for entry_id in device.config_entries if device else ():
            entry = self.hass.config_entries.async_get_entry(entry_id)
            if (
                entry is None
                or entry.data.get(CONF_DEVICE_TYPE) not in BMS_KINDS
                or entry.state is not ConfigEntryState.LOADED
            ):
                continue
            coordinator = entry.runtime_data.coordinator
            data = coordinator.data
            fresh = (
                coordinator.last_update_success
                and data is not None
                and utcnow() - data.sampled_at <= self.stale_after
            )
            return Pack(name, data.status if fresh else None, capacity)
        return Pack(name, None, capacity)

    async def _async_update_data(self) -> BankData:
        packs = [self._pack(d) for d in self.options[CONF_PACKS]]
        bank = combine(packs)
        left_out = [p.name for p in packs if p.status is None]
        self._issue(left_out)
        if bank is None:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="no_fresh_pack",
                translation_placeholders={"packs": ", ".join(left_out)},
            )
        return BankData(bank, utcnow())

    def _issue(self, left_out: list[str]) -> None:
        entry = self.config_entry
        set_issue(
            self.hass,
            "bank_packs_left_out",
            entry.entry_id,
            bool(left_out),
            {"name": entry.title, "packs": ", ".join(left_out)},
        )

    def subject(self, unit: int | None = None) -> Bank:
        return self.data.bank

    def device_info(self, unit: int | None = None) -> DeviceInfo:
        return DeviceInfo(
            identifiers={(DOMAIN, self.device_key)},
            manufacturer="DIY Solar",
            model="Battery bank",
            name=self.config_entry.title,
            sw_version=self.software_version,
        )

    async def async_close(self) -> None:
        """Nothing to release: the packs belong to their own entries."""

    def diagnostics(self) -> dict[str, Any]:
        return {"bank": asdict(self.data.bank) if self.data else None}


V, A, W, C = (
    UnitOfElectricPotential.VOLT,
    UnitOfElectricCurrent.AMPERE,
    UnitOfPower.WATT,
    UnitOfTemperature.CELSIUS,
)
VOLTAGE, TEMPERATURE = SensorDeviceClass.VOLTAGE, SensorDeviceClass.TEMPERATURE

SENSORS = (
    measurement("soc", SensorDeviceClass.BATTERY, PERCENTAGE, lambda b: b.soc),
    measurement("current", SensorDeviceClass.CURRENT, A, lambda b: b.current),
    measurement("power", SensorDeviceClass.POWER, W, lambda b: b.power),
    measurement("voltage", VOLTAGE, V, lambda b: b.voltage),
    measurement(
        "lowest_cell", VOLTAGE, V, lambda b: b.lowest_cell and b.lowest_cell.volts, precision=3
    ),
    measurement(
        "highest_cell", VOLTAGE, V, lambda b: b.highest_cell and b.highest_cell.volts, precision=3
    ),
    measurement(
        "lowest_cell_pack",
        None,
        None,
        lambda b: b.lowest_cell and b.lowest_cell.pack,
        state_class=None,
    ),
    measurement(
        "highest_cell_pack",
        None,
        None,
        lambda b: b.highest_cell and b.highest_cell.pack,
        state_class=None,
    ),
    measurement(
        "largest_imbalance",
        VOLTAGE,
        UnitOfElectricPotential.MILLIVOLT,
        lambda b: b.largest_imbalance_mv,
    ),
    measurement("temperature_min", TEMPERATURE, C, lambda b: b.temperature_min),
    measurement("temperature_max", TEMPERATURE, C, lambda b: b.temperature_max),
    measurement("packs_counted", None, None, lambda b: b.counted),
)
ALARM = ValueBinarySensorDescription(
    key="alarm",
    translation_key="alarm",
    device_class=BinarySensorDeviceClass.PROBLEM,
    value_fn=lambda b: b.alarm,
)
ENERGY = (
    energy_description("charge_energy", lambda b: max(0.0, b.power)),
    energy_description("discharge_energy", lambda b: max(0.0, -b.power)),
)


async def _async_setup_sensors(
    hass: HomeAssistant, entry: DiySolarConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        [
            *(ValueSensor(coordinator, d) for d in SENSORS),
            *(EnergySensor(coordinator, d) for d in ENERGY),
        ]
    )


async def _async_setup_binary_sensors(
    hass: HomeAssistant, entry: DiySolarConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    async_add_entities([ValueBinarySensor(entry.runtime_data.coordinator, ALARM)])


async def async_setup(hass: HomeAssistant, entry: DiySolarConfigEntry) -> RuntimeData:
    return await async_start(
        BankCoordinator(hass, entry),
        {
            Platform.SENSOR: _async_setup_sensors,
            Platform.BINARY_SENSOR: _async_setup_binary_sensors,
        },
    )
