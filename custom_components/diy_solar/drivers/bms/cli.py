"""The command line both BMS drivers share: `status` reads a pack, `decode` a logged frame."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, is_dataclass
from typing import Protocol

from .exceptions import BmsError
from .models import BmsStatus


class StatusClient(Protocol):
    async def read_status(self) -> BmsStatus: ...

    async def close(self) -> None: ...


def jsonable(value: object) -> object:
    if isinstance(value, BmsStatus):
        derived = {
            "power": value.power,
            "cell_min": value.cell_min,
            "cell_max": value.cell_max,
            "cell_delta": value.cell_delta,
            "cell_min_index": value.cell_min_index,
            "cell_max_index": value.cell_max_index,
        }
        return asdict(value) | derived | {"alarms": sorted(value.alarms)}
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return value


def parse_hex(text: str) -> bytes:
    return bytes.fromhex(text.replace(":", " ").replace("0x", " "))


async def _read(client: StatusClient) -> BmsStatus:
    try:
        return await client.read_status()
    finally:
        await client.close()


def run(
    prog: str,
    argv: Sequence[str] | None,
    *,
    add_options: Callable[[argparse.ArgumentParser], None],
    client: Callable[[argparse.Namespace], StatusClient],
    decode: Callable[[bytes, argparse.Namespace], object],
) -> int:
    parser = argparse.ArgumentParser(prog=prog)
    sub = parser.add_subparsers(dest="action", required=True)
    status = sub.add_parser("status", help="read the BMS and print its status as JSON")
    status.add_argument("--port", required=True, help="serial port or serialx URL")
    decode_parser = sub.add_parser("decode", help="decode reply frames pasted from a log")
    decode_parser.add_argument(
        "--hex", required=True, help='frame bytes in hex, e.g. "A5 01 90 ..."'
    )
    for command in (status, decode_parser):
        add_options(command)
    args = parser.parse_args(argv)

    result: object
    try:
        if args.action == "decode":
            result = decode(parse_hex(args.hex), args)
        else:
            result = asyncio.run(_read(client(args)))
    except (BmsError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(json.dumps(jsonable(result), indent=2, default=str))
    return 0
