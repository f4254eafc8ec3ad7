"""An emulated Mean Well BIC-2200 or NPB on a python-can bus.

It keeps its settings (out-of-range writes are ignored, as the device does), ramps the
output current toward what the settings and the battery allow, counts EEPROM writes
(not while EEP_OFF is in effect), and misbehaves on demand.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import can

from ..drivers.meanwell.models import ModelLimits, limits_for
from ..drivers.meanwell.protocol import (
    BATTERY_MODE,
    CURVE_ENABLED,
    DEFAULT_SCALING,
    EEP_OFF,
    EEPROM_BACKED,
    ONE_BYTE,
    SIGNED,
    Command,
    Family,
    FaultStatus,
    SystemStatus,
    reply_id,
    request_id,
    split_frame,
)
from .plant import Plant


@dataclass
class MeanWellFaults:
    no_reply: bool = False
    wrong_id: bool = False  # answer as if from the next address
    short: int = 0  # replies that lose their last data byte
    delays: list[float] = field(default_factory=list)  # seconds before each next reply
    fault_bits: FaultStatus = field(default_factory=lambda: FaultStatus(0))


def _texts(first: Command, second: Command, value: str) -> dict[Command, bytes]:
    """A 12-character field split over its two commands, space padded."""
    padded = value.ljust(12)[:12].encode("ascii")
    return {first: padded[:6], second: padded[6:]}


class MeanWellEmulator:
    """Registers and behaviour of one charger."""

    def __init__(
        self,
        model: str = "BIC-2200-48",
        address: int = 0,
        *,
        plant: Plant | None = None,
        clock: Callable[[], float] | None = None,
        ramp_a_per_s: float | None = None,
        internal_resistance: float = 0.05,
        eep_off_supported: bool = True,
        serial_number: str = "EB23A1234567",
        firmware: bytes = bytes((0x64, 0x0A, 0xFF, 0xFF, 0xFF, 0xFF)),
    ) -> None:
        self.limits: ModelLimits = limits_for(model)
        self.family = self.limits.family
        self.address = address
        self.plant = plant
        self.clock = clock or time.monotonic
        self.ramp_a_per_s = ramp_a_per_s
        self.internal_resistance = internal_resistance
        self.eep_off_supported = eep_off_supported
        nominal = self.limits.nominal_voltage
        self.battery_voltage = plant.battery_voltage if plant else round(nominal * 1.07, 2)
        self.faults = MeanWellFaults()
        self.eeprom_writes = 0
        self.requests: list[bytes] = []
        self._current = 0.0
        self._last_time: float | None = None
        self.registers: dict[Command, int] = {
            Command.OPERATION: 1,
            Command.VOUT_SET: round(nominal * 1.15 * 100),
            Command.IOUT_SET: round(self.limits.charge_current.maximum * 0.5 * 100),
            Command.READ_VIN: 2300,
            Command.READ_TEMPERATURE_1: 312,
            Command.READ_FAN_SPEED_1: 2100,
            Command.READ_FAN_SPEED_2: 2050,
            Command.SYSTEM_CONFIG: 0x0003 if self.family is Family.BIC else 0x0002,
            Command.DIRECTION_CTRL: 0,
            Command.BIDIRECTIONAL_CONFIG: BATTERY_MODE if self.family is Family.BIC else 0,
            Command.CURVE_CONFIG: CURVE_ENABLED | 0b01 << 2,
            Command.CURVE_CC: round(self.limits.charge_current.maximum * 0.5 * 100),
            Command.CURVE_CV: round(nominal * 1.2 * 100),
            Command.CURVE_FV: round(nominal * 1.15 * 100),
            Command.CURVE_TC: round(self.limits.charge_current.maximum * 0.1 * 100),
        }
        if self.limits.discharge_voltage is not None and self.limits.discharge_current:
            self.registers[Command.REVERSE_VOUT_SET] = round(nominal * 1.0 * 100)
            self.registers[Command.REVERSE_IOUT_SET] = round(
                self.limits.discharge_current.maximum * 0.5 * 100
            )
        self._texts = {
            **_texts(Command.MFR_ID_B0B5, Command.MFR_ID_B6B11, "MEAN WELL"),
            **_texts(Command.MFR_MODEL_B0B5, Command.MFR_MODEL_B6B11, model),
            **_texts(Command.MFR_SERIAL_B0B5, Command.MFR_SERIAL_B6B11, serial_number),
            Command.MFR_REVISION: firmware,
            Command.SCALING_FACTOR: DEFAULT_SCALING.encode(),
        }
        self.power_cycle()
        self._notifier: can.Notifier | None = None

    # -- settings in effect only after a power cycle --------------------------------

    def power_cycle(self) -> None:
        self.eep_off_active = bool(self.registers[Command.SYSTEM_CONFIG] & EEP_OFF)
        self.battery_mode_active = bool(self.registers[Command.BIDIRECTIONAL_CONFIG] & BATTERY_MODE)
        self._current = 0.0

    # -- physics --------------------------------------------------------------------

    def _scaled(self, command: Command) -> float:
        """A setting in volts or amps (the emulator keeps the default 0.01 scaling)."""
        return self.registers.get(command, 0) / 100

    def _target_current(self) -> float:
        battery = self.plant.battery_voltage if self.plant else self.battery_voltage
        if not self.registers[Command.OPERATION]:
            return 0.0
        r = self.internal_resistance
        if self.registers[Command.DIRECTION_CTRL] and self.family is Family.BIC:
            if not self.battery_mode_active:
                return 0.0
            headroom = max(0.0, (battery - self._scaled(Command.REVERSE_VOUT_SET)) / r)
            return -min(self._scaled(Command.REVERSE_IOUT_SET), headroom)
        headroom = max(0.0, (self._scaled(Command.VOUT_SET) - battery) / r)
        return min(self._scaled(Command.IOUT_SET), headroom)

    def output_current(self) -> float:
        """The current now, moved toward the target at the ramp rate."""
        now = self.clock()
        target = self._target_current()
        if self.ramp_a_per_s is None or self._last_time is None:
            self._current = target if self.ramp_a_per_s is None else self._current
        else:
            step = self.ramp_a_per_s * max(0.0, now - self._last_time)
            self._current += max(-step, min(step, target - self._current))
        self._last_time = now
        return self._current

    def output_voltage(self) -> float:
        battery = self.plant.battery_voltage if self.plant else self.battery_voltage
        return battery + self._current * self.internal_resistance

    # -- registers ------------------------------------------------------------------

    def _read(self, command: Command) -> bytes | None:
        if command in self._texts:
            return self._texts[command]
        match command:
            case Command.READ_VOUT:
                self.output_current()
                return round(self.output_voltage() * 100).to_bytes(2, "little")
            case Command.READ_IOUT:
                raw = round(self.output_current() * 100)
                return raw.to_bytes(2, "little", signed=command in SIGNED[self.family])
            case Command.FAULT_STATUS:
                bits = self.faults.fault_bits
                if not self.registers[Command.OPERATION]:
                    bits |= FaultStatus.OUTPUT_OFF
                return int(bits).to_bytes(2, "little")
            case Command.SYSTEM_STATUS:
                status = SystemStatus.DC_OK | SystemStatus.PFC_OK | SystemStatus.INITIALISED
                return int(status).to_bytes(2, "little")
            case Command.CHG_STATUS:
                charging = self._current > 0.05
                return (0b10 if charging else 0b1000).to_bytes(2, "little")
        if command not in self.registers:
            return None
        width = 1 if command in ONE_BYTE else 2
        return self.registers[command].to_bytes(
            width, "little", signed=command in SIGNED[self.family]
        )

    def _allowed(self, command: Command, raw: int) -> bool:
        limits = self.limits
        value = raw / 100  # volts or amps, at the default scaling
        match command:
            case Command.VOUT_SET | Command.CURVE_CV | Command.CURVE_FV:
                return value in limits.charge_voltage
            case Command.IOUT_SET | Command.CURVE_CC:
                return value in limits.charge_current
            case Command.REVERSE_VOUT_SET:
                return limits.discharge_voltage is not None and value in limits.discharge_voltage
            case Command.REVERSE_IOUT_SET:
                return limits.discharge_current is not None and value in limits.discharge_current
            case Command.OPERATION | Command.DIRECTION_CTRL:
                return raw in (0, 1) and (command is Command.OPERATION or self.family is Family.BIC)
        return command in self.registers

    def _write(self, command: Command, raw: int) -> None:
        if command is Command.SYSTEM_CONFIG and not self.eep_off_supported:
            raw &= ~EEP_OFF
        if not self._allowed(command, raw):
            return
        self.registers[command] = raw
        if command in EEPROM_BACKED and not self.eep_off_active:
            self.eeprom_writes += 1

    def handle(self, msg: can.Message) -> can.Message | None:
        """The reply to one frame, if any; writes and broadcasts get none."""
        broadcast = request_id(self.family, 0xFF)
        if msg.arbitration_id not in (request_id(self.family, self.address), broadcast):
            return None
        self.requests.append(bytes(msg.data))
        code, value = split_frame(bytes(msg.data))
        try:
            command = Command(code)
        except ValueError:
            return None
        if value:
            self._write(command, int.from_bytes(value, "little"))
            return None
        payload = self._read(command)
        if payload is None or self.faults.no_reply or msg.arbitration_id == broadcast:
            return None
        address = (self.address + 1) % 8 if self.faults.wrong_id else self.address
        if self.faults.short > 0:
            self.faults.short -= 1
            payload = payload[:-1]
        return can.Message(
            arbitration_id=reply_id(self.family, address),
            data=bytes(msg.data[:2]) + payload,
            is_extended_id=True,
        )

    # -- on a bus ---------------------------------------------------------------------

    def attach(self, bus: can.BusABC) -> None:
        """Answer on bus from a background thread until detach()."""

        def answer(msg: can.Message) -> None:
            reply = self.handle(msg)
            if reply is None:
                return
            if self.faults.delays:
                threading.Timer(self.faults.delays.pop(0), bus.send, (reply,)).start()
            else:
                bus.send(reply)

        self._notifier = can.Notifier(bus, [answer], timeout=0.05)

    def detach(self) -> None:
        if self._notifier is not None:
            self._notifier.stop()
            self._notifier = None
