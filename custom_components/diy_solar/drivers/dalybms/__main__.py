"""Command line: read a Daly BMS, or decode reply frames pasted from a log.

python -m custom_components.diy_solar.drivers.dalybms status --port /dev/ttyUSB0
python -m custom_components.diy_solar.drivers.dalybms decode --hex "A5 01 90 08 ..."

Several 13-byte frames may be pasted at once; each is decoded by its data id.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from ..bms import BmsFrameError
from ..bms.cli import jsonable, run
from .client import DalyBmsClient
from .protocol import (
    FRAME_LENGTH,
    HOST_RS485,
    HOST_UART,
    DataId,
    cells_in_frame,
    decode_balancing,
    decode_cell_range,
    decode_failures,
    decode_mosfets,
    decode_pack,
    decode_status_info,
    decode_temperature_range,
    parse_reply,
    temperatures_in_frame,
)

_DECODERS: dict[int, Callable[[bytes], object]] = {
    DataId.PACK: decode_pack,
    DataId.CELL_RANGE: decode_cell_range,
    DataId.TEMPERATURE_RANGE: decode_temperature_range,
    DataId.MOSFETS: decode_mosfets,
    DataId.STATUS: decode_status_info,
    DataId.CELL_VOLTAGES: lambda data: {f"cell_{n}": v for n, v in cells_in_frame(data).items()},
    DataId.TEMPERATURES: lambda data: {
        f"sensor_{n}": v for n, v in temperatures_in_frame(data).items()
    },
    DataId.BALANCING: lambda data: {"cells": list(decode_balancing(data, 48))},
    DataId.FAILURES: lambda data: {"alarms": sorted(decode_failures(data))},
    DataId.CHARGE_MOSFET: lambda data: {"charge_mosfet": bool(data[0])},
    DataId.DISCHARGE_MOSFET: lambda data: {"discharge_mosfet": bool(data[0])},
}


def decode_frames(raw: bytes) -> list[dict[str, object]]:
    if not raw or len(raw) % FRAME_LENGTH:
        raise BmsFrameError(f"{len(raw)} bytes is not a whole number of 13-byte frames")
    decoded = []
    for at in range(0, len(raw), FRAME_LENGTH):
        frame = raw[at : at + FRAME_LENGTH]
        if frame[2] not in _DECODERS:
            raise BmsFrameError(f"unknown data id 0x{frame[2]:02X}")
        data = parse_reply(frame, frame[2])
        decoded.append({"id": f"0x{frame[2]:02X}", "value": jsonable(_DECODERS[frame[2]](data))})
    return decoded


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--uart", action="store_true", help="the BMS's UART port (host address 0x80)"
    )
    parser.add_argument("--invert-current", action="store_true", help="report charging as negative")


def main(argv: Sequence[str] | None = None) -> int:
    return run(
        "python -m custom_components.diy_solar.drivers.dalybms",
        argv,
        add_options=_options,
        client=lambda args: DalyBmsClient(
            args.port,
            host=HOST_UART if args.uart else HOST_RS485,
            invert_current=args.invert_current,
        ),
        decode=lambda raw, _args: decode_frames(raw),
    )


if __name__ == "__main__":
    sys.exit(main())
