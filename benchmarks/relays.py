"""Fault-injecting relays for the fault soak: one on TCP, one between two python-can
virtual channels. Seeded; each gets about one reply in ten wrong.

A late reply comes later than the driver waits. Where it goes is the delivery model: it
dies with the connection it was meant for, or reaches whatever listens then (a TCP-serial
gateway, a shared bus).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from dataclasses import dataclass, field

import can

FAULT_RATE = 0.1
# On a serial line or a gateway.
STREAM_FAULTS = ("bitflip", "truncate", "drop", "garbage", "slow", "late", "duplicate")
# On CAN a flipped bit fails the frame's CRC in the controller and never reaches software,
# and a frame cannot arrive in pieces: what remains is a lost frame, one a byte short
# (firmware), one delayed, late or twice, and frames from another address or for another
# command in between.
CAN_FAULTS = ("drop", "short", "slow", "late", "duplicate", "foreign")


@dataclass
class Faults:
    """Which reply goes wrong and how, from one seeded generator."""

    rng: random.Random
    kinds: tuple[str, ...]
    late_reaches_next: bool
    late_s: float  # when a late reply arrives, after it was sent
    count: int = 0

    def pick(self) -> str | None:
        if self.rng.random() >= FAULT_RATE:
            return None
        self.count += 1
        return self.rng.choice(self.kinds)


@dataclass
class TcpRelay:
    """Between a driver and its emulator's server: passes requests, mangles replies."""

    upstream_port: int
    faults: Faults
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
        rng = self.faults.rng
        match self.faults.pick():
            case None:
                writer.write(reply)
            case "bitflip":
                mangled = bytearray(reply)
                mangled[rng.randrange(len(reply))] ^= 1 << rng.randrange(8)
                writer.write(bytes(mangled))
            case "truncate":
                writer.write(reply[: rng.randrange(len(reply))])
            case "drop":
                pass
            case "garbage":
                writer.write(rng.randbytes(rng.randint(1, 8)) + reply)
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
        await asyncio.sleep(self.faults.late_s)
        target = self._current if self.faults.late_reaches_next else writer
        if target is not None and not target.is_closing():
            target.write(reply)


class CanRelay:
    """Joins the driver's virtual channel to the device's: requests pass, replies are
    mangled. Frames with another id than the device's reply id pass untouched."""

    def __init__(
        self, driver_channel: str, device_channel: str, reply_id: int, faults: Faults
    ) -> None:
        self.faults = faults
        self._reply_id = reply_id
        self._loop = asyncio.get_running_loop()
        self._to_driver = can.Bus(interface="virtual", channel=driver_channel)
        self._to_device = can.Bus(interface="virtual", channel=device_channel)
        self._notifiers = [
            can.Notifier(self._to_driver, [self._to_device.send], loop=self._loop),
            can.Notifier(self._to_device, [self._deliver], loop=self._loop),
        ]
        self._last: can.Message | None = None

    def _send(self, msg: can.Message) -> None:
        self._to_driver.send(msg)

    def _deliver(self, reply: can.Message) -> None:
        if reply.arbitration_id != self._reply_id:
            self._send(reply)
            return
        match self.faults.pick():
            case None:
                self._send(reply)
            case "drop":
                pass
            case "short":
                self._send(_with(reply, data=bytes(reply.data[:-1])))
            case "slow":
                self._loop.call_later(self.faults.late_s / 3, self._send, reply)
            case "late":
                if self.faults.late_reaches_next:
                    self._loop.call_later(self.faults.late_s, self._send, reply)
            case "duplicate":
                self._send(reply)
                self._send(reply)
            case _:
                self._send(_with(reply, arbitration_id=reply.arbitration_id ^ 1))
                last = self._last
                if last is not None and last.data[:2] != reply.data[:2]:
                    self._send(last)  # another command's reply, out of turn
                self._send(reply)
        self._last = reply

    def close(self) -> None:
        for notifier in self._notifiers:
            notifier.stop()
        self._to_driver.shutdown()
        self._to_device.shutdown()


def _with(msg: can.Message, **changes: object) -> can.Message:
    fields: dict[str, object] = {
        "arbitration_id": msg.arbitration_id,
        "data": bytes(msg.data),
        "is_extended_id": msg.is_extended_id,
    }
    fields.update(changes)
    return can.Message(**fields)  # type: ignore[arg-type]
