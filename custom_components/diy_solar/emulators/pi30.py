"""An emulated Voltronic/Axpert inverter speaking PI30 over a pty, TCP, or in memory.

It keeps its settings (setters change what QPIRI reports, values out of range
get NAK), reports QPIGS from a Plant, and can misbehave on demand.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..drivers.pi30.codec import decode_request, encode_response
from ..drivers.pi30.exceptions import Pi30Error
from ..drivers.pi30.models import WARNING_BITS, CurrentOptions, parse_qpiri
from ..drivers.pi30.settings import Capabilities, SettingKey
from .charge_firmware import BatteryModel, ChargeFirmware
from .plant import Plant, solar_elevation
from .pty import PtyDevice

HID_REPORT = 8


@dataclass
class Faults:
    """What to get wrong next; counters count down one per answered request."""

    delay: float = 0.0
    silent: bool = False
    corrupt_crc: int = 0
    truncate: int = 0
    nak: int = 0
    ignore_writes: bool = False
    duplicate: int = 0  # the reply sent twice
    garbage: int = 0  # line noise before the reply
    late: int = 0  # the reply only after late_s
    late_s: float = 1.0


# Setter prefix -> (setting, QPIRI field index). Longest prefixes first.
_SETTERS: tuple[tuple[str, SettingKey, int], ...] = (
    ("MUCHGC", SettingKey.MAX_UTILITY_CHARGE_CURRENT, 13),
    ("MCHGC", SettingKey.MAX_CHARGE_CURRENT, 14),
    ("PBFT", SettingKey.FLOAT_VOLTAGE, 11),
    ("PCVV", SettingKey.BULK_VOLTAGE, 10),
    ("PBCV", SettingKey.RECHARGE_VOLTAGE, 8),
    ("PBDV", SettingKey.REDISCHARGE_VOLTAGE, 22),
    ("PSDV", SettingKey.CUTOFF_VOLTAGE, 9),
    ("POP", SettingKey.OUTPUT_SOURCE_PRIORITY, 16),
    ("PCP", SettingKey.CHARGER_SOURCE_PRIORITY, 17),
)
# A 48 V, 5 kVA unit with lithium-friendly settings.
# Positions in the QPIRI reply of the settings the charge stages follow.
QPIRI_BULK, QPIRI_FLOAT, QPIRI_MAX_CHARGE, QPIRI_OUTPUT_MODE = 10, 11, 14, 21
DEFAULT_QPIRI = (
    *("230.0", "21.7", "230.0", "50.0", "21.7", "5000", "5000", "48.0", "51.0", "47.0"),
    *("55.2", "54.0", "2", "30", "060", "0", "2", "1", "9", "01", "0", "0", "53.0", "0", "1"),
)


@dataclass
class Pi30Emulator:
    """State and answers of one inverter."""

    plant: Plant = field(default_factory=Plant)
    serial_number: str = "92932105105315"
    firmware: str = "00072.70"
    qpiri: list[str] = field(default_factory=lambda: list(DEFAULT_QPIRI))
    charge_currents: str = "010 020 030 040 050 060 070 080 090 100 110 120"
    utility_charge_currents: str = "002 010 020 030 040 050 060 070 080 090 100"
    faults: Faults = field(default_factory=Faults)
    clock: Callable[[], float] | None = None
    follow_sun: bool = False
    warnings: set[str] = field(default_factory=set)
    requests: list[str] = field(default_factory=list)
    vanished: bool = False
    # Serials of the other units of a parallel system (QPGSn); empty: a single unit, which
    # ignores QPGS as many do. The units share the battery, the load and the PV evenly.
    parallel: list[str] = field(default_factory=list)
    # Each parallel unit's maximum charge current (MNCHGC), by index; unset: QPIRI's.
    unit_charge_currents: dict[int, str] = field(default_factory=dict)
    # With both, the battery is charged by the firmware's charge stages from its own
    # QPIRI settings (bulk, float, maximum current), which is what smart charging steers.
    charger: ChargeFirmware | None = None
    battery: BatteryModel | None = None
    _charge_a: float = field(default=0.0, init=False, repr=False)
    _last_charge: float | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.parallel:
            self.qpiri[QPIRI_OUTPUT_MODE] = "1"  # parallel output

    def _now(self) -> None:
        if self.clock is None:
            return
        now = self.clock()
        elevation = None
        if self.follow_sun:
            local = time.localtime(now)
            elevation = solar_elevation(local.tm_hour + local.tm_min / 60 + local.tm_sec / 3600)
        self.plant.follow(now, elevation)
        if self.charger is not None and self.battery is not None:
            self._charge(now)

    def _charge(self, now: float) -> None:
        assert self.charger is not None and self.battery is not None
        self.charger.bulk_v = float(self.qpiri[QPIRI_BULK])
        self.charger.float_v = float(self.qpiri[QPIRI_FLOAT])
        self.charger.max_charge_a = float(self.qpiri[QPIRI_MAX_CHARGE])
        if self._last_charge is not None and now > self._last_charge:
            self.battery.charge(self._charge_a, now - self._last_charge)
        surplus = max(0.0, self.plant.pv_w - self.plant.load_w)
        day = time.localtime(now).tm_yday
        self._charge_a = self.charger.step(self.battery, surplus / self.battery.terminal(0), day)
        self._last_charge = now

    def _capabilities(self) -> Capabilities:
        def options(text: str) -> CurrentOptions:
            return CurrentOptions(tuple(int(v) for v in text.split()), 3)

        return Capabilities(
            parse_qpiri(" ".join(self.qpiri)),
            options(self.charge_currents),
            options(self.utility_charge_currents),
        )

    def answer(self, command: str) -> str | None:
        """The payload for a command, or None for a command this unit ignores."""
        self._now()
        if self.faults.nak > 0:
            self.faults.nak -= 1
            return "NAKss"
        if command.startswith("MNCHGC") and len(command) == 10 and command[6:].isdigit():
            return self._set_unit(int(command[6]), command[7:])
        for prefix, key, index in _SETTERS:
            if command.startswith(prefix):
                return self._set(key, index, command.removeprefix(prefix))
        queries: dict[str, Callable[[], str]] = {
            "QPI": lambda: "PI30",
            "QID": lambda: self.serial_number,
            "QVFW": lambda: f"VERFW:{self.firmware}",
            "QPIGS": self._qpigs,
            "QPIRI": lambda: " ".join(self.qpiri),
            "QMOD": self._qmod,
            "QPIWS": self._qpiws,
            "QFLAG": lambda: "EbkuvxzDajy",
            "QMCHGCR": lambda: self.charge_currents,
            "QMUCHGCR": lambda: self.utility_charge_currents,
        }
        if command in queries:
            return queries[command]()
        if command.startswith("QPGS") and command[4:].isdigit():
            return self._qpgs(int(command[4:]))
        return "NAKss"

    def _set(self, key: SettingKey, index: int, text: str) -> str:
        try:
            value = float(text)
            self._capabilities().command(key, value)
        except (ValueError, Pi30Error):
            return "NAKss"
        if not self.faults.ignore_writes:
            width = len(self.qpiri[index])
            self.qpiri[index] = (
                f"{value:04.1f}" if "." in self.qpiri[index] else f"{int(value):0{width}d}"
            )
        return "ACK"

    def _set_unit(self, unit: int, text: str) -> str:
        """MNCHGC<unit><nnn>: one parallel unit's maximum charge current."""
        try:
            self._capabilities().command(SettingKey.MAX_CHARGE_CURRENT, float(text))
        except Pi30Error:
            return "NAKss"
        if unit > len(self.parallel):
            return "NAKss"
        if not self.faults.ignore_writes:
            self.unit_charge_currents[unit] = text
        return "ACK"

    def _qmod(self) -> str:
        if self.warnings & {"inverter_fault"}:
            return "F"
        return "L" if self._line_mode() else "B"

    def _line_mode(self) -> bool:
        """The grid carries the load: the battery is not discharged through the inverter."""
        return self.plant.grid_present and self.plant.pv_w < self.plant.load_w

    def _qpiws(self) -> str:
        bits = ["0"] * 32
        for name in self.warnings:
            bits[WARNING_BITS[name]] = "1"
        return "".join(bits)

    def _qpigs(self) -> str:
        p = self.plant
        # In a parallel system each unit reports its own share.
        n = 1 + len(self.parallel)
        volts = p.battery_voltage
        charge_a = max(0, round(p.battery_w / volts / n))
        discharge_a = 0 if self._line_mode() else max(0, round(-p.battery_w / volts / n))
        soc = p.soc
        if self.battery is not None:
            volts, soc = self.battery.terminal(self._charge_a), self.battery.soc
            charge_a, discharge_a = round(self._charge_a), 0
        load_w, pv_w = p.load_w / n, p.pv_w / n
        pv_v = 0.0 if pv_w <= 0 else 310.0
        pv_a = 0.0 if pv_w <= 0 else pv_w / pv_v
        grid_v = p.grid_voltage if p.grid_present else 0.0
        grid_hz = p.grid_frequency if p.grid_present else 0.0
        load_va = round(load_w * 1.08)
        status = "00010" + ("1" if charge_a else "0") + ("1" if charge_a and pv_w else "0") + "0"
        return (
            f"{grid_v:05.1f} {grid_hz:04.1f} 230.0 50.0 {load_va:04d} {round(load_w):04d} "
            f"{min(100, round(load_w / 50)):03d} 400 {volts:05.2f} {charge_a:03d} "
            f"{round(soc * 100):03d} 0035 {pv_a:04.1f} {pv_v:05.1f} {volts:05.2f} "
            f"{discharge_a:05d} {status} 00 00 {round(pv_w):05d} 010"
        )

    def _qpgs(self, index: int) -> str | None:
        units = [self.serial_number, *self.parallel]
        if not self.parallel:
            return None
        if index >= len(units):  # no unit there: all zeros, as real units answer
            return " ".join(["0", "0" * 14, "B", *["00"] * 16, "00000000", *["0"] * 7])
        p, n = self.plant, len(units)
        volts = p.battery_voltage
        charge_a = max(0, round(p.battery_w / volts))
        unit_charge_a = max(0, round(p.battery_w / volts / n))
        unit_discharge_a = 0 if self._line_mode() else max(0, round(-p.battery_w / volts / n))
        load_w, pv_w = p.load_w / n, p.pv_w / n
        pv_v = 0.0 if pv_w <= 0 else 310.0
        grid_v = p.grid_voltage if p.grid_present else 0.0
        grid_hz = p.grid_frequency if p.grid_present else 0.0
        load_pct = min(100, round(load_w / 50))
        return (
            f"1 {units[index]} {self._qmod()} 00 {grid_v:05.1f} {grid_hz:05.2f} 230.0 50.00 "
            f"{round(load_w * 1.08):04d} {round(load_w):04d} {load_pct:03d} {volts:04.1f} "
            f"{unit_charge_a:03d} {round(p.soc * 100):03d} {pv_v:05.1f} {charge_a:03d} "
            f"{round(p.load_w * 1.08):05d} {round(p.load_w):05d} {load_pct:03d} 10100010 1 "
            f"{self.qpiri[17]} "
            f"{self.unit_charge_currents.get(index, self.qpiri[QPIRI_MAX_CHARGE])} 120 "
            f"{self.qpiri[13]} "
            f"{0.0 if pv_v == 0 else pv_w / pv_v:04.1f} {unit_discharge_a:03d}"
        )

    async def handle(self, request: bytes) -> bytes | None:
        """Bytes in, bytes out, faults applied; None means no answer at all."""
        if self.vanished or self.faults.silent:
            return None
        if self.faults.delay:
            await asyncio.sleep(self.faults.delay)
        try:
            command = decode_request(request)
        except Pi30Error:
            return encode_response("NAKss")
        self.requests.append(command)
        payload = self.answer(command)
        if payload is None:
            return None
        frame = encode_response(payload)
        if self.faults.corrupt_crc > 0:
            self.faults.corrupt_crc -= 1
            frame = frame[:-3] + bytes([frame[-3] ^ 0x55, frame[-2]]) + b"\r"
        elif self.faults.truncate > 0:
            self.faults.truncate -= 1
            frame = frame[: len(frame) // 2] + b"\r"
        if self.faults.duplicate > 0:
            self.faults.duplicate -= 1
            frame += frame
        if self.faults.garbage > 0:
            self.faults.garbage -= 1
            frame = b"\xfe\x13~(" + frame
        if self.faults.late > 0:
            self.faults.late -= 1
            await asyncio.sleep(self.faults.late_s)
        return frame


class PtyServer(PtyDevice):
    """Serves an emulator on a pseudo-terminal.

    With hid=True it answers in NUL-padded 8-byte reports like the USB port.
    """

    def __init__(self, emulator: Pi30Emulator, *, hid: bool = False) -> None:
        self.emulator = emulator
        self._hid = hid
        super().__init__()

    def take_frame(self, buffer: bytearray) -> bytes | None:
        if b"\r" not in buffer:
            return None
        end = buffer.index(b"\r") + 1
        request = bytes(buffer[:end]).lstrip(b"\x00")
        del buffer[:end]
        return request

    async def answer(self, request: bytes) -> bytes | None:
        response = await self.emulator.handle(request)
        if response is None or not self._hid:
            return response
        return b"".join(
            response[i : i + HID_REPORT].ljust(HID_REPORT, b"\x00")
            for i in range(0, len(response), HID_REPORT)
        )


class TcpServer:
    """Serves an emulator like a TCP serial gateway (one client at a time)."""

    def __init__(self, emulator: Pi30Emulator) -> None:
        self.emulator = emulator
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = await asyncio.start_server(self._client, host, port or self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for other in list(self._writers):
            other.close()
        self._writers.add(writer)
        try:
            while request := await reader.readuntil(b"\r"):
                response = await self.emulator.handle(request)
                if response is not None:
                    writer.write(response)
                    await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def stop(self) -> None:
        """Vanish: refuse connections and drop the current client."""
        for writer in list(self._writers):
            writer.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None


if __name__ == "__main__":
    from .serve import main

    main("pi30", lambda: PtyServer(Pi30Emulator()))
