"""The async Mean Well client: one request in flight, paced, confirmed, EEPROM-aware."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import can

from ..lines import drop_until_quiet
from .exceptions import (
    MeanWellConnectionError,
    MeanWellProtocolError,
    MeanWellRejectedError,
    MeanWellValueError,
)
from .models import Identity, ModelLimits, Range, Readings, decode_reading, limits_for
from .protocol import (
    BATTERY_MODE,
    BATTERY_MODE_SYSTEM_CONFIG,
    CURVE_ENABLED,
    EEP_OFF,
    EEPROM_BACKED,
    ChargeStatus,
    Command,
    Family,
    FaultStatus,
    Scaling,
    SystemStatus,
    decode_raw,
    encode_read,
    encode_write,
    reply_id,
    request_id,
    scale_for,
    split_frame,
)
from .settings import SPECS, Setting, allowed_range, settings_for

_LOGGER = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 0.25  # the device answers within 5 ms; USB adapters add latency
DEFAULT_RETRIES = 2
MIN_GAP = 0.02  # the manual asks for at least 20 ms between requests
# After a timeout the client waits until the device has been quiet for a timeout, but no
# longer than this many timeouts (a device that chatters on is answered anyway).
QUIET_LIMIT = 4
RECEIVE_WAIT = 0.1  # how long close() may wait for the receive thread


@dataclass
class WriteStats:
    sent: int = 0
    skipped: int = 0
    eeprom: int = 0  # writes that reached EEPROM (EEPROM-backed and EEP_OFF not set)


@dataclass(frozen=True)
class Device:
    identity: Identity
    limits: ModelLimits
    scaling: Scaling


@dataclass
class _Pending:
    command: Command
    future: asyncio.Future[bytes] = field(repr=False)


class _Receiver(threading.Thread):
    """Hands each frame on the bus to the loop, until stopped or the bus fails (the
    adapter went away); can.Notifier would leave a dead thread's traceback instead."""

    def __init__(
        self,
        bus: can.BusABC,
        loop: asyncio.AbstractEventLoop,
        on_frame: Callable[[can.Message], None],
        on_lost: Callable[[Exception], None],
    ) -> None:
        super().__init__(name=f"diy_solar CAN {bus.channel_info}", daemon=True)
        self._bus = bus
        self._loop = loop
        self._on_frame = on_frame
        self._on_lost = on_lost
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.is_set():
            try:
                msg = self._bus.recv(RECEIVE_WAIT)
            except (can.CanError, OSError, ValueError) as err:
                self._hand_over(self._on_lost, err)
                return
            if msg is not None:
                self._hand_over(self._on_frame, msg)

    def _hand_over[T](self, call: Callable[[T], None], arg: T) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed under us
            self._loop.call_soon_threadsafe(call, arg)

    def stop(self) -> None:
        self._stopped.set()
        self.join()


def open_bus(interface: str, channel: str, bitrate: int) -> can.BusABC:
    """Open a python-can bus (blocking: slcan opens a serial port)."""
    try:
        return can.Bus(interface=interface, channel=channel, bitrate=bitrate)
    except (can.CanError, OSError, ValueError) as err:
        raise MeanWellConnectionError(f"cannot open {interface} {channel}: {err}") from err


