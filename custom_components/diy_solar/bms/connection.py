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


def _simulated_battery(plant: Plant | None) -> CellModel:
    # The plant's battery, with one cell that runs ahead of the others.
    return CellModel(cells=16, plant=plant, weak_cell=7)


def connect(
    data: Mapping[str, Any], options: Mapping[str, Any], plant: Plant | None = None
) -> Connection:
    """The client for an entry (in the event loop: a simulator listens on it)."""
    device_type = DeviceType(data[CONF_DEVICE_TYPE])
    port, emulator = str(data[CONF_DEVICE]), None
    if port == SIMULATOR_PORT:
        emulator = (
            JkBmsEmulator(_simulated_battery(plant))
            if device_type is DeviceType.JK_BMS
            else DalyBmsEmulator(_simulated_battery(plant))
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
