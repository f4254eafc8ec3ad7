"""Up to three Lumentree units on one RS232/RS485 port, through minimalmodbus.

minimalmodbus blocks, so every call runs in the executor, one at a time per port.
A unit restarts at its maximum power when AC returns, so 0 W is sent to every unit
when the port opens and after every reconnect, before anything else.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence

import minimalmodbus
import serial

from .exceptions import LumentreeConnectionError, LumentreeProtocolError, LumentreeValueError
from .registers import (
    AC_VOLTAGE,
    BAUDRATE,
    DC_VOLTAGE,
    OUTPUT_POWER,
    SET_OUTPUT_POWER,
    TEMPERATURE,
    Readings,
    decode,
)

_LOGGER = logging.getLogger(__name__)
DEFAULT_TIMEOUT = 0.9
DRAIN_CHUNK = 4096
WRITE_TIMEOUT = 2.0
# Output this far above the command means the unit restarted at full power.
RESTART_MARGIN_W = 50

_PORT_LOCKS: dict[str, threading.Lock] = {}
_PORT_LOCKS_GUARD = threading.Lock()


def _port_lock(port: str) -> threading.Lock:
    with _PORT_LOCKS_GUARD:
        return _PORT_LOCKS.setdefault(port, threading.Lock())


class LumentreeClient:
    """The units on one port; each call talks to one slave id."""

    def __init__(
        self,
        port: str,
        slaves: Sequence[int],
        *,
        max_power: int,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.port = port
        self.slaves = tuple(slaves)
        self.max_power = max_power
        self.timeout = timeout
        self._lock = _port_lock(port)
        self._instruments: dict[int, minimalmodbus.Instrument] = {}
        self._line: serial.SerialBase | None = None
        # What each unit was last told; None = unknown (not since the last reconnect).
        self.commanded: dict[int, int | None] = dict.fromkeys(self.slaves)
        self.writes = 0

    # -- blocking side (executor) ------------------------------------------------------

    def _open(self) -> None:
        # A URL (socket://host:port, rfc2217://) reaches units behind a network gateway.
        line = serial.serial_for_url(
            self.port, baudrate=BAUDRATE, timeout=self.timeout, write_timeout=WRITE_TIMEOUT
        )
        self._line = line
        for slave in self.slaves:
            self._instruments[slave] = minimalmodbus.Instrument(line, slave)

    def _close_port(self) -> None:
        if self._line is not None:
            self._line.close()
            self._line = None
        self._instruments.clear()
        self.commanded = dict.fromkeys(self.slaves)

    def _drain(self) -> None:
        """Drop what arrives until the line has been quiet for a timeout. Function 3
        replies do not say which register they hold: a late one must not answer the
        next read."""
        line = self._line
        if line is None:
            return
        try:
            while line.read(DRAIN_CHUNK):
                pass
        except (OSError, ValueError):
            self._close_port()

    def _locked[R](self, slave: int, call: Callable[[minimalmodbus.Instrument], R]) -> R:
        """Run call for one unit with the port held; a unit new to us gets 0 W first."""
        with self._lock:
            try:
                if not self._instruments:
                    self._open()
                instrument = self._instruments[slave]
                if self.commanded[slave] is None:
                    instrument.write_register(SET_OUTPUT_POWER, 0, functioncode=16)
                    self.commanded[slave] = 0
                return call(instrument)
            except minimalmodbus.ModbusException as err:
                # This unit did not answer properly (AC gone, cable): it may have
                # restarted at full power by the time it answers again.
                self.commanded[slave] = None
                self._drain()
                raise LumentreeConnectionError(f"{self.port} unit {slave}: {err}") from err
            except LumentreeProtocolError:
                self._drain()  # a reply out of place: whatever follows may be too
                raise
            except (OSError, ValueError) as err:  # the port itself
                self._close_port()
                raise LumentreeConnectionError(f"{self.port}: {err}") from err

    def _read_blocking(self, slave: int, instrument: minimalmodbus.Instrument) -> Readings:
        def value(register: int) -> float:
            try:
                return decode(register, instrument.read_register(register, functioncode=3))
            except LumentreeProtocolError as err:
                raise LumentreeProtocolError(f"{self.port} unit {slave}: {err}") from err

        readings = Readings(
            ac_voltage=value(AC_VOLTAGE),
            dc_voltage=value(DC_VOLTAGE),
            output_power=value(OUTPUT_POWER),
            temperature=value(TEMPERATURE),
        )
        commanded = self.commanded[slave] or 0
        if readings.output_power > commanded + RESTART_MARGIN_W:
            # Output far above the command: the unit restarted on its own (AC came
            # back) and runs at full power. Say it again.
            _LOGGER.warning(
                "%s unit %s delivers %s W, commanded %s W: commanding again",
                self.port,
                slave,
                readings.output_power,
                commanded,
            )
            instrument.write_register(SET_OUTPUT_POWER, commanded, functioncode=16)
            self.writes += 1
        return readings

    def _write_blocking(self, slave: int, instrument: minimalmodbus.Instrument, watts: int) -> bool:
        if self.commanded[slave] == watts:
            return False
        instrument.write_register(SET_OUTPUT_POWER, watts, functioncode=16)
        self.commanded[slave] = watts
        self.writes += 1
        return True

    # -- async side --------------------------------------------------------------------

    async def _run[R](self, slave: int, call: Callable[[minimalmodbus.Instrument], R]) -> R:
        if slave not in self.slaves:
            raise LumentreeValueError(f"unit {slave} is not configured on {self.port}")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self._locked, slave, call)

    async def connect(self) -> None:
        """Open the port and send 0 W to every unit."""
        for slave in self.slaves:
            await self._run(slave, lambda _instrument: None)

    async def read(self, slave: int) -> Readings:
        return await self._run(slave, lambda inst: self._read_blocking(slave, inst))

    async def set_power(self, slave: int, watts: float) -> bool:
        """Command an output power; skipped (False) when the unit was told so already."""
        if not 0 <= watts <= self.max_power:
            raise LumentreeValueError(f"{watts} W outside 0..{self.max_power} W")
        target = round(watts)
        return await self._run(slave, lambda inst: self._write_blocking(slave, inst, target))

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self._close_blocking)

    def _close_blocking(self) -> None:
        with self._lock:
            self._close_port()
