"""An emulated JK BMS answering "4E 57" read-all requests on a pty."""

from __future__ import annotations

from ..drivers.bms import BmsFrameError
from ..drivers.jkbms.protocol import (
    ALARMS,
    CELLS_REGISTER,
    HEADER,
    Command,
    build_frame,
    parse_frame,
)
from .battery import BmsEmulator, CellModel


def _temperature(celsius: float) -> int:
    # The protocol document's convention: 101 stands for -1 °C.
    return round(celsius) if celsius >= 0 else 100 - round(celsius)


class JkBmsEmulator(BmsEmulator):
    def __init__(
        self,
        battery: CellModel | None = None,
        *,
        manufacturer_id: str = "BT3072020120000200521001",
        reply_command: Command = Command.READ_ALL,
    ) -> None:
        super().__init__(battery)
        self.manufacturer_id = manufacturer_id
        self.reply_command = reply_command

    def take_frame(self, buffer: bytearray) -> bytes | None:
        start = buffer.find(HEADER)
        if start < 0:
            del buffer[:-1]
            return None
        del buffer[:start]
        if len(buffer) < 4:
            return None
        total = int.from_bytes(buffer[2:4]) + 2
        if len(buffer) < total:
            return None
        frame = bytes(buffer[:total])
        del buffer[:total]
        return frame

    def info(self) -> bytes:
        b = self.battery
        cells = b.cell_voltages()
        amps = b.amperes()
        current = round(abs(amps) * 100) | (0x8000 if amps > 0 else 0)
        alarm_bits = sum(1 << bit for bit, name in enumerate(ALARMS) if name in self.alarms)
        status = int(b.charge_mosfet) | int(b.discharge_mosfet) << 1 | int(b.balancing()) << 2
        temps = [*b.temperatures, *[0.0] * 2][:2]
        blocks = [
            bytes([CELLS_REGISTER, 3 * len(cells)])
            + b"".join(bytes([n]) + round(v * 1000).to_bytes(2) for n, v in enumerate(cells, 1)),
            bytes([0x80]) + _temperature(b.mosfet_temperature).to_bytes(2),
            bytes([0x81]) + _temperature(temps[0]).to_bytes(2),
            bytes([0x82]) + _temperature(temps[1]).to_bytes(2),
            bytes([0x83]) + round(b.voltage() * 100).to_bytes(2),
            bytes([0x84]) + current.to_bytes(2),
            bytes([0x85, round(b.state_of_charge() * 100), 0x86, 2]),
            bytes([0x87]) + b.cycles.to_bytes(2),
            bytes([0x89]) + round(b.cycles * b.capacity_ah).to_bytes(4),
            bytes([0x8A]) + len(cells).to_bytes(2),
            bytes([0x8B]) + alarm_bits.to_bytes(2),
            bytes([0x8C]) + status.to_bytes(2),
            bytes([0xAA]) + round(b.capacity_ah).to_bytes(4),
            bytes([0xB4]) + b"Input Us",
            bytes([0xB7]) + b"H6.X__S6.1.3S__",
            bytes([0xBA]) + self.manufacturer_id.encode().ljust(24, b"\x00")[:24],
            bytes([0xC0, 0x01]),
        ]
        return b"".join(blocks)

    def reply(self, request: bytes) -> bytes | None:
        try:
            frame = parse_frame(request)
        except BmsFrameError:
            return None  # a real BMS ignores what it cannot read
        if frame.reply or frame.command not in (Command.READ_ALL, Command.READ):
            return None
        return build_frame(self.reply_command, self.info(), reply=True)


if __name__ == "__main__":
    from .serve import main

    main("jkbms", JkBmsEmulator)
