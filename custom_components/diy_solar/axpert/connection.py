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
from ..emulators.plant import Plant


def build_transport(data: Mapping[str, Any], plant: Plant | None = None) -> Transport:
    """The transport for an entry; the simulator's emulator lives behind its transport and
    reports from the plant given (the one the other simulators share)."""
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
            emulator = Pi30Emulator(
                plant=Plant() if plant is None else plant,
                clock=time.time,
                follow_sun=plant is None,
            )
            return MemoryTransport(emulator.handle)


def build_client(data: Mapping[str, Any], plant: Plant | None = None) -> Pi30Client:
    return Pi30Client(build_transport(data, plant))


def describe(data: Mapping[str, Any]) -> str:
    """Where the device is, for titles and stable fallback ids."""
    match TransportKind(data[CONF_TRANSPORT]):
        case TransportKind.TCP:
            return f"{data[CONF_HOST]}:{data[CONF_PORT]}"
        case TransportKind.SIMULATOR:
            return "simulator"
    return str(data[CONF_DEVICE])
