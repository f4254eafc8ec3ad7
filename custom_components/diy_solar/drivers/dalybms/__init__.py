"""Daly BMS over UART or RS485, 13-byte frames (no Home Assistant import).

Usable without Home Assistant::

    client = DalyBmsClient("/dev/ttyUSB0")
    status = await client.read_status()
    await client.set_mosfet(charge=True, on=False)
"""

from .client import DalyBmsClient
from .protocol import (
    ALARMS,
    BAUDRATE,
    HOST_RS485,
    HOST_UART,
    DataId,
    build_frame,
    parse_reply,
    request,
)

__all__ = [
    "ALARMS",
    "BAUDRATE",
    "HOST_RS485",
    "HOST_UART",
    "DalyBmsClient",
    "DataId",
    "build_frame",
    "parse_reply",
    "request",
]
