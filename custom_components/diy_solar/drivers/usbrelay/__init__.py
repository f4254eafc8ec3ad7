"""USB HID relay boards ("USBRelay1/2/4/8", 16c0:05df) through hidapi (no HA import).

Usable without Home Assistant::

    board = UsbRelayBoard("LHCXI", hidapi())
    print(board.switch(1, True).states)
"""

from .client import (
    BoardInfo,
    HidBackend,
    HidDevice,
    UsbRelayBoard,
    UsbRelayConnectionError,
    UsbRelayError,
    find_boards,
    hidapi,
)
from .protocol import PID, VID, BoardState, channels_from_product, parse_report

__all__ = [
    "PID",
    "VID",
    "BoardInfo",
    "BoardState",
    "HidBackend",
    "HidDevice",
    "UsbRelayBoard",
    "UsbRelayConnectionError",
    "UsbRelayError",
    "channels_from_product",
    "find_boards",
    "hidapi",
    "parse_report",
]
