"""Reads a Daly BMS over UART or RS485 and switches its MOSFETs."""

from __future__ import annotations

import contextlib

from ..bms import (
    BmsConnectionError,
    BmsFrameError,
    BmsRejectedError,
    BmsStatus,
    SerialLink,
)
from .protocol import (
    BAUDRATE,
    CELLS_PER_FRAME,
    FRAME_LENGTH,
    HOST_RS485,
    START,
    TEMPERATURES_PER_FRAME,
    DataId,
    Replies,
    assemble,
    decode_mosfets,
    decode_status_info,
    frames_for,
    is_reply_to_another,
    parse_reply,
    request,
)

DEFAULT_TIMEOUT = 0.5


class DalyBmsClient:
    def __init__(
        self,
        url: str,
        *,
        host: int = HOST_RS485,
        invert_current: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.link = SerialLink(url, BAUDRATE, timeout)
        self.host = host
        self.invert_current = invert_current

    @property
    def url(self) -> str:
        return self.link.url

    async def _read_frame(self, data_id: int, sent: bytes) -> bytes:
        """The data of the next frame that answers data_id, skipping an echo of sent."""
        echoed = False
        while True:
            try:
                await self.link.seek(bytes([START]))
                frame = bytes([START]) + await self.link.read(FRAME_LENGTH - 1)
            except BmsConnectionError as err:
                if echoed:
                    raise BmsFrameError("only the echo of the request came back") from err
                raise
            if frame == sent and not echoed:
                echoed = True  # a half-duplex adapter hears itself; the reply follows
                continue
            if is_reply_to_another(frame, data_id):
                continue  # a late reply to an earlier request: never this one's answer
            try:
                return parse_reply(frame, data_id)
            except BmsFrameError:
                self.link.mark_dirty()
                raise

    async def query(self, data_id: int, frames: int = 1, data: bytes = b"") -> list[bytes]:
        sent = request(data_id, self.host, data)
        async with self.link.turn:
            await self.link.send(sent)
            return [await self._read_frame(data_id, sent) for _ in range(frames)]

    async def _one(self, data_id: DataId) -> bytes:
        return (await self.query(data_id))[0]

    async def read_status(self) -> BmsStatus:
        status = await self._one(DataId.STATUS)
        info = decode_status_info(status)
        return assemble(
            Replies(
                pack=await self._one(DataId.PACK),
                cell_range=await self._one(DataId.CELL_RANGE),
                temperature_range=await self._one(DataId.TEMPERATURE_RANGE),
                mosfets=await self._one(DataId.MOSFETS),
                status=status,
                cells=await self.query(
                    DataId.CELL_VOLTAGES, frames_for(info.cells, CELLS_PER_FRAME)
                ),
                temperatures=await self.query(
                    DataId.TEMPERATURES,
                    frames_for(info.temperature_sensors, TEMPERATURES_PER_FRAME),
                ),
                balancing=await self._one(DataId.BALANCING),
                failures=await self._one(DataId.FAILURES),
            ),
            invert_current=self.invert_current,
        )

    async def set_mosfet(self, charge: bool, on: bool) -> None:
        """Switch the charge (or discharge) MOSFET and confirm it by reading 0x93 back."""
        data_id = DataId.CHARGE_MOSFET if charge else DataId.DISCHARGE_MOSFET
        # Some firmware switches without answering: the read-back decides.
        with contextlib.suppress(BmsConnectionError):
            await self.query(data_id, data=bytes([int(on)]))
        mosfets = decode_mosfets(await self._one(DataId.MOSFETS))
        if (mosfets.charge if charge else mosfets.discharge) is not on:
            which = "charge" if charge else "discharge"
            raise BmsRejectedError(f"the {which} MOSFET did not switch {'on' if on else 'off'}")

    async def close(self) -> None:
        await self.link.close()
