"""A serial line to a BMS through serialx: write a request, read a reply of known shape.

Every request first throws away whatever is already waiting (a duplicated reply). After a
timeout or a bad frame the line may still carry the rest of a late or broken reply: the
next request first waits until the line has been quiet for a while, so one bad reply never
answers the next request.
"""

from __future__ import annotations

import asyncio
import contextlib

import serialx

from ..lines import ARRIVED_S, drop_until_quiet
from .exceptions import BmsConnectionError

# How long the line must stay quiet before a request after a failure: longer than a
# late reply takes to finish (a 24S JK frame is 26 ms at 115200 baud, a Daly poll's frames
# some 200 ms at 9600).
_SETTLE = 0.25


class SerialLink:
    def __init__(self, url: str, baudrate: int, timeout: float) -> None:
        self.url = url
        self.baudrate = baudrate
        self.timeout = timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._dirty = False
        # One request and its reply at a time: a client holds this across the two, so a
        # write made during a poll waits for the line instead of reading the poll's reply.
        self.turn = asyncio.Lock()

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._reader is None or self._writer is None:
            try:
                self._reader, self._writer = await serialx.open_serial_connection(
                    url=self.url, baudrate=self.baudrate
                )
            except (OSError, serialx.SerialException) as err:
                raise BmsConnectionError(f"cannot open {self.url}: {err}") from err
        return self._reader, self._writer

    async def send(self, frame: bytes) -> None:
        reader, writer = await self._open()
        # A reply later than the timeout may come up to another timeout after it.
        quiet = max(_SETTLE, 2 * self.timeout) if self._dirty else ARRIVED_S
        await drop_until_quiet(lambda: reader.read(4096), quiet)
        self._dirty = False
        try:
            writer.write(frame)
            await writer.drain()
        except (OSError, serialx.SerialException) as err:
            await self.close()
            raise BmsConnectionError(f"{self.url}: {err}") from err

    async def read(self, count: int) -> bytes:
        """Exactly count bytes, or BmsConnectionError when they do not come in time."""
        reader, _ = await self._open()
        try:
            return await asyncio.wait_for(reader.readexactly(count), self.timeout)
        except TimeoutError as err:
            self._dirty = True
            raise BmsConnectionError(f"{self.url}: no complete reply in {self.timeout} s") from err
        except (OSError, serialx.SerialException, asyncio.IncompleteReadError) as err:
            await self.close()
            raise BmsConnectionError(f"{self.url}: {err}") from err

    async def seek(self, marker: bytes) -> None:
        """Skip bytes up to and including marker (the start of a frame)."""
        reader, _ = await self._open()
        try:
            await asyncio.wait_for(reader.readuntil(marker), self.timeout)
        except (TimeoutError, asyncio.LimitOverrunError) as err:
            self._dirty = True
            raise BmsConnectionError(f"{self.url}: no reply in {self.timeout} s") from err
        except (OSError, serialx.SerialException, asyncio.IncompleteReadError) as err:
            await self.close()
            raise BmsConnectionError(f"{self.url}: {err}") from err

    def mark_dirty(self) -> None:
        """A frame was rejected: what follows it on the line cannot be trusted."""
        self._dirty = True

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        self._dirty = False
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError, serialx.SerialException):
                await writer.wait_closed()
