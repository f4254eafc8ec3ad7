"""Builds a PI30 client from a config entry's data (the one place that knows transports)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from homeassistant.const import CONF_DEVICE, CONF_HOST, CONF_PORT

from ..const import CONF_HID_PID, CONF_HID_VID, CONF_TRANSPORT, TransportKind
from ..drivers.pi30 import (
    AXPERT_HID_PID,
    AXPERT_HID_VID,
    HidTransport,
    MemoryTransport,
    Pi30Client,
    StreamTransport,
    Transport,
)
from ..emulators.pi30 import Pi30Emulator


def build_transport(data: Mapping[str, Any]) -> Transport:
    """The transport for an entry; the simulator's emulator lives behind its transport."""
    match TransportKind(data[CONF_TRANSPORT]):
        case TransportKind.SERIAL:
            return StreamTransport(data[CONF_DEVICE])
        case TransportKind.TCP:
            return StreamTransport(f"socket://{data[CONF_HOST]}:{data[CONF_PORT]}")
        case TransportKind.HID:
            return HidTransport(
                data[CONF_DEVICE],
                data.get(CONF_HID_VID, AXPERT_HID_VID),
                data.get(CONF_HID_PID, AXPERT_HID_PID),
            )
        case TransportKind.SIMULATOR:
            return MemoryTransport(Pi30Emulator(clock=time.time, follow_sun=True).handle)


def build_client(data: Mapping[str, Any]) -> Pi30Client:
    return Pi30Client(build_transport(data))


def describe(data: Mapping[str, Any]) -> str:
    """Where the device is, for titles and stable fallback ids."""
    match TransportKind(data[CONF_TRANSPORT]):
        case TransportKind.TCP:
            return f"{data[CONF_HOST]}:{data[CONF_PORT]}"
        case TransportKind.SIMULATOR:
            return "simulator"
    return str(data[CONF_DEVICE])
