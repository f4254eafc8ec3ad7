"""Reads a JK BMS over its RS485 adapter or GPS/UART port."""

from __future__ import annotations

from ..bms import BmsFrameError, BmsStatus, SerialLink
from .protocol import (
    BAUDRATE,
    HEADER,
    MAX_FRAME,
    MIN_FRAME,
    READ_ALL_REQUEST,
    TemperatureConvention,
    decode_status,
)

DEFAULT_TIMEOUT = 1.0


class JkBmsClient:
    def __init__(
        self,
        url: str,
        *,
        convention: TemperatureConvention = TemperatureConvention.MINUS_ONE_AT_101,
        invert_current: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.link = SerialLink(url, BAUDRATE, timeout)
        self.convention = convention
        self.invert_current = invert_current

    @property
    def url(self) -> str:
        return self.link.url

    async def read_frame(self) -> bytes:
        """One whole read-all reply, framed by its length field; a half-duplex adapter's
        echo of the request is skipped."""
        async with self.link.turn:
            await self.link.send(READ_ALL_REQUEST)
            while True:
                await self.link.seek(HEADER)
                length = int.from_bytes(await self.link.read(2))
                if not MIN_FRAME - 2 <= length <= MAX_FRAME:
                    self.link.mark_dirty()
                    raise BmsFrameError(f"implausible frame length {length}")
                frame = HEADER + length.to_bytes(2) + await self.link.read(length - 2)
                if frame != READ_ALL_REQUEST:
                    return frame

    async def read_status(self) -> BmsStatus:
        frame = await self.read_frame()
        try:
            return decode_status(
                frame, convention=self.convention, invert_current=self.invert_current
            )
        except BmsFrameError:
            self.link.mark_dirty()
            raise

    async def close(self) -> None:
        await self.link.close()
