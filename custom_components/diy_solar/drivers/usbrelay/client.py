"""Finds USB relay boards and switches their channels through hidapi (blocking calls).

hidapi is reached through a small backend interface, so tests can put a fake board at
that boundary and everything above it is the real code.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Protocol

from .protocol import (
    PID,
    REPORT_SIZE,
    VID,
    BoardState,
    all_command,
    channels_from_product,
    parse_report,
    switch_command,
)


class UsbRelayError(Exception):
    """Base class of the USB relay driver's errors."""


class UsbRelayConnectionError(UsbRelayError):
    """The board is not there (unplugged), or it did not take a report."""


class HidDevice(Protocol):
    def open_path(self, path: bytes) -> None: ...

    def get_feature_report(self, report_id: int, size: int) -> list[int]: ...

    def send_feature_report(self, data: bytes) -> int: ...

    def close(self) -> None: ...


class HidBackend(Protocol):
    def enumerate(self, vendor_id: int, product_id: int) -> list[dict[str, Any]]: ...

    def device(self) -> HidDevice: ...


def hidapi() -> HidBackend:
    """The real hidapi module (imported late: only real boards need it)."""
    import hid  # noqa: PLC0415

    backend: HidBackend = hid
    return backend


@dataclass(frozen=True)
class BoardInfo:
    path: bytes
    serial: str
    channels: int


def _read(device: HidDevice, channels: int) -> BoardState:
    # Report id 0 and one byte more for it; the id comes back first and is dropped.
    report = bytes(device.get_feature_report(0, REPORT_SIZE + 1))
    return parse_report(report[1:] if len(report) > REPORT_SIZE else report, channels)


def find_boards(backend: HidBackend) -> list[BoardInfo]:
    """Every board plugged in, with the serial it reports."""
    boards = []
    for found in backend.enumerate(VID, PID):
        channels = channels_from_product(found.get("product_string"))
        if channels is None:
            continue
        device = backend.device()
        try:
            device.open_path(found["path"])
            state = _read(device, channels)
        except (OSError, ValueError):
            continue  # held by another program, or gone again
        finally:
            device.close()
        boards.append(BoardInfo(found["path"], state.serial, channels))
    return boards


class UsbRelayBoard:
    """One board, found by its serial wherever it is plugged in."""

    def __init__(self, serial: str, backend: HidBackend) -> None:
        self.serial = serial
        self.backend = backend
        self.channels = 0
        self._device: HidDevice | None = None
        self._lock = threading.Lock()

    def _open(self) -> HidDevice:
        if self._device is None:
            board = next((b for b in find_boards(self.backend) if b.serial == self.serial), None)
            if board is None:
                raise UsbRelayConnectionError(f"relay board {self.serial} is not plugged in")
            device = self.backend.device()
            try:
                device.open_path(board.path)
            except OSError as err:
                raise UsbRelayConnectionError(f"relay board {self.serial}: {err}") from err
            self._device, self.channels = device, board.channels
        return self._device

    def _run(self, command: bytes | None) -> BoardState:
        with self._lock:
            device = self._open()
            try:
                if command is not None:
                    device.send_feature_report(b"\x00" + command)
                return _read(device, self.channels)
            except (OSError, ValueError) as err:
                self._close()
                raise UsbRelayConnectionError(f"relay board {self.serial}: {err}") from err

    def read(self) -> BoardState:
        return self._run(None)

    def switch(self, channel: int, on: bool) -> BoardState:
        """Switch one channel (1-based); the state is what the board reports after."""
        if not 1 <= channel <= (self.channels or 8):
            raise ValueError(f"channel {channel} is not on this board")
        return self._run(switch_command(channel, on))

    def switch_all(self, on: bool) -> BoardState:
        return self._run(all_command(on))

    def _close(self) -> None:
        if self._device is not None:
            self._device.close()
            self._device = None

    def close(self) -> None:
        with self._lock:
            self._close()
