"""Voltronic / Axpert inverters speaking the PI30 protocol.

Usable without Home Assistant::

    client = Pi30Client(StreamTransport("/dev/ttyUSB0"))
    status = await client.get_status()
"""

from .client import Identity, Pi30Client, WriteStats
from .codec import decode_response, encode_request
from .exceptions import (
    Pi30ChecksumError,
    Pi30ConnectionError,
    Pi30Error,
    Pi30ProtocolError,
    Pi30RejectedError,
    Pi30ValueError,
)
from .models import (
    ChargerSourcePriority,
    DeviceMode,
    GeneralStatus,
    OutputSourcePriority,
    RatedInfo,
    WarningStatus,
    is_placeholder_serial,
)
from .settings import Allowed, Capabilities, SettingKey
from .transport import (
    AXPERT_HID_PID,
    AXPERT_HID_VID,
    HidTransport,
    MemoryTransport,
    StreamTransport,
    Transport,
    list_hidraw,
)

__all__ = [
    "AXPERT_HID_PID",
    "AXPERT_HID_VID",
    "Allowed",
    "Capabilities",
    "ChargerSourcePriority",
    "DeviceMode",
    "GeneralStatus",
    "HidTransport",
    "Identity",
    "MemoryTransport",
    "OutputSourcePriority",
    "Pi30ChecksumError",
    "Pi30Client",
    "Pi30ConnectionError",
    "Pi30Error",
    "Pi30ProtocolError",
    "Pi30RejectedError",
    "Pi30ValueError",
    "RatedInfo",
    "SettingKey",
    "StreamTransport",
    "Transport",
    "WarningStatus",
    "WriteStats",
    "decode_response",
    "encode_request",
    "is_placeholder_serial",
    "list_hidraw",
]
