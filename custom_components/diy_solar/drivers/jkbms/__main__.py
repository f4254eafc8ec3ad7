"""Command line: read a JK BMS, or decode a read-all reply pasted from a log.

python -m custom_components.diy_solar.drivers.jkbms status --port /dev/ttyUSB0
python -m custom_components.diy_solar.drivers.jkbms decode --hex "4E 57 01 1B ..."
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..bms.cli import run
from .client import JkBmsClient
from .protocol import TemperatureConvention, decode_status


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--temperature-convention",
        choices=[c.value for c in TemperatureConvention],
        default=TemperatureConvention.MINUS_ONE_AT_101.value,
        help="which reading stands for -1 °C",
    )
    parser.add_argument("--invert-current", action="store_true", help="report charging as negative")


def main(argv: Sequence[str] | None = None) -> int:
    return run(
        "python -m custom_components.diy_solar.drivers.jkbms",
        argv,
        add_options=_options,
        client=lambda args: JkBmsClient(
            args.port,
            convention=TemperatureConvention(args.temperature_convention),
            invert_current=args.invert_current,
        ),
        decode=lambda frame, args: decode_status(
            frame,
            convention=TemperatureConvention(args.temperature_convention),
            invert_current=args.invert_current,
        ),
    )


if __name__ == "__main__":
    sys.exit(main())
