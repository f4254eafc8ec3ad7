"""An emulated Daly BMS answering 13-byte requests on a pty, MOSFET switching included."""

from __future__ import annotations

from ..drivers.dalybms.protocol import (
    BMS_ADDRESS,
    CELLS_PER_FRAME,
    CURRENT_OFFSET,
    FAILURE_BITS,
    FRAME_LENGTH,
    HOST_RS485,
    HOST_UART,
    START,
    TEMPERATURE_OFFSET,
    TEMPERATURES_PER_FRAME,
    DataId,
    build_frame,
    checksum,
    frames_for,
)
from .battery import BmsEmulator, CellModel


class DalyBmsEmulator(BmsEmulator):
    def __init__(self, battery: CellModel | None = None) -> None:
        super().__init__(battery)
        # Set to keep a MOSFET from following commands, as a BMS in protection does.
        self.mosfets_stuck = False
        self.writes: list[tuple[int, bool]] = []

    def take_frame(self, buffer: bytearray) -> bytes | None:
        start = buffer.find(bytes([START]))
        if start < 0:
            buffer.clear()
            return None
        del buffer[:start]
        if len(buffer) < FRAME_LENGTH:
            return None
        frame = bytes(buffer[:FRAME_LENGTH])
        del buffer[:FRAME_LENGTH]
        return frame

    def _failures(self) -> bytes:
        data = bytearray(8)
        for byte, names in enumerate(FAILURE_BITS):
            for bit, name in enumerate(names):
                # Of a level-1/level-2 pair, level 2 (the later bit) is reported.
                last = len(names) - 1 - names[::-1].index(name)
                if name in self.alarms and bit == last:
                    data[byte] |= 1 << bit
        return bytes(data)

    def _data(self, data_id: int) -> list[bytes]:
        b = self.battery
        cells = b.cell_voltages()
        temps = [round(t) + TEMPERATURE_OFFSET for t in b.temperatures]
        match data_id:
            case DataId.PACK:
                current = round(b.amperes() * 10) + CURRENT_OFFSET
                soc = round(b.state_of_charge() * 1000)
                volts = round(b.voltage() * 10).to_bytes(2)
                return [volts + volts + current.to_bytes(2) + soc.to_bytes(2)]
            case DataId.CELL_RANGE:
                high, low = max(cells), min(cells)
                return [
                    round(high * 1000).to_bytes(2)
                    + bytes([cells.index(high) + 1])
                    + round(low * 1000).to_bytes(2)
                    + bytes([cells.index(low) + 1])
                ]
            case DataId.TEMPERATURE_RANGE:
                return [
                    bytes(
                        [
                            max(temps),
                            temps.index(max(temps)) + 1,
                            min(temps),
                            temps.index(min(temps)) + 1,
                        ]
                    )
                ]
            case DataId.MOSFETS:
                amps = b.amperes()
                state = 1 if amps > 0 else 2 if amps < 0 else 0
                remaining = round(b.remaining_ah() * 1000).to_bytes(4)
                return [
                    bytes([state, b.charge_mosfet, b.discharge_mosfet, b.cycles % 256]) + remaining
                ]
            case DataId.STATUS:
                return [bytes([len(cells), len(temps), 0, 0, 0]) + b.cycles.to_bytes(2)]
            case DataId.CELL_VOLTAGES:
                frames = []
                for n in range(frames_for(len(cells), CELLS_PER_FRAME)):
                    chunk = cells[n * CELLS_PER_FRAME : (n + 1) * CELLS_PER_FRAME]
                    data = bytes([n + 1]) + b"".join(round(v * 1000).to_bytes(2) for v in chunk)
                    frames.append(data.ljust(7, b"\x00") + b"\x40")
                return frames
            case DataId.TEMPERATURES:
                return [
                    bytes(
                        [
                            n + 1,
                            *temps[n * TEMPERATURES_PER_FRAME : (n + 1) * TEMPERATURES_PER_FRAME],
                        ]
                    )
                    for n in range(frames_for(len(temps), TEMPERATURES_PER_FRAME))
                ]
            case DataId.BALANCING:
                bits = 0
                if b.balancing():
                    bits = 1 << cells.index(max(cells))
                return [bits.to_bytes(6, "little")]
            case DataId.FAILURES:
                return [self._failures()]
        return []

    def _switch(self, data_id: int, on: bool) -> None:
        self.writes.append((data_id, on))
        if self.mosfets_stuck:
            return
        if data_id == DataId.CHARGE_MOSFET:
            self.battery.charge_mosfet = on
        else:
            self.battery.discharge_mosfet = on

    def reply(self, request: bytes) -> bytes | None:
        if request[-1] != checksum(request[:-1]) or request[1] not in (HOST_RS485, HOST_UART):
            return None
        data_id = request[2]
        if data_id in (DataId.CHARGE_MOSFET, DataId.DISCHARGE_MOSFET):
            self._switch(data_id, bool(request[4]))
            # The real reply repeats the command byte; the rest is filler.
            return build_frame(BMS_ADDRESS, data_id, bytes([request[4]]))
        return b"".join(build_frame(BMS_ADDRESS, data_id, data) for data in self._data(data_id))


if __name__ == "__main__":
    from .serve import main

    main("dalybms", DalyBmsEmulator)
