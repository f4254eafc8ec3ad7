"""The "USBRelay<N>" HID boards (VID 0x16C0, PID 0x05DF): 8-byte feature reports.

Commands: FF n = channel n on, FD n = off, FE = all on, FC = all off. The state comes
back in a feature report: the board's serial in bytes 0-4, one bit per channel in byte 7
(bit 0 = channel 1). Boards of one kind look the same on USB; the serial tells them apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VID = 0x16C0
PID = 0x05DF
REPORT_SIZE = 8
MAX_CHANNELS = 8
ON, OFF, ALL_ON, ALL_OFF = 0xFF, 0xFD, 0xFE, 0xFC
_PRODUCT = re.compile(r"USBRelay(\d)")


def channels_from_product(product: str | None) -> int | None:
    """Channel count from the product string, None for a product that is not a board."""
    match = _PRODUCT.fullmatch(product.strip()) if product else None
    if match is None or not 1 <= int(match.group(1)) <= MAX_CHANNELS:
        return None
    return int(match.group(1))


def switch_command(channel: int, on: bool) -> bytes:
    return bytes([ON if on else OFF, channel]).ljust(REPORT_SIZE, b"\x00")


def all_command(on: bool) -> bytes:
    return bytes([ALL_ON if on else ALL_OFF]).ljust(REPORT_SIZE, b"\x00")


@dataclass(frozen=True)
class BoardState:
    serial: str
    states: tuple[bool, ...]  # channel 1 first


def parse_report(report: bytes, channels: int) -> BoardState:
    if len(report) < REPORT_SIZE:
        raise ValueError(f"feature report of {len(report)} bytes, expected {REPORT_SIZE}")
    serial = report[:5].partition(b"\x00")[0].decode("ascii", "replace")
    return BoardState(serial, tuple(bool(report[7] >> i & 1) for i in range(channels)))
