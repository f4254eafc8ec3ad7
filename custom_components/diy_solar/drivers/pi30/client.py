"""The async PI30 client: one command in flight, timeouts, retries, confirmed setters."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TypeVar

from .codec import decode_response, encode_request
from .exceptions import (
    Pi30ConnectionError,
    Pi30ProtocolError,
    Pi30RejectedError,
    Pi30ValueError,
)
from .models import (
    CurrentOptions,
    DeviceMode,
    GeneralStatus,
    ParallelStatus,
    RatedInfo,
    WarningStatus,
    parse_current_options,
    parse_qflag,
    parse_qid,
    parse_qmod,
    parse_qpgs,
    parse_qpi,
    parse_qpigs,
    parse_qpiri,
    parse_qpiws,
    parse_qvfw,
)
from .settings import Capabilities, SettingKey
from .transport import Transport

_LOGGER = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_TIMEOUT = 3.0  # 1 s is too short on some hosts; a QPIGS reply alone takes 0.46 s
DEFAULT_RETRIES = 2


@dataclass(frozen=True)
class Identity:
    protocol_id: str
    serial_number: str
    firmware_version: str


@dataclass
class WriteStats:
    """How many setting writes were sent, and how many were skipped as unchanged."""

    sent: int = 0
    skipped: int = 0
    by_setting: dict[str, int] = field(default_factory=dict)


class Pi30Client:
    """Talks PI30 over any Transport."""

    def __init__(
        self,
        transport: Transport,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
    ) -> None:
        self.transport = transport
        self.timeout = timeout
        self._retries = retries
        self._lock = asyncio.Lock()
        self.raw_frames: dict[str, bytes] = {}
        self.writes = WriteStats()
        self.capabilities: Capabilities | None = None

    async def close(self) -> None:
        await self.transport.close()

    async def query(self, command: str) -> str:
        """Send command, return the response payload (NAK raises Pi30RejectedError)."""
        return await self.ask(command, str)

    async def ask(self, command: str, parse: Callable[[str], T]) -> T:
        """Send command and parse its reply.

        A frame with a bad CRC, or a reply that is not one to this command (parse fails:
        a late or duplicated reply to another), is asked for again after the line has
        gone quiet; silence is not, since a unit that ignores a command stays silent
        however often asked.
        """
        request = encode_request(command)
        async with self._lock:
            for attempt in range(self._retries + 1):
                try:
                    async with asyncio.timeout(self.timeout):
                        raw = await self.transport.exchange(request)
                except TimeoutError as err:
                    # Its reply may still come: it must not answer the next request.
                    await self.transport.drain()
                    raise Pi30ConnectionError(
                        f"{command}: no answer from {self.transport.address} "
                        f"within {self.timeout:g} s"
                    ) from err
                self.raw_frames[command] = raw
                try:
                    payload = decode_response(raw)
                    if payload.startswith("NAK"):
                        raise Pi30RejectedError(f"{command}: the inverter answered NAK")
                    return parse(payload)
                except Pi30ProtocolError as err:
                    await self.transport.drain()
                    if attempt == self._retries:
                        raise
                    _LOGGER.debug("%s: %s; asking again", command, err)
        raise AssertionError("unreachable")  # pragma: no cover

    async def get_status(self) -> GeneralStatus:
        return await self.ask("QPIGS", parse_qpigs)

    async def get_rated(self) -> RatedInfo:
        rated = await self.ask("QPIRI", parse_qpiri)
        if self.capabilities is not None:
            self.capabilities = replace(self.capabilities, rated=rated)
        return rated

    async def get_mode(self) -> DeviceMode:
        return await self.ask("QMOD", parse_qmod)

    async def get_warnings(self) -> WarningStatus:
        return await self.ask("QPIWS", parse_qpiws)

    async def get_flags(self) -> dict[str, bool]:
        return await self.ask("QFLAG", parse_qflag)

    async def get_parallel(self, index: int) -> ParallelStatus:
        return await self.ask(f"QPGS{index}", parse_qpgs)

    async def get_identity(self) -> Identity:
        return Identity(
            protocol_id=await self.ask("QPI", parse_qpi),
            serial_number=await self.ask("QID", parse_qid),
            firmware_version=await self.ask("QVFW", parse_qvfw),
        )

    async def _current_options(self, command: str) -> CurrentOptions | None:
        try:
            return await self.ask(command, lambda p: parse_current_options(p, command))
        except (Pi30RejectedError, Pi30ConnectionError, Pi30ProtocolError) as err:
            # Older units lack these queries; their current setters stay locked.
            _LOGGER.debug("%s unavailable: %s", command, err)
            return None

    async def read_capabilities(self) -> Capabilities:
        """Read the ratings and allowed currents that setters are checked against."""
        self.capabilities = Capabilities(
            await self.get_rated(),
            await self._current_options("QMCHGCR"),
            await self._current_options("QMUCHGCR"),
        )
        return self.capabilities

    async def set_setting(self, key: SettingKey, value: float) -> bool:
        """Write a setting and confirm it by reading QPIRI back.

        Returns False when the unit already had the value (nothing sent).
        Raises Pi30ValueError (nothing sent) for a value the unit does not
        allow, Pi30RejectedError on NAK, silence, or a value that did not take.
        """
        fresh = self.capabilities is None
        caps = self.capabilities or await self.read_capabilities()
        command = caps.command(key, value)  # a value the unit does not allow: nothing sent
        if not fresh:
            # The unit's own panel may have changed it since: "unchanged" is decided on
            # a fresh read, never on a remembered one.
            caps = replace(caps, rated=await self.get_rated())
        if _same(caps.current_value(key), value):
            self.writes.skipped += 1
            return False
        answer = await self._send_setter(command, key)
        if not answer.startswith("ACK"):
            raise Pi30RejectedError(f"{command}: unexpected answer {answer!r}")
        caps = replace(caps, rated=await self.get_rated())
        if not _same(caps.current_value(key), value):
            raise Pi30RejectedError(
                f"{command}: acknowledged, but the inverter reports "
                f"{caps.current_value(key)} afterwards"
            )
        return True

    async def _send_setter(self, command: str, key: SettingKey) -> str:
        """Send a setter, counted as a write whatever comes back (it may have taken)."""
        try:
            return await self.query(command)
        except Pi30ConnectionError as err:
            # Some units stay silent on setters they do not support.
            raise Pi30RejectedError(f"{command}: no answer, setting not applied") from err
        finally:
            self.writes.sent += 1
            self.writes.by_setting[key] = self.writes.by_setting.get(key, 0) + 1

    async def set_unit_charge_current(self, unit: int, amps: float) -> bool:
        """Set one parallel unit's maximum charge current (MNCHGC<unit><nnn>), checked
        against the list the inverter offers and confirmed by that unit's QPGS.

        Returns False when the unit already had the value (nothing sent).
        """
        caps = self.capabilities or await self.read_capabilities()
        caps.command(SettingKey.MAX_CHARGE_CURRENT, amps)  # a value not offered: nothing sent
        if not 0 <= unit <= 9:
            raise Pi30ValueError(f"parallel unit {unit}: units are numbered 0 to 9")
        if _same((await self.get_parallel(unit)).max_charging_current, amps):
            self.writes.skipped += 1
            return False
        command = f"MNCHGC{unit}{int(amps):03d}"
        answer = await self._send_setter(command, SettingKey.MAX_CHARGE_CURRENT)
        back = (await self.get_parallel(unit)).max_charging_current
        if not answer.startswith("ACK") or not _same(back, amps):
            raise Pi30RejectedError(f"{command}: answered {answer!r}, unit {unit} reports {back}")
        return True


def _same(current: float | None, wanted: float) -> bool:
    return current is not None and abs(current - wanted) < 0.05
