"""Builds a Lumentree client from an entry's data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.const import CONF_DEVICE

from ..const import CONF_MAX_POWER, CONF_SLAVES
from ..drivers.lumentree import LumentreeClient


def build_client(data: Mapping[str, Any]) -> LumentreeClient:
    return LumentreeClient(
        data[CONF_DEVICE],
        [int(slave) for slave in data[CONF_SLAVES]],
        max_power=int(data[CONF_MAX_POWER]),
    )


async def async_probe(data: Mapping[str, Any]) -> None:
    """Open the port, send every unit 0 W and read it once (for the config flow)."""
    client = build_client(data)
    try:
        await client.connect()
        for slave in client.slaves:
            await client.read(slave)
    finally:
        await client.close()
