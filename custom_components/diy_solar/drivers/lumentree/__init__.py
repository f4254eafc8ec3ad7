"""Lumentree SUN-600/1000/2000 discharge inverters on Modbus RTU (minimalmodbus).

Usable without Home Assistant::

    client = LumentreeClient("/dev/ttyUSB0", [1, 2], max_power=1000)
    await client.connect()          # sends 0 W to both units first
    await client.set_power(1, 300)
    print(await client.read(1))
"""

from .client import LumentreeClient
from .exceptions import (
    LumentreeConnectionError,
    LumentreeError,
    LumentreeProtocolError,
    LumentreeValueError,
)
from .registers import BAUDRATE, DEFAULT_SLAVE, MAX_UNITS, MODELS, Readings

__all__ = [
    "BAUDRATE",
    "DEFAULT_SLAVE",
    "MAX_UNITS",
    "MODELS",
    "LumentreeClient",
    "LumentreeConnectionError",
    "LumentreeError",
    "LumentreeProtocolError",
    "LumentreeValueError",
    "Readings",
]
