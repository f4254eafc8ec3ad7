"""Fault soak: our drivers through a line that gets about one reply in ten wrong.

    .venv/bin/python -m benchmarks.faults [--polls N] [--seed S] [--driver D] [--model M]

Each driver reads its emulator through a seeded relay of our own (benchmarks/relays.py):
on TCP for the serial drivers (PI30, JK, Daly, Lumentree), between two virtual CAN
channels for the Mean Well. The emulator's values move on with every poll, so a value
tells which reply it came from: the latest one is right, an earlier one is stale, any
other is wrong. Two delivery models for a late reply: it dies with the connection it was
meant for ("dies"), or it reaches whatever listens then ("next"), as on a TCP-serial
gateway or a shared bus.

One CSV line per driver and model:
driver,model,polls,faults,wrong,stale,errors,other_exceptions,longest_failed_run
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass

import can

from custom_components.diy_solar.drivers.bms import BmsError
from custom_components.diy_solar.drivers.dalybms import DalyBmsClient
from custom_components.diy_solar.drivers.jkbms import JkBmsClient
from custom_components.diy_solar.drivers.lumentree import LumentreeClient, LumentreeError
from custom_components.diy_solar.drivers.lumentree.registers import AC_VOLTAGE
from custom_components.diy_solar.drivers.meanwell import (
    BITRATE,
    Command,
    Family,
    MeanWellClient,
    MeanWellError,
    open_bus,
)
from custom_components.diy_solar.drivers.meanwell.protocol import encode_read, reply_id
from custom_components.diy_solar.drivers.pi30 import Pi30Client, Pi30Error, StreamTransport
from custom_components.diy_solar.emulators.battery import CellModel
from custom_components.diy_solar.emulators.dalybms import DalyBmsEmulator
from custom_components.diy_solar.emulators.jkbms import JkBmsEmulator
from custom_components.diy_solar.emulators.lumentree import (
    READ_HOLDING,
    LumentreeEmulator,
    LumentreeUnit,
)
from custom_components.diy_solar.emulators.meanwell import MeanWellEmulator
from custom_components.diy_solar.emulators.pi30 import Pi30Emulator, PtyServer
from custom_components.diy_solar.emulators.plant import Plant
from custom_components.diy_solar.emulators.pty import PtyDevice
from custom_components.diy_solar.emulators.serve import handle_client

from .relays import CAN_FAULTS, STREAM_FAULTS, CanRelay, Faults, TcpRelay

HEADER = "driver,model,polls,faults,wrong,stale,errors,other_exceptions,longest_failed_run"
TIMEOUT = 0.3  # what each driver on a serial line waits for a reply here (the line is local)
CAN_TIMEOUT = 0.1  # a Mean Well answers within 5 ms


@dataclass
class Counter:
    """The state of charge the emulator reports, one step on per reply that carries it."""

    step: int = 0

    def next(self) -> float:
        self.step += 1
        return (self.step % 101) / 100

    @property
    def latest(self) -> int:
        return self.step % 101


@dataclass
class Result:
    polls: int = 0
    wrong: int = 0
    stale: int = 0
    errors: int = 0
    other: int = 0
    longest: int = 0
    _run: int = 0

    def failed(self) -> None:
        self.errors += 1
        self._run += 1
        self.longest = max(self.longest, self._run)

    def good(self) -> None:
        self._run = 0


class Driver:
    """One driver and its emulator, counting each reply that carries the value."""

    name: str
    errors: tuple[type[Exception], ...]
    kinds: tuple[str, ...] = STREAM_FAULTS
    timeout = TIMEOUT

    def __init__(self) -> None:
        self.counter = Counter()

    async def start(self, faults: Faults) -> None:
        raise NotImplementedError

    async def read_soc(self) -> float:
        """The counted value (0-100) of one poll; -1 for a reading no reply had."""
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError


class StreamDriver(Driver):
    """A driver on a serial line, reaching its emulator through the TCP relay."""

    url = ""

    def device(self) -> PtyDevice:
        raise NotImplementedError

    async def start(self, faults: Faults) -> None:
        self._device = device = self.device()
        self._server = await asyncio.start_server(
            lambda r, w: handle_client(device, r, w), "127.0.0.1", 0
        )
        relay = TcpRelay(self._server.sockets[0].getsockname()[1], faults)
        self._relay_server = await relay.start()
        self.url = f"socket://127.0.0.1:{relay.port}"

    async def disconnect(self) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        await self.disconnect()
        self._relay_server.close()
        self._server.close()
        self._device.close()


class Pi30(StreamDriver):
    name = "pi30"
    errors = (Pi30Error,)

    def __init__(self) -> None:
        super().__init__()
        self.emulator = Pi30Emulator(plant=Plant(soc=0.5, pv_w=1000.0, load_w=400.0))
        self.client: Pi30Client | None = None
        answer = self.emulator.answer

        def counted(command: str) -> str | None:
            if command == "QPIGS":
                self.emulator.plant.soc = self.counter.next()
            return answer(command)

        self.emulator.answer = counted  # type: ignore[method-assign]

    def device(self) -> PtyDevice:
        return PtyServer(self.emulator)

    async def read_soc(self) -> float:
        if self.client is None:
            self.client = Pi30Client(StreamTransport(self.url), timeout=TIMEOUT)
        status = await self.client.get_status()
        mode = await self.client.get_mode()
        warnings = await self.client.get_warnings()
        if mode.value != "battery" or warnings.active:
            return -1.0
        return status.battery_capacity

    async def disconnect(self) -> None:
        if self.client is not None:
            await self.client.close()


class Bms(StreamDriver):
    errors = (BmsError,)

    def __init__(self, name: str, emulator: JkBmsEmulator | DalyBmsEmulator) -> None:
        super().__init__()
        self.name = name
        self.emulator = emulator
        self.client: JkBmsClient | DalyBmsClient | None = None
        reply = emulator.reply

        def counted(request: bytes) -> bytes | None:
            carries_soc = name == "jkbms" or (len(request) > 2 and request[2] == 0x90)
            if carries_soc:
                emulator.battery.soc = self.counter.next()
            return reply(request)

        emulator.reply = counted  # type: ignore[method-assign]

    def device(self) -> PtyDevice:
        return self.emulator

    async def read_soc(self) -> float:
        if self.client is None:
            kind = JkBmsClient if self.name == "jkbms" else DalyBmsClient
            self.client = kind(self.url, timeout=TIMEOUT)
        return (await self.client.read_status()).soc

    async def disconnect(self) -> None:
        if self.client is not None:
            await self.client.close()


class Lumentree(StreamDriver):
    """Counts on the AC voltage and the temperature of one poll (function 3 replies do not
    name their register, so a reply read for another register shows as wrong); the DC
    voltage and the output power stay put."""

    name = "lumentree"
    errors = (LumentreeError,)

    def __init__(self) -> None:
        super().__init__()
        self.unit = LumentreeUnit(max_power=1000)
        self.emulator: LumentreeEmulator | None = None
        self.client: LumentreeClient | None = None

    def device(self) -> PtyDevice:
        self.emulator = emulator = LumentreeEmulator({1: self.unit}, Plant(soc=0.5))
        answer = emulator.answer

        async def counted(request: bytes) -> bytes | None:
            if request[1] == READ_HOLDING and int.from_bytes(request[2:4], "big") == AC_VOLTAGE:
                step = self.counter.next() * 10
                self.unit.ac_voltage = 200.0 + step
                self.unit.temperature = 20.0 + step
            return await answer(request)

        emulator.answer = counted  # type: ignore[method-assign]
        return emulator

    async def read_soc(self) -> float:
        if self.client is None:
            self.client = LumentreeClient(self.url, [1], max_power=1000, timeout=TIMEOUT)
        assert self.emulator is not None
        readings = await self.client.read(1)
        by_ac = round((readings.ac_voltage - 200.0) * 10)
        steady = (readings.dc_voltage, readings.output_power) == (
            round(self.emulator.plant.battery_voltage, 1),
            0.0,
        )
        if not steady or round((readings.temperature - 20.0) * 10) != by_ac:
            return -1.0
        return by_ac

    async def disconnect(self) -> None:
        if self.client is not None:
            await self.client.close()


class MeanWell(Driver):
    """A BIC on a virtual CAN channel of its own, reached through the CAN relay. Counts on
    the output voltage (output off: it reads the battery); everything else stays put."""

    name = "meanwell"
    errors = (MeanWellError,)
    kinds = CAN_FAULTS
    timeout = CAN_TIMEOUT
    _channels = itertools.count()

    async def start(self, faults: Faults) -> None:
        n = next(self._channels)
        device_channel, driver_channel = f"soak-device-{n}", f"soak-driver-{n}"
        self.emulator = emulator = MeanWellEmulator("BIC-2200-48")
        emulator.registers[Command.OPERATION] = 0
        handle = emulator.handle

        def counted(msg: can.Message) -> can.Message | None:
            if bytes(msg.data) == encode_read(Command.READ_VOUT):
                emulator.battery_voltage = 45.0 + self.counter.next() * 10
            return handle(msg)

        emulator.handle = counted  # type: ignore[method-assign]
        self._device_bus = can.Bus(interface="virtual", channel=device_channel)
        emulator.attach(self._device_bus)
        self.relay = CanRelay(driver_channel, device_channel, reply_id(Family.BIC, 0), faults)
        bus = open_bus("virtual", driver_channel, BITRATE)
        self.client = MeanWellClient(bus, Family.BIC, timeout=CAN_TIMEOUT)

    async def read_soc(self) -> float:
        if self.client.device is None:
            await self.client.identify()
        r = await self.client.read_readings()
        steady = (r.output_on, r.output_current, r.ac_voltage, r.temperature, r.fan_speeds)
        if steady != (False, 0.0, 230.0, 31.2, (2100.0, 2050.0)) or r.discharging:
            return -1.0
        return round((r.output_voltage - 45.0) * 10)

    async def close(self) -> None:
        await self.client.close()
        self.relay.close()
        self.emulator.detach()
        self._device_bus.shutdown()


DRIVERS: dict[str, Callable[[], Driver]] = {
    "pi30": Pi30,
    "jkbms": lambda: Bms("jkbms", JkBmsEmulator(CellModel(cells=16, soc=0.5))),
    "dalybms": lambda: Bms("dalybms", DalyBmsEmulator(CellModel(cells=16, soc=0.5))),
    "meanwell": MeanWell,
    "lumentree": Lumentree,
}


async def soak(
    make: Callable[[], Driver], polls: int, seed: int, late_reaches_next: bool
) -> tuple[Result, int]:
    driver = make()
    faults = Faults(random.Random(seed), driver.kinds, late_reaches_next, driver.timeout * 1.5)
    await driver.start(faults)
    result = Result()
    try:
        for _ in range(polls):
            result.polls += 1
            try:
                soc = await driver.read_soc()
            except driver.errors:
                result.failed()
                continue
            except Exception:
                result.other += 1
                result.failed()
                continue
            result.good()
            latest = driver.counter.latest
            if round(soc) == latest:
                continue
            earlier = {(latest - back) % 101 for back in range(1, 20)}
            if round(soc) in earlier:
                result.stale += 1
            else:
                result.wrong += 1
    finally:
        await driver.close()
    return result, faults.count


MODELS = {"dies": False, "next": True}


async def run(
    polls: int, seed: int, drivers: list[str], models: list[str], out: Callable[[str], object]
) -> None:
    out(HEADER)
    for name in drivers:
        for model in models:
            reaches_next = MODELS[model]
            r, faults = await soak(DRIVERS[name], polls, seed, reaches_next)
            out(
                f"{name},{model},{r.polls},{faults},{r.wrong},{r.stale},{r.errors},"
                f"{r.other},{r.longest}"
            )


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.faults")
    parser.add_argument("--polls", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--driver", action="append", choices=sorted(DRIVERS))
    parser.add_argument("--model", action="append", choices=sorted(MODELS))
    args = parser.parse_args()
    asyncio.run(
        run(
            args.polls,
            args.seed,
            args.driver or list(DRIVERS),
            args.model or list(MODELS),
            lambda line: print(line, flush=True),
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
