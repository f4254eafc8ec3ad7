"""Mean Well BIC-2200 and NPB chargers on CAN (python-can).

Usable without Home Assistant::

    bus = open_bus("socketcan", "can0", BITRATE)
    client = MeanWellClient(bus, Family.BIC, address=0)
    await client.identify()
    print(await client.read_readings())
"""

from .client import Device, MeanWellClient, WriteStats, open_bus
from .exceptions import (
    MeanWellConnectionError,
    MeanWellError,
    MeanWellProtocolError,
    MeanWellRejectedError,
    MeanWellValueError,
)
from .models import MODELS, Identity, ModelLimits, Range, Readings, limits_for
from .protocol import (
    BITRATE,
    MAX_ADDRESS,
    ChargeStatus,
    Command,
    Family,
    FaultStatus,
    Scaling,
    SystemStatus,
)
from .settings import Setting, allowed_range, settings_for, voltage_adjust_step

__all__ = [
    "BITRATE",
    "MAX_ADDRESS",
    "MODELS",
    "ChargeStatus",
    "Command",
    "Device",
    "Family",
    "FaultStatus",
    "Identity",
    "MeanWellClient",
    "MeanWellConnectionError",
    "MeanWellError",
    "MeanWellProtocolError",
    "MeanWellRejectedError",
    "MeanWellValueError",
    "ModelLimits",
    "Range",
    "Readings",
    "Scaling",
    "Setting",
    "SystemStatus",
    "WriteStats",
    "allowed_range",
    "limits_for",
    "open_bus",
    "settings_for",
    "voltage_adjust_step",
]
