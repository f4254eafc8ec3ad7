"""Reading a line until it has gone quiet: what every driver whose replies may come late
does before a request, so that no old reply answers it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

# Long enough to read what has already arrived, too short for anything more to arrive.
ARRIVED_S = 0.001


async def drop_until_quiet(read: Callable[[], Awaitable[bytes]], quiet: float) -> None:
    """Drop what read returns until it brings nothing within quiet seconds, or the end of
    the stream."""
    while True:
        try:
            async with asyncio.timeout(quiet):
                if not await read():
                    return
        except TimeoutError:
            return
