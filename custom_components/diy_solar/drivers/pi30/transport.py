"""Byte transports for PI30: serial/TCP through serialx, USB HID, and in-memory.

A transport opens lazily and exchanges one request frame for one response frame.
Before each request it drops what is already waiting (a duplicated or late reply); after a
timeout or a bad frame the client has it drain the line until it has been quiet, so that a
late reply is never taken as the answer to the next request (on a TCP-serial gateway, late
bytes reach whichever connection is open, so closing alone would not do).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import serialx

from ..lines import ARRIVED_S, drop_until_quiet
from .exceptions import Pi30ConnectionError

BAUDRATE = 2400
# After a fault, the line counts as quiet once nothing arrived for this long: a PI30 reply
# is sent without gaps, and 0.2 s is some 50 bytes at 2400 baud.
QUIET_S = 0.2
HID_REPORT_SIZE = 8
AXPERT_HID_VID = 0x0665
AXPERT_HID_PID = 0x5161
SYSFS_HIDRAW = Path("/sys/class/hidraw")


class Transport(Protocol):
    """One request frame out, one response frame (ending in CR) back."""

    @property
    def address(self) -> str: ...

    async def exchange(self, request: bytes) -> bytes: ...

    async def drain(self, quiet: float = QUIET_S) -> None:
        """Read and drop bytes until none arrived for quiet seconds."""

    async def close(self) -> None: ...


class StreamTransport:
    """RS232 adapters, TCP serial gateways and ESPHome proxies, all by serialx URL."""

    def __init__(self, url: str, baudrate: int = BAUDRATE) -> None:
        self._url = url
        self._baudrate = baudrate
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    @property
    def address(self) -> str:
        return self._url

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._reader is None or self._writer is None:
            try:
                self._reader, self._writer = await serialx.open_serial_connection(
                    url=self._url, baudrate=self._baudrate
                )
            except (OSError, serialx.SerialException) as err:
                raise Pi30ConnectionError(f"cannot open {self._url}: {err}") from err
        return self._reader, self._writer

    async def exchange(self, request: bytes) -> bytes:
        reader, writer = await self._open()
        try:
            await drop_until_quiet(lambda: reader.read(4096), ARRIVED_S)
            writer.write(request)
            await writer.drain()
            return await reader.readuntil(b"\r")
        except (OSError, serialx.SerialException, asyncio.IncompleteReadError) as err:
            await self.close()
            raise Pi30ConnectionError(f"{self._url}: {err}") from err

    async def drain(self, quiet: float = QUIET_S) -> None:
        if self._reader is None:
            return
        reader = self._reader
        try:
            await drop_until_quiet(lambda: reader.read(4096), quiet)
        except (OSError, serialx.SerialException) as err:
            await self.close()
            raise Pi30ConnectionError(f"{self._url}: {err}") from err

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            # serialx releases the port lock in the background; a reopen right after
            # (a retry after a CRC error) must wait for it.
            with contextlib.suppress(OSError, serialx.SerialException):
                await writer.wait_closed()


@dataclass(frozen=True)
class HidDevice:
    """A hidraw node and the USB ids behind it."""

    path: str
    vid: int
    pid: int


def list_hidraw(sysfs: Path = SYSFS_HIDRAW, dev: Path = Path("/dev")) -> list[HidDevice]:
    """The hidraw nodes on this machine with their USB vendor and product ids."""
    found = []
    for node in sorted(sysfs.glob("hidraw*")):
        try:
            uevent = (node / "device" / "uevent").read_text()
        except OSError:
            continue
        for line in uevent.splitlines():
            # HID_ID=0003:00000665:00005161 (bus:vendor:product)
            if line.startswith("HID_ID="):
                _, vid, pid = line.removeprefix("HID_ID=").split(":")
                found.append(HidDevice(str(dev / node.name), int(vid, 16), int(pid, 16)))
    return found


class HidTransport:
    """The inverter's own USB port: /dev/hidraw*, 8-byte reports.

    hidraw numbers change after a replug or reboot, so when the stored node is
    gone or now belongs to another device the node is found again by USB ids.
    """

    def __init__(
        self,
        path: str,
        vid: int = AXPERT_HID_VID,
        pid: int = AXPERT_HID_PID,
        sysfs: Path = SYSFS_HIDRAW,
    ) -> None:
        self._path = path
        self._vid = vid
        self._pid = pid
        self._sysfs = sysfs
        self._fd: int | None = None

    @property
    def address(self) -> str:
        return self._path

    def _resolve(self) -> str:
        devices = list_hidraw(self._sysfs)
        if not devices:
            # No sysfs entry (a bare node or a test stand-in): trust the path.
            return self._path
        matching = [d.path for d in devices if (d.vid, d.pid) == (self._vid, self._pid)]
        if self._path in matching or not matching:
            return self._path
        return matching[0]

    def _open_node(self) -> tuple[str, int]:
        """Find and open the node (blocking: sysfs reads and open(), so run off the loop)."""
        path = self._resolve()
        try:
            return path, os.open(path, os.O_RDWR | os.O_NONBLOCK | os.O_NOCTTY)
        except OSError as err:
            raise Pi30ConnectionError(f"cannot open {path}: {err}") from err

    async def _open(self) -> int:
        if self._fd is None:
            loop = asyncio.get_running_loop()
            self._path, fd = await loop.run_in_executor(None, self._open_node)
            self._fd = fd
        return self._fd

    async def exchange(self, request: bytes) -> bytes:
        fd = await self._open()
        try:
            await drop_until_quiet(lambda: self._read_some(fd), ARRIVED_S)
            for start in range(0, len(request), HID_REPORT_SIZE):
                report = request[start : start + HID_REPORT_SIZE]
                os.write(fd, report.ljust(HID_REPORT_SIZE, b"\x00"))
            return await self._read_frame(fd)
        except OSError as err:
            await self.close()
            raise Pi30ConnectionError(f"{self._path}: {err}") from err

    async def _read_some(self, fd: int) -> bytes:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        loop.add_reader(fd, ready.set_result, None)
        try:
            await ready
        finally:
            loop.remove_reader(fd)
        chunk = os.read(fd, 64)
        if not chunk:
            raise OSError("device closed")
        return chunk

    async def _read_frame(self, fd: int) -> bytes:
        buffer = bytearray()
        while b"\r" not in buffer:
            buffer += await self._read_some(fd)
        return bytes(buffer[: buffer.index(b"\r") + 1])

    async def drain(self, quiet: float = QUIET_S) -> None:
        if (fd := self._fd) is None:
            return
        try:
            await drop_until_quiet(lambda: self._read_some(fd), quiet)
        except OSError as err:
            await self.close()
            raise Pi30ConnectionError(f"{self._path}: {err}") from err

    async def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


class MemoryTransport:
    """Hands request bytes to an in-process device (the built-in simulator)."""

    def __init__(self, handler: Callable[[bytes], Awaitable[bytes | None]]) -> None:
        self._handler = handler

    @property
    def address(self) -> str:
        return "simulator"

    async def exchange(self, request: bytes) -> bytes:
        response = await self._handler(request)
        while response is None:
            # A silent device: wait until the client's timeout cancels us, as on a real port.
            await asyncio.Event().wait()
        return response

    async def drain(self, quiet: float = QUIET_S) -> None:
        return None

    async def close(self) -> None:
        return None
