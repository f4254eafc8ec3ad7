"""JK BMS over RS485 or the GPS/UART port, "4E 57" protocol (no Home Assistant import).

Usable without Home Assistant::

    client = JkBmsClient("/dev/ttyUSB0")
    status = await client.read_status()
    print(status.soc, status.cell_voltages)
"""

from .client import JkBmsClient
from .protocol import (
    ALARMS,
    BAUDRATE,
    READ_ALL_REQUEST,
    Command,
    TemperatureConvention,
    build_frame,
    decode_status,
    parse_frame,
    walk_blocks,
)

__all__ = [
    "ALARMS",
    "BAUDRATE",
    "READ_ALL_REQUEST",
    "Command",
    "JkBmsClient",
    "TemperatureConvention",
    "build_frame",
    "decode_status",
    "parse_frame",
    "walk_blocks",
]
