"""Lumentree SUN-600/1000/2000 Modbus RTU registers (function 3 reads, 16 writes).

The map is the one real units answer to, which differs from the vendor document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

BAUDRATE: Final = 9600
DEFAULT_SLAVE: Final = 1
MAX_UNITS: Final = 3
MODELS: Final = (600, 1000, 2000)  # rated output power, W

SET_OUTPUT_POWER: Final = 40  # W, write only
AC_VOLTAGE: Final = 70  # 0.1 V
TEMPERATURE: Final = 94  # 0.1 °C
OUTPUT_POWER: Final = 107  # 0.1 W
DC_VOLTAGE: Final = 109  # 0.1 V

SCALE: Final = 0.1


@dataclass(frozen=True)
class Readings:
    ac_voltage: float
    dc_voltage: float
    output_power: float
    temperature: float
