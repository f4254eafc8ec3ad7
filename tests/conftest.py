"""Shared fixtures.

Our package is imported before the test plugin's own ``custom_components``
testing package can shadow it, or Home Assistant finds no DIY Solar.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from custom_components import diy_solar  # noqa: F401
from custom_components.diy_solar.emulators.pi30 import Pi30Emulator, PtyServer
from custom_components.diy_solar.emulators.plant import Plant


@pytest.fixture
def emulator() -> Pi30Emulator:
    """An inverter whose readings stand still (no clock), so snapshots are stable."""
    return Pi30Emulator(plant=Plant(soc=0.62, pv_w=1240.0, load_w=450.0))


@pytest.fixture
async def pty_server(emulator: Pi30Emulator) -> AsyncIterator[PtyServer]:
    server = PtyServer(emulator)
    yield server
    server.close()