class MeanWellClient:
    """Talks to one BIC-2200 or NPB at one address on a python-can bus."""

    def __init__(
        self,
        bus: can.BusABC,
        family: Family,
        address: int = 0,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        user_limits: Mapping[Setting, Range] | None = None,
        on_eeprom_write: Callable[[int], None] | None = None,
        reopen: Callable[[], can.BusABC] | None = None,
    ) -> None:
        self.bus = bus
        # Opens the bus again (blocking) once the adapter went away, e.g. unplugged.
        self._reopen = reopen
        self._bus_lost = False
        self._closed = False
        self.family = family
        self.address = address
        self.timeout = timeout
        self._retries = retries
        self.user_limits = dict(user_limits or {})
        self.on_eeprom_write = on_eeprom_write
        self._tx_id = request_id(family, address)
        self._rx_id = reply_id(family, address)
        self._lock = asyncio.Lock()
        self._receiver: _Receiver | None = None
        self._pending: _Pending | None = None
        self._last_send = 0.0
        self._heard = asyncio.Event()
        self.device: Device | None = None
        # EEP_OFF as set on the device, and whether it is in effect: only from the power
        # cycle after it was set. Until it is known to be, every write is counted as wear.
        self.eep_off = False
        self.eep_off_active = False
        self.writes = WriteStats()

    async def close(self) -> None:
        # After the request under way; none starts after it (it would start listening
        # again, on a bus that is shut down, in a thread nothing stops).
        async with self._lock:
            self._closed = True
            receiver, self._receiver = self._receiver, None
            await asyncio.get_running_loop().run_in_executor(None, self._shutdown, receiver)

    def _shutdown(self, receiver: _Receiver | None) -> None:
        if receiver is not None:
            receiver.stop()
        with contextlib.suppress(can.CanError, OSError):
            self.bus.shutdown()

    def _reopen_blocking(
        self, receiver: _Receiver | None, reopen: Callable[[], can.BusABC]
    ) -> None:
        self._shutdown(receiver)
        self.bus = reopen()

    async def _usable_bus(self) -> None:
        """Open the bus again if the adapter went away since the last request."""
        if self._closed:
            raise MeanWellConnectionError("the client is closed")
        if not self._bus_lost:
            return
        if self._reopen is None:
            raise MeanWellConnectionError("the CAN adapter went away")
        receiver, self._receiver = self._receiver, None
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self._reopen_blocking, receiver, self._reopen)
        self._bus_lost = False
        _LOGGER.info("CAN bus for %s address %s open again", self.family.upper(), self.address)

    # -- wire ----------------------------------------------------------------------

    def _listen(self) -> None:
        if self._receiver is None:
            self._receiver = _Receiver(
                self.bus, asyncio.get_running_loop(), self._on_frame, self._on_bus_lost
            )
            self._receiver.start()

    def _on_bus_lost(self, err: Exception) -> None:
        _LOGGER.warning(
            "CAN bus for %s address %s failed: %s", self.family.upper(), self.address, err
        )
        self._bus_lost = True

    def _on_frame(self, msg: can.Message) -> None:
        pending = self._pending
        if not msg.is_extended_id or msg.arbitration_id != self._rx_id:
            return  # our own frames on udp_multicast, other devices, other families
        self._heard.set()
        if pending is None or pending.future.done():
            return
        try:
            command, value = split_frame(bytes(msg.data))
        except ValueError:
            return
        if command == pending.command:
            pending.future.set_result(value)

    async def _send(self, data: bytes) -> None:
        loop = asyncio.get_running_loop()
        wait = self._last_send + MIN_GAP - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        msg = can.Message(arbitration_id=self._tx_id, data=data, is_extended_id=True)
        try:
            self.bus.send(msg, timeout=self.timeout)
        except (can.CanError, OSError) as err:
            self._bus_lost = True
            raise MeanWellConnectionError(f"cannot send on the bus: {err}") from err
        finally:
            self._last_send = loop.time()

    async def read(self, command: Command) -> bytes:
        """The value bytes of command's reply."""
        async with self._lock:
            await self._usable_bus()
            self._listen()
            loop = asyncio.get_running_loop()
            for _attempt in range(self._retries + 1):
                pending = _Pending(command, loop.create_future())
                self._pending = pending
                try:
                    await self._send(encode_read(command))
                    return await asyncio.wait_for(pending.future, self.timeout)
                except TimeoutError:
                    _LOGGER.debug("no reply to %s from %#x", command.name, self._rx_id)
                finally:
                    self._pending = None
                await self._until_quiet()
            raise MeanWellConnectionError(
                f"no reply to {command.name} from {self.family.upper()} address {self.address}"
            )

    async def _until_quiet(self) -> None:
        """Wait until the device has said nothing for a timeout: a reply that comes late
        must not answer the retry (the protocol has no sequence number)."""
        heard = self._heard

        async def next_frame() -> bytes:
            await heard.wait()
            heard.clear()
            return b"heard"

        heard.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(QUIET_LIMIT * self.timeout):
                await drop_until_quiet(next_frame, self.timeout)

    async def write(self, command: Command, raw: int) -> None:
        """Send a write. The device never answers one: confirm by reading back."""
        async with self._lock:
            await self._usable_bus()
            await self._send(encode_write(command, raw))
        self.writes.sent += 1
        if command in EEPROM_BACKED and not self.eep_off_active:
            self.writes.eeprom += 1
            if self.on_eeprom_write is not None:
                self.on_eeprom_write(1)

    async def read_raw(self, command: Command) -> int:
        return decode_raw(command, await self.read(command), self.family)

    async def read_text(self, first: Command, second: Command) -> str:
        text = (await self.read(first)) + (await self.read(second))
        return text.replace(b"\xff", b"").decode("ascii", "replace").strip(" \x00")

    # -- values --------------------------------------------------------------------

    @property
    def _device(self) -> Device:
        if self.device is None:
            raise MeanWellProtocolError("identify() the device first")
        return self.device

    def _factor(self, command: Command) -> float:
        factor = scale_for(command, self._device.scaling)
        if factor is None:
            raise MeanWellProtocolError(f"the device does not support {command.name}")
        return factor

    async def read_value(self, command: Command) -> float:
        device = self._device
        return decode_reading(command, await self.read(command), device.scaling, device.limits)

    async def _optional(self, command: Command) -> float | None:
        if scale_for(command, self._device.scaling) is None:
            return None
        return await self.read_value(command)

    async def identify(self) -> Device:
        """Who is there, what it allows, and how its values scale."""
        model = await self.read_text(Command.MFR_MODEL_B0B5, Command.MFR_MODEL_B6B11)
        limits = limits_for(model)
        if limits.family is not self.family:
            raise MeanWellProtocolError(f"{model} is not a {self.family.upper()}")
        revision = await self.read(Command.MFR_REVISION)
        identity = Identity(
            manufacturer=await self.read_text(Command.MFR_ID_B0B5, Command.MFR_ID_B6B11),
            model=model,
            firmware="/".join(f"{b / 10:.1f}" for b in revision if b != 0xFF),
            serial_number=await self.read_text(Command.MFR_SERIAL_B0B5, Command.MFR_SERIAL_B6B11),
        )
        try:
            scaling = Scaling.decode(await self.read(Command.SCALING_FACTOR))
        except ValueError as err:
            raise MeanWellProtocolError(str(err)) from err
        self.device = Device(identity, limits, scaling)
        self._saw_eep_off(bool(await self.read_raw(Command.SYSTEM_CONFIG) & EEP_OFF))
        return self.device

    def _saw_eep_off(self, off: bool) -> None:
        self.eep_off = off
        # Cleared, writes may reach the EEPROM again at any time: count them from now.
        self.eep_off_active = self.eep_off_active and off

    def power_cycled(self) -> None:
        """The device was switched off and on: EEP_OFF is in effect as it is set."""
        self.eep_off_active = self.eep_off

    async def read_readings(self) -> Readings:
        bic = self.family is Family.BIC
        fans = [
            value
            for command in (Command.READ_FAN_SPEED_1, Command.READ_FAN_SPEED_2)[: 2 if bic else 1]
            if (value := await self._optional(command)) is not None
        ]
        readings = Readings(
            output_on=bool(await self.read_raw(Command.OPERATION)),
            output_voltage=await self.read_value(Command.READ_VOUT),
            output_current=await self.read_value(Command.READ_IOUT),
            ac_voltage=await self._optional(Command.READ_VIN),
            temperature=await self._optional(Command.READ_TEMPERATURE_1),
            fan_speeds=tuple(fans),
            faults=FaultStatus(await self.read_raw(Command.FAULT_STATUS)),
            system_status=SystemStatus(await self.read_raw(Command.SYSTEM_STATUS)),
            system_config=await self.read_raw(Command.SYSTEM_CONFIG),
            discharging=bool(await self.read_raw(Command.DIRECTION_CTRL)) if bic else None,
            charge_status=None if bic else ChargeStatus(await self.read_raw(Command.CHG_STATUS)),
        )
        self._saw_eep_off(readings.eeprom_off)
        return readings

    async def read_settings(self) -> dict[Setting, float]:
        return {s: await self.read_value(SPECS[s].command) for s in settings_for(self.family)}

    async def read_curve_enabled(self) -> bool:
        """NPB: charging curve (charger mode) rather than a plain power supply."""
        return bool(await self.read_raw(Command.CURVE_CONFIG) & CURVE_ENABLED)

    # -- writes --------------------------------------------------------------------

    def allowed(self, setting: Setting) -> Range:
        if self.device is None:
            raise MeanWellProtocolError("identify() the device first")
        if self.family not in SPECS[setting].families:
            raise MeanWellValueError(f"a {self.family.upper()} has no {setting}")
        return allowed_range(setting, self.device.limits, self.user_limits)

    async def _set_raw(self, command: Command, raw: int) -> bool:
        """Write raw unless it is already there; confirm by reading back. True if sent."""
        if await self.read_raw(command) == raw:
            self.writes.skipped += 1
            return False
        await self.write(command, raw)
        back = await self.read_raw(command)
        if back != raw:
            raise MeanWellRejectedError(f"{command.name}: wrote {raw}, reads back {back}")
        return True

    async def set(self, setting: Setting, value: float) -> bool:
        """Set a voltage or current within the allowed range. True if a write was sent."""
        allowed = self.allowed(setting)
        if value not in allowed:
            raise MeanWellValueError(
                f"{setting} {value} outside {allowed.minimum}..{allowed.maximum}"
            )
        command = SPECS[setting].command
        return await self._set_raw(command, round(value / self._factor(command)))

    async def set_output(self, on: bool) -> bool:
        return await self._set_raw(Command.OPERATION, int(on))

    async def set_discharging(self, discharge: bool) -> bool:
        if self.family is not Family.BIC:
            raise MeanWellValueError("only a BIC has a direction")
        return await self._set_raw(Command.DIRECTION_CTRL, int(discharge))

    async def set_curve_enabled(self, enabled: bool) -> bool:
        if self.family is not Family.NPB:
            raise MeanWellValueError("only an NPB has a charging curve")
        config = await self.read_raw(Command.CURVE_CONFIG)
        wanted = config | CURVE_ENABLED if enabled else config & ~CURVE_ENABLED
        return await self._set_raw(Command.CURVE_CONFIG, wanted)

    async def set_eeprom_off(self, off: bool) -> bool:
        """Stop (or resume) saving settings to EEPROM; takes effect after a power cycle.

        Firmware without EEP_OFF does not keep the bit: that reads back as a rejection.
        """
        config = await self.read_raw(Command.SYSTEM_CONFIG)
        sent = await self._set_raw(
            Command.SYSTEM_CONFIG, config | EEP_OFF if off else config & ~EEP_OFF
        )
        self._saw_eep_off(off)
        return sent

    async def setup_battery_mode(self) -> None:
        """BIC bidirectional battery mode: CAN control, then battery mode; power cycle after."""
        if self.family is not Family.BIC:
            raise MeanWellValueError("only a BIC has a battery mode")
        config = await self.read_raw(Command.SYSTEM_CONFIG)
        await self._set_raw(Command.SYSTEM_CONFIG, (config & EEP_OFF) | BATTERY_MODE_SYSTEM_CONFIG)
        await self._set_raw(Command.BIDIRECTIONAL_CONFIG, BATTERY_MODE)

    async def battery_mode(self) -> bool:
        if self.family is not Family.BIC:
            return False
        return bool(await self.read_raw(Command.BIDIRECTIONAL_CONFIG) & BATTERY_MODE)
