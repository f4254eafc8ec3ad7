"""Shared fixtures.

Our package is imported before the test plugin's own ``custom_components``
testing package can shadow it, or Home Assistant finds no DIY Solar.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Iterator

import can
import pytest
from hypothesis import HealthCheck, settings

from custom_components import diy_solar  # noqa: F401
from custom_components.diy_solar.emulators.meanwell import MeanWellEmulator
from custom_components.diy_solar.emulators.pi30 import Pi30Emulator, PtyServer
from custom_components.diy_solar.emulators.plant import Plant

# Property tests: a few hundred examples each, the same ones on every run (CI stays
# stable); DIY_SOLAR_FUZZ=long looks much further, with fresh examples each time.
settings.register_profile("suite", max_examples=300, deadline=None, database=None, derandomize=True)
settings.register_profile(
    "long",
    max_examples=100_000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("DIY_SOLAR_FUZZ", "suite"))


@pytest.fixture
def emulator() -> Pi30Emulator:
    """An inverter whose readings stand still (no clock), so snapshots are stable."""
    return Pi30Emulator(plant=Plant(soc=0.62, pv_w=1240.0, load_w=450.0))


@pytest.fixture
async def pty_server(emulator: Pi30Emulator) -> AsyncIterator[PtyServer]:
    server = PtyServer(emulator)
    yield server
    server.close()


_channels = itertools.count()


@pytest.fixture
def channel() -> str:
    """A python-can virtual channel of this test's own."""
    return f"diy-solar-test-{next(_channels)}"


@pytest.fixture
def bic(channel: str) -> Iterator[MeanWellEmulator]:
    """A BIC-2200-48 answering on the test's channel."""
    emulator = MeanWellEmulator("BIC-2200-48")
    bus = can.Bus(interface="virtual", channel=channel)
    emulator.attach(bus)
    yield emulator
    emulator.detach()
    bus.shutdown()
