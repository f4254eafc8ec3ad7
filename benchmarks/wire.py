"""How long the Axpert takes us against the time its bytes need on the wire.

    .venv/bin/python -m benchmarks.wire [--runs N] [--baud B]

The emulated Axpert is served on TCP behind a relay that holds every chunk for as long as
its bytes take at the given baud rate (10 bits a byte), both ways; the wire time is what the
requests and replies of a case need at that rate. Cases:
- cli: the whole process of `python -m custom_components.diy_solar.drivers.pi30 status
  --tcp`, from start to exit. Aim: within 1.2 times the wire time.
- poll: what Home Assistant's coordinator asks every poll (QPIGS, QMOD, QPIWS), and
- poll+qpiri: the same with the settings read again (QPIRI, once a minute), both through
  one client that stays connected. Aim: within 1.1 times the wire time on average.

case,runs,bytes,wire_s,median_s,ratio
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from custom_components.diy_solar.drivers.pi30 import Pi30Client, StreamTransport
from custom_components.diy_solar.emulators.pi30 import Pi30Emulator, PtyServer
from custom_components.diy_solar.emulators.plant import Plant
from custom_components.diy_solar.emulators.serve import handle_client

HEADER = "case,runs,bytes,wire_s,median_s,ratio"
BITS_PER_BYTE = 10  # start, 8 data, stop


@dataclass
class PacedRelay:
    """Passes bytes both ways as a serial line at baud would, counting them."""

    upstream_port: int
    baud: int
    carried: int = 0

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while chunk := await reader.read(4096):
                await asyncio.sleep(len(chunk) * BITS_PER_BYTE / self.baud)
                self.carried += len(chunk)
                writer.write(chunk)
                await writer.drain()
        writer.close()

    async def client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        await asyncio.gather(self._pump(reader, up_writer), self._pump(up_reader, writer))


@contextlib.asynccontextmanager
async def paced_axpert(baud: int) -> AsyncIterator[tuple[int, PacedRelay]]:
    """An emulated Axpert on TCP behind a relay paced at baud: its port and the relay."""
    device = PtyServer(Pi30Emulator(plant=Plant(soc=0.6, pv_w=900.0, load_w=400.0)))
    server = await asyncio.start_server(lambda r, w: handle_client(device, r, w), "127.0.0.1", 0)
    relay = PacedRelay(server.sockets[0].getsockname()[1], baud)
    relay_server = await asyncio.start_server(relay.client, "127.0.0.1", 0)
    try:
        yield relay_server.sockets[0].getsockname()[1], relay
    finally:
        relay_server.close()
        server.close()
        device.close()


def _line(case: str, times: list[float], carried: int, baud: int) -> str:
    wire = carried * BITS_PER_BYTE / baud
    median = statistics.median(times)
    return f"{case},{len(times)},{carried},{wire:.3f},{median:.3f},{median / wire:.2f}"


async def measure_cli(runs: int, baud: int) -> str:
    command = ("-m", "custom_components.diy_solar.drivers.pi30", "status", "--tcp")
    times, carried = [], 0
    async with paced_axpert(baud) as (port, relay):
        for _ in range(runs):
            relay.carried = 0
            start = time.perf_counter()
            process = await asyncio.create_subprocess_exec(
                sys.executable, *command, f"127.0.0.1:{port}", stdout=asyncio.subprocess.DEVNULL
            )
            if await process.wait() != 0:
                raise RuntimeError("status failed")
            times.append(time.perf_counter() - start)
            carried = relay.carried
    return _line("cli", times, carried, baud)


async def measure_poll(runs: int, baud: int, *, rated: bool) -> str:
    times, carried = [], 0
    async with paced_axpert(baud) as (port, relay):
        client = Pi30Client(StreamTransport(f"socket://127.0.0.1:{port}"), timeout=5.0)
        try:
            await client.get_mode()  # connected, as the coordinator is between polls
            for _ in range(runs):
                relay.carried = 0
                start = time.perf_counter()
                if rated:
                    await client.get_rated()
                await client.get_status()
                await client.get_mode()
                await client.get_warnings()
                times.append(time.perf_counter() - start)
                carried = relay.carried
        finally:
            await client.close()
    return _line("poll+qpiri" if rated else "poll", times, carried, baud)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.wire")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baud", type=int, default=2400)
    args = parser.parse_args()
    print(HEADER)
    print(asyncio.run(measure_cli(args.runs, args.baud)), flush=True)
    print(asyncio.run(measure_poll(args.runs, args.baud, rated=False)), flush=True)
    print(asyncio.run(measure_poll(args.runs, args.baud, rated=True)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
