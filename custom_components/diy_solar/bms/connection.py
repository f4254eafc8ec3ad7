"""Builds a JK or Daly client from an entry; the simulator brings its own BMS on a pty."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.const import CONF_DEVICE

from ..const import (
    CONF_BMS_PORT,
    CONF_DEVICE_TYPE,
    CONF_INVERT_CURRENT,
    CONF_TEMPERATURE_CONVENTION,
    SIMULATOR_PORT,
    BmsPort,
    DeviceType,
)
from ..drivers.bms import BmsStatus
from ..drivers.dalybms import HOST_RS485, HOST_UART, DalyBmsClient
from ..drivers.jkbms import JkBmsClient, TemperatureConvention
from ..emulators.battery import BmsEmulator, CellModel
from ..emulators.dalybms import DalyBmsEmulator
from ..emulators.jkbms import JkBmsEmulator
from ..emulators.plant import Plant

MANUFACTURERS = {DeviceType.JK_BMS: "JK", DeviceType.DALY_BMS: "Daly"}


@dataclass
class Connection:
    client: JkBmsClient | DalyBmsClient
    emulator: BmsEmulator | None = None

    async def close(self) -> None:
        await self.client.close()
        if self.emulator is not None:
            self.emulator.close()


def _simulated_battery(device_type: DeviceType, plant: Plant | None) -> CellModel:
    """A pack of the plant's battery, of its own size, with one cell weaker than the rest
    (it runs ahead of the others): a JK of 280 Ah, a Daly of 100 Ah."""
    if device_type is DeviceType.JK_BMS:
        return CellModel(cells=16, plant=plant, capacity_ah=280.0, weak_cell=7)
    return CellModel(cells=16, plant=plant, capacity_ah=100.0, weak_cell=3, weak_capacity=0.7)


def connect(
    data: Mapping[str, Any], options: Mapping[str, Any], plant: Plant | None = None
) -> Connection:
    """The client for an entry (in the event loop: a simulator listens on it)."""
    device_type = DeviceType(data[CONF_DEVICE_TYPE])
    port, emulator = str(data[CONF_DEVICE]), None
    if port == SIMULATOR_PORT:
        battery = _simulated_battery(device_type, plant)
        emulator = (
            JkBmsEmulator(battery) if device_type is DeviceType.JK_BMS else DalyBmsEmulator(battery)
        )
        port = emulator.path
    invert = bool(options.get(CONF_INVERT_CURRENT, False))
    client: JkBmsClient | DalyBmsClient
    if device_type is DeviceType.JK_BMS:
        convention = options.get(
            CONF_TEMPERATURE_CONVENTION, TemperatureConvention.MINUS_ONE_AT_101
        )
        client = JkBmsClient(
            port, convention=TemperatureConvention(convention), invert_current=invert
        )
    else:
        uart = data.get(CONF_BMS_PORT) == BmsPort.UART
        client = DalyBmsClient(port, host=HOST_UART if uart else HOST_RS485, invert_current=invert)
    return Connection(client, emulator)


async def async_probe(data: Mapping[str, Any]) -> BmsStatus:
    """Read one full status and let go of the port again (for the config flow)."""
    connection = connect(data, {})
    try:
        return await connection.client.read_status()
    finally:
        await connection.close()
