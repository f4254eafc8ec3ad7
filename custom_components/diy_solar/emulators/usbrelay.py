"""USB relay boards emulated at the hidapi boundary: a stand-in for the `hid` module.

Only hidapi itself is replaced; the driver above it runs unchanged. Boards can be
unplugged and plugged back, as a loose USB cable does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..drivers.usbrelay.protocol import ALL_OFF, ALL_ON, OFF, ON, PID, REPORT_SIZE, VID


@dataclass
class RelayBoardEmulator:
    serial: str = "LHCXI"
    channels: int = 2
    path: bytes = b"/dev/hidraw3"
    states: list[bool] = field(default_factory=list)
    plugged: bool = True
    # Reports received, without the leading report id.
    commands: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.states = self.states or [False] * self.channels

    def feature_report(self) -> list[int]:
        bits = sum(1 << i for i, on in enumerate(self.states) if on)
        return [0, *self.serial.encode()[:5].ljust(5, b"\x00"), 0, 0, bits]

    def command(self, report: bytes) -> None:
        self.commands.append(report)
        code, channel = report[0], report[1]
        if code in (ON, OFF) and 1 <= channel <= self.channels:
            self.states[channel - 1] = code == ON
        elif code in (ALL_ON, ALL_OFF):
            self.states = [code == ALL_ON] * self.channels


class _Device:
    def __init__(self, hub: FakeHidapi) -> None:
        self._hub = hub
        self._board: RelayBoardEmulator | None = None

    def _plugged(self) -> RelayBoardEmulator:
        if self._board is None or not self._board.plugged:
            raise OSError("device disconnected")
        return self._board

    def open_path(self, path: bytes) -> None:
        board = next((b for b in self._hub.boards if b.path == path and b.plugged), None)
        if board is None:
            raise OSError(f"open failed: {path!r}")
        self._board = board

    def get_feature_report(self, report_id: int, size: int) -> list[int]:
        return self._plugged().feature_report()[: max(size, REPORT_SIZE)]

    def send_feature_report(self, data: bytes) -> int:
        self._plugged().command(bytes(data[1:]))
        return len(data)

    def close(self) -> None:
        self._board = None


class FakeHidapi:
    """What the driver needs of the `hid` module, answering for emulated boards."""

    def __init__(self, *boards: RelayBoardEmulator) -> None:
        self.boards = list(boards)

    def enumerate(self, vendor_id: int = 0, product_id: int = 0) -> list[dict[str, Any]]:
        return [
            {
                "path": b.path,
                "vendor_id": VID,
                "product_id": PID,
                "serial_number": "",
                "product_string": f"USBRelay{b.channels}",
            }
            for b in self.boards
            if b.plugged and (vendor_id, product_id) in ((0, 0), (VID, PID))
        ]

    def device(self) -> _Device:
        return _Device(self)
