"""The emulators served on TCP, as a user starts them to try a tool, read by our drivers
through their TCP transports."""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from custom_components.diy_solar.drivers.dalybms import DalyBmsClient
from custom_components.diy_solar.drivers.jkbms import JkBmsClient
from custom_components.diy_solar.drivers.pi30 import Pi30Client, StreamTransport
from tests.drivers.cli import ROOT


async def _pi30(url: str) -> float:
    client = Pi30Client(StreamTransport(url))
    try:
        return (await client.get_status()).battery_capacity
    finally:
        await client.close()


async def _bms(client: JkBmsClient | DalyBmsClient) -> float:
    try:
        return (await client.read_status()).soc
    finally:
        await client.close()


READERS: dict[str, Callable[[str], Awaitable[float]]] = {
    "pi30": _pi30,
    "jkbms": lambda url: _bms(JkBmsClient(url)),
    "dalybms": lambda url: _bms(DalyBmsClient(url)),
}


@pytest.fixture
async def served(request: pytest.FixtureRequest) -> AsyncIterator[tuple[str, str]]:
    name = request.param
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        f"custom_components.diy_solar.emulators.{name}",
        "serve",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
    port = re.search(r":(\d+) ", line)
    assert port is not None, line
    yield name, f"socket://127.0.0.1:{port.group(1)}"
    process.terminate()
    await process.wait()


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize("served", sorted(READERS), indirect=True)
async def test_an_emulator_served_on_tcp_answers_our_driver(served: tuple[str, str]) -> None:
    name, url = served
    assert 0 <= await READERS[name](url) <= 100
