"""Emulated Lumentree units behind one Modbus RTU slave port on a pty.

Each unit ramps its output toward the commanded power; like the real thing it starts
(and restarts when AC returns) at its maximum power until told otherwise.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..drivers.lumentree.registers import (
    AC_VOLTAGE,
    DC_VOLTAGE,
    OUTPUT_POWER,
    SET_OUTPUT_POWER,
    TEMPERATURE,
)
from .plant import Plant
from .pty import PtyDevice

READ_HOLDING = 3
WRITE_MULTIPLE = 16
ILLEGAL_ADDRESS = 2


def modbus_crc(data: bytes) -> bytes:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc.to_bytes(2, "little")


@dataclass
class LumentreeUnit:
    max_power: int = 1000
    ramp_w_per_s: float | None = None  # None: output follows the command at once
    clock: Callable[[], float] = time.monotonic
    ac_voltage: float = 231.4
    temperature: float = 36.5
    commanded: int = field(init=False)
    output: float = field(init=False)
    _last: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.ac_return()

    def ac_return(self) -> None:
        """What a unit does at power-up: full power until told otherwise."""
        self.commanded = self.max_power
        self.output = float(self.max_power)

    def output_power(self) -> float:
        now = self.clock()
        target = min(self.commanded, self.max_power)
        if self.ramp_w_per_s is None:
            self.output = float(target)
        elif self._last is not None:
            step = self.ramp_w_per_s * max(0.0, now - self._last)
            self.output += max(-step, min(step, target - self.output))
        self._last = now
        return self.output


class LumentreeEmulator(PtyDevice):
    """Answers function 3 and 16 for the units it holds, by slave id."""

    def __init__(self, units: dict[int, LumentreeUnit], plant: Plant | None = None) -> None:
        self.units = units
        self.plant = plant or Plant()
        self.silent = False
        self.delays: list[float] = []  # seconds before each next reply goes out
        self.requests: list[bytes] = []
        super().__init__()

    def take_frame(self, buffer: bytearray) -> bytes | None:
        if len(buffer) < 2:
            return None
        function = buffer[1]
        if function == READ_HOLDING:
            size = 8
        elif function == WRITE_MULTIPLE:
            if len(buffer) < 7:
                return None
            size = 9 + buffer[6]
        else:
            del buffer[0]  # resynchronise on line noise
            return None
        if len(buffer) < size:
            return None
        frame = bytes(buffer[:size])
        del buffer[:size]
        return frame

    async def answer(self, request: bytes) -> bytes | None:
        reply = self._answer(request)
        if reply is not None and self.delays:
            await asyncio.sleep(self.delays.pop(0))
        return reply

    def _answer(self, request: bytes) -> bytes | None:
        self.requests.append(request)
        unit = self.units.get(request[0])
        if self.silent or unit is None or modbus_crc(request[:-2]) != request[-2:]:
            return None
        register = int.from_bytes(request[2:4])
        if request[1] == WRITE_MULTIPLE:
            if register != SET_OUTPUT_POWER:
                return self._exception(request, ILLEGAL_ADDRESS)
            unit.commanded = int.from_bytes(request[7:9])
            return self._frame(request[:6])
        values = {
            AC_VOLTAGE: unit.ac_voltage,
            DC_VOLTAGE: self.plant.battery_voltage,
            OUTPUT_POWER: unit.output_power(),
            TEMPERATURE: unit.temperature,
        }
        if register not in values:
            return self._exception(request, ILLEGAL_ADDRESS)
        raw = round(values[register] * 10)
        data = raw.to_bytes(2, signed=raw < 0)
        return self._frame(bytes((request[0], READ_HOLDING, 2)) + data)

    @staticmethod
    def _frame(body: bytes) -> bytes:
        return body + modbus_crc(body)

    def _exception(self, request: bytes, code: int) -> bytes:
        return self._frame(bytes((request[0], request[1] | 0x80, code)))
