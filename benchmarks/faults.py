"""Fault soak: our drivers through a line that gets about one reply in ten wrong.

    .venv/bin/python -m benchmarks.faults [--polls N] [--seed S]

Each driver reads its emulator over TCP through a relay of our own that, seeded, flips a
bit, cuts a reply short, drops it, puts noise before it, sends it in slow pieces, sends it
later than the driver waits, or sends it twice. The emulator's state of charge moves on
with every reply, so a value tells which reply it came from: the latest one is right, an
earlier one is stale, any other is wrong. Two delivery models for a late reply: it dies
with the connection it was meant for ("dies"), or it reaches whatever connection is open
then ("next"), as on a TCP-serial gateway.

One CSV line per driver and model:
driver,model,polls,faults,wrong,stale,errors,other_exceptions,longest_failed_run
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from custom_components.diy_solar.drivers.bms import BmsError
from custom_components.diy_solar.drivers.dalybms import DalyBmsClient
from custom_components.diy_solar.drivers.jkbms import JkBmsClient
from custom_components.diy_solar.drivers.pi30 import Pi30Client, Pi30Error, StreamTransport
from custom_components.diy_solar.emulators.battery import CellModel
from custom_components.diy_solar.emulators.dalybms import DalyBmsEmulator
from custom_components.diy_solar.emulators.jkbms import JkBmsEmulator
from custom_components.diy_solar.emulators.pi30 import Pi30Emulator, PtyServer
from custom_components.diy_solar.emulators.plant import Plant
from custom_components.diy_solar.emulators.pty import PtyDevice
from custom_components.diy_solar.emulators.serve import handle_client

HEADER = "driver,model,polls,faults,wrong,stale,errors,other_exceptions,longest_failed_run"
FAULTS = ("bitflip", "truncate", "drop", "garbage", "slow", "late", "duplicate")
FAULT_RATE = 0.1
TIMEOUT = 0.3  # what each driver waits for a reply here (the line is local)


@dataclass
class Relay:
    """Between a driver and its emulator's server: passes requests, mangles replies."""

    upstream_port: int
    rng: random.Random
    late_reaches_next: bool
    faults: int = 0
    port: int = 0
    _current: asyncio.StreamWriter | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def start(self) -> asyncio.Server:
        server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        return server

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._current = writer
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)

        async def requests() -> None:
            with contextlib.suppress(ConnectionError):
                while chunk := await reader.read(4096):
                    up_writer.write(chunk)
                    await up_writer.drain()
            up_writer.close()

        forward = asyncio.create_task(requests())
        with contextlib.suppress(ConnectionError):
            while reply := await up_reader.read(4096):
                await self._deliver(writer, reply)
        forward.cancel()
        writer.close()

    async def _deliver(self, writer: asyncio.StreamWriter, reply: bytes) -> None:
        if self.rng.random() >= FAULT_RATE:
            writer.write(reply)
            return
        self.faults += 1
        match self.rng.choice(FAULTS):
            case "bitflip":
                at = self.rng.randrange(len(reply))
                mangled = bytearray(reply)
                mangled[at] ^= 1 << self.rng.randrange(8)
                writer.write(bytes(mangled))
            case "truncate":
                writer.write(reply[: self.rng.randrange(len(reply))])
            case "drop":
                pass
            case "garbage":
                writer.write(self.rng.randbytes(self.rng.randint(1, 8)) + reply)
            case "slow":
                for start in range(0, len(reply), 4):
                    writer.write(reply[start : start + 4])
                    await asyncio.sleep(0.002)
            case "late":
                task = asyncio.create_task(self._late(writer, reply))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            case _:
                writer.write(reply + reply)

    async def _late(self, writer: asyncio.StreamWriter, reply: bytes) -> None:
        await asyncio.sleep(TIMEOUT * 1.5)
        target = self._current if self.late_reaches_next else writer
        if target is not None and not target.is_closing():
            target.write(reply)


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
    """One driver and its emulator, counting each reply that carries the SOC."""

    name: str
    errors: tuple[type[Exception], ...]
    counter: Counter

    def device(self) -> PtyDevice:
        raise NotImplementedError

    async def read_soc(self, url: str) -> float:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError


class Pi30(Driver):
    name = "pi30"
    errors = (Pi30Error,)

    def __init__(self) -> None:
        self.counter = Counter()
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

    async def read_soc(self, url: str) -> float:
        if self.client is None:
            self.client = Pi30Client(StreamTransport(url), timeout=TIMEOUT)
        status = await self.client.get_status()
        mode = await self.client.get_mode()
        warnings = await self.client.get_warnings()
        if mode.value != "battery" or warnings.active:
            return -1.0  # a mode or warning no emulated reply had: wrong
        return status.battery_capacity

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()


class Bms(Driver):
    errors = (BmsError,)

    def __init__(self, name: str, emulator: JkBmsEmulator | DalyBmsEmulator) -> None:
        self.name = name
        self.counter = Counter()
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

    async def read_soc(self, url: str) -> float:
        if self.client is None:
            kind = JkBmsClient if self.name == "jkbms" else DalyBmsClient
            self.client = kind(url, timeout=TIMEOUT)
        return (await self.client.read_status()).soc

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()
        self.emulator.close()


DRIVERS: dict[str, Callable[[], Driver]] = {
    "pi30": Pi30,
    "jkbms": lambda: Bms("jkbms", JkBmsEmulator(CellModel(cells=16, soc=0.5))),
    "dalybms": lambda: Bms("dalybms", DalyBmsEmulator(CellModel(cells=16, soc=0.5))),
}


async def soak(
    make: Callable[[], Driver], polls: int, seed: int, late_reaches_next: bool
) -> tuple[Result, int]:
    driver = make()
    device = driver.device()
    server = await asyncio.start_server(lambda r, w: handle_client(device, r, w), "127.0.0.1", 0)
    relay = Relay(server.sockets[0].getsockname()[1], random.Random(seed), late_reaches_next)
    relay_server = await relay.start()
    url = f"socket://127.0.0.1:{relay.port}"
    result = Result()
    try:
        for _ in range(polls):
            result.polls += 1
            try:
                soc = await driver.read_soc(url)
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
        relay_server.close()
        server.close()
    return result, relay.faults


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
