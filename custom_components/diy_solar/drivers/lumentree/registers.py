"""Lumentree SUN-600/1000/2000 Modbus RTU registers (function 3 reads, 16 writes).

The map is the one real units answer to, which differs from the vendor document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .exceptions import LumentreeProtocolError

BAUDRATE: Final = 9600
DEFAULT_SLAVE: Final = 1
MAX_UNITS: Final = 3
MODELS: Final = (600, 1000, 2000)  # rated output power, W

SET_OUTPUT_POWER: Final = 40  # W, write only
AC_VOLTAGE: Final = 70  # 0.1 V
TEMPERATURE: Final = 94  # 0.1 °C
OUTPUT_POWER: Final = 107  # 0.1 W
DC_VOLTAGE: Final = 109  # 0.1 V

# Every register we read counts tenths: a division, not a multiplication by 0.1, keeps
# 230.1 V from reading 230.10000000000002.
TENTHS: Final = 10

# What a unit can read; a reading outside is a garbled reply, not a value. The output is
# bounded by the largest model (2000 W) with a margin, not by the limit a client is given:
# a unit that restarted runs at its own full power.
BOUNDS: Final = {
    AC_VOLTAGE: (0.0, 300.0),
    DC_VOLTAGE: (0.0, 80.0),
    OUTPUT_POWER: (0.0, 2400.0),
    TEMPERATURE: (-40.0, 125.0),
}


def decode(register: int, raw: int) -> float:
    """A read register's 16 bits as a value, or LumentreeProtocolError."""
    if not 0 <= raw <= 0xFFFF or register not in BOUNDS:
        raise LumentreeProtocolError(f"register {register} cannot hold {raw}")
    # The temperature is signed: a frosty garage is not 6,550 °C.
    if register == TEMPERATURE and raw >= 0x8000:
        raw -= 0x10000
    reading = raw / TENTHS
    low, high = BOUNDS[register]
    if not low <= reading <= high:
        raise LumentreeProtocolError(f"register {register} reads {reading}, outside {low}..{high}")
    return reading


@dataclass(frozen=True)
class Readings:
    ac_voltage: float
    dc_voltage: float
    output_power: float
    temperature: float
