"""Serve an emulator on TCP, so that any tool (ours, mpp-solar, a BMS app through a
TCP-serial bridge) can be tried against it:

    python -m custom_components.diy_solar.emulators.pi30 serve --port 8899
    python -m custom_components.diy_solar.emulators.jkbms serve --port 8900
    python -m custom_components.diy_solar.emulators.dalybms serve --port 8901

Every client that connects talks to the one emulated device; the emulator also keeps its
pty, whose path is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import Callable

from .pty import PtyDevice


async def handle_client(
    device: PtyDevice, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    buffer = bytearray()
    with contextlib.suppress(ConnectionError):
        while chunk := await reader.read(1024):
            buffer += chunk
            while (request := device.take_frame(buffer)) is not None:
                if (response := await device.answer(request)) is not None:
                    writer.write(response)
                    await writer.drain()
    writer.close()


async def serve(make: Callable[[], PtyDevice], host: str, port: int) -> None:
    device = make()
    server = await asyncio.start_server(lambda r, w: handle_client(device, r, w), host, port)
    bound = server.sockets[0].getsockname()
    print(f"serving on {bound[0]}:{bound[1]} (pty {device.path})", flush=True)
    async with server:
        await server.serve_forever()


def main(name: str, make: Callable[[], PtyDevice]) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m custom_components.diy_solar.emulators.{name}")
    commands = parser.add_subparsers(dest="command", required=True)
    serving = commands.add_parser("serve", help="answer on a TCP port")
    serving.add_argument("--host", default="127.0.0.1")
    serving.add_argument("--port", type=int, default=0, help="0: any free port")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(make, args.host, args.port))
