"""Builds a Mean Well client from an entry's data; the simulator brings its own charger."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import can

from ..const import (
    CONF_ADDRESS,
    CONF_BITRATE,
    CONF_CHANNEL,
    CONF_DEVICE_TYPE,
    CONF_INTERFACE,
    CanInterface,
    DeviceType,
)
from ..drivers.meanwell import Family, Identity, MeanWellClient, Range, Setting, open_bus
from ..emulators.meanwell import MeanWellEmulator
from ..emulators.plant import LivePlant

FAMILIES = {DeviceType.MEANWELL_BIC: Family.BIC, DeviceType.MEANWELL_NPB: Family.NPB}
SIMULATED_MODELS = {Family.BIC: "BIC-2200-48", Family.NPB: "NPB-1200-48"}
# Each its own: the serial is the unique id, and a demo may hold one of each.
SIMULATED_SERIALS = {Family.BIC: "EB23A1234567", Family.NPB: "EB24N7654321"}


@dataclass
class SimulatedCharger:
    """An emulated charger answering on its own in-process virtual bus."""

    emulator: MeanWellEmulator
    bus: can.BusABC

    plant: LivePlant | None = None
    channel: str = ""

    @classmethod
    def start(cls, family: Family, channel: str, plant: LivePlant | None) -> SimulatedCharger:
        emulator = MeanWellEmulator(
            SIMULATED_MODELS[family],
            serial_number=SIMULATED_SERIALS[family],
            ramp_a_per_s=10.0,
            plant=plant,
        )
        bus = can.Bus(interface="virtual", channel=channel)
        emulator.attach(bus)
        if plant is not None:
            # What it puts into the battery is what the plant's battery takes.
            plant.flows[channel] = lambda: emulator.output_current() * emulator.output_voltage()
        return cls(emulator, bus, plant, channel)

    def stop(self) -> None:
        if self.plant is not None:
            self.plant.flows.pop(self.channel, None)
        self.emulator.detach()
        self.bus.shutdown()


@dataclass
class Connection:
    client: MeanWellClient
    simulator: SimulatedCharger | None = None

    async def close(self) -> None:
        await self.client.close()
        if self.simulator is not None:
            self.simulator.stop()


def connect(
    data: Mapping[str, Any],
    *,
    user_limits: Mapping[Setting, Range] | None = None,
    on_eeprom_write: Callable[[int], None] | None = None,
    plant: LivePlant | None = None,
) -> Connection:
    """Open the bus (blocking: run in the executor)."""
    family = FAMILIES[DeviceType(data[CONF_DEVICE_TYPE])]
    interface = CanInterface(data[CONF_INTERFACE])
    simulator = None
    channel = str(data.get(CONF_CHANNEL, ""))
    if interface is CanInterface.SIMULATOR:
        channel = f"diy_solar_simulator_{uuid.uuid4().hex}"
        simulator = SimulatedCharger.start(family, channel, plant)
        interface = CanInterface.VIRTUAL
    bitrate = int(data[CONF_BITRATE])
    client = MeanWellClient(
        open_bus(interface.value, channel, bitrate),
        family,
        int(data[CONF_ADDRESS]),
        user_limits=user_limits,
        on_eeprom_write=on_eeprom_write,
        # An unplugged adapter comes back on the same channel.
        reopen=lambda: open_bus(interface.value, channel, bitrate),
    )
    return Connection(client, simulator)


def describe(data: Mapping[str, Any]) -> str:
    """Where the charger is, for stable fallback ids."""
    return f"{data[CONF_INTERFACE]}:{data.get(CONF_CHANNEL, '')}:{data[CONF_ADDRESS]}"


async def async_identify(data: Mapping[str, Any]) -> tuple[Identity, bool]:
    """Open the bus, read who is there and whether EEP_OFF is set, close again (for the
    config flow)."""
    loop = asyncio.get_running_loop()
    connection = await loop.run_in_executor(None, connect, data)
    try:
        return (await connection.client.identify()).identity, connection.client.eep_off
    finally:
        await connection.close()


async def async_set_eep_off(data: Mapping[str, Any]) -> None:
    """Open the bus, set EEP_OFF, close again (for the config flow)."""
    loop = asyncio.get_running_loop()
    connection = await loop.run_in_executor(None, connect, data)
    try:
        await connection.client.identify()
        await connection.client.set_eeprom_off(True)
    finally:
        await connection.close()
