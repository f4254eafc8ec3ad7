"""A pseudo-terminal that plays a device on a serial line; the slave path is the 'port'."""

from __future__ import annotations

import asyncio
import contextlib
import os
import tty


class PtyDevice:
    """Reads requests from the pty, answers them; subclasses say where a frame ends."""

    def __init__(self) -> None:
        self._master, self._slave = os.openpty()
        # Raw mode: no CR/LF translation or echo, as on a real serial line.
        tty.setraw(self._slave)
        os.set_blocking(self._master, False)
        self.path = os.ttyname(self._slave)
        self._buffer = bytearray()
        self._tasks: set[asyncio.Task[None]] = set()
        asyncio.get_running_loop().add_reader(self._master, self._on_readable)

    def take_frame(self, buffer: bytearray) -> bytes | None:
        """Remove and return one complete request from buffer, or None to wait for more."""
        raise NotImplementedError

    async def answer(self, request: bytes) -> bytes | None:
        """The bytes to send back, or None for silence."""
        raise NotImplementedError

    def _on_readable(self) -> None:
        try:
            self._buffer += os.read(self._master, 1024)
        except OSError:
            return
        while (request := self.take_frame(self._buffer)) is not None:
            task = asyncio.get_running_loop().create_task(self._reply(request))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _reply(self, request: bytes) -> None:
        response = await self.answer(request)
        if response is not None:
            with contextlib.suppress(OSError):
                os.write(self._master, response)

    def close(self) -> None:
        asyncio.get_running_loop().remove_reader(self._master)
        for task in self._tasks:
            task.cancel()
        os.close(self._master)
        os.close(self._slave)
