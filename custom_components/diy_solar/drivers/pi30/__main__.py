"""Command line: check the wiring, or decode a frame pasted from a log.

python -m custom_components.diy_solar.drivers.pi30 status --port /dev/ttyUSB0
python -m custom_components.diy_solar.drivers.pi30 status --hid /dev/hidraw0
python -m custom_components.diy_solar.drivers.pi30 status --tcp 192.0.2.7:8899
python -m custom_components.diy_solar.drivers.pi30 decode QPIGS --hex "28 32 ..."
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, is_dataclass

from .client import Pi30Client
from .codec import decode_response
from .exceptions import Pi30Error
from .models import (
    parse_current_options,
    parse_qflag,
    parse_qid,
    parse_qmod,
    parse_qpgs,
    parse_qpi,
    parse_qpigs,
    parse_qpiri,
    parse_qpiws,
    parse_qvfw,
)
from .transport import HidTransport, StreamTransport, Transport

_DECODERS: dict[str, Callable[[str], object]] = {
    "QPIGS": parse_qpigs,
    "QPIRI": parse_qpiri,
    "QMOD": parse_qmod,
    "QPIWS": lambda p: {"active": list(parse_qpiws(p).active)},
    "QID": parse_qid,
    "QVFW": parse_qvfw,
    "QPI": parse_qpi,
    "QFLAG": parse_qflag,
    "QMCHGCR": lambda p: parse_current_options(p, "QMCHGCR"),
    "QMUCHGCR": lambda p: parse_current_options(p, "QMUCHGCR"),
    "QPGS": parse_qpgs,
}


def _jsonable(value: object) -> object:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return value


def decode_frame(command: str, frame: bytes) -> object:
    """Decode a whole response frame as the reply to command."""
    payload = decode_response(frame)
    name = command.upper()
    if name.startswith("QPGS"):
        name = "QPGS"  # QPGS0, QPGS1 ... share one layout
    try:
        decoder = _DECODERS[name]
    except KeyError:
        raise SystemExit(f"unknown command {command!r}; known: {', '.join(_DECODERS)}") from None
    return _jsonable(decoder(payload))


async def read_status(transport: Transport) -> dict[str, object]:
    client = Pi30Client(transport)
    try:
        identity = await client.get_identity()
        return {
            "identity": _jsonable(identity),
            "mode": await client.get_mode(),
            "status": _jsonable(await client.get_status()),
            "rated": _jsonable(await client.get_rated()),
            "warnings": list((await client.get_warnings()).active),
        }
    finally:
        await client.close()


def _transport(args: argparse.Namespace) -> Transport:
    if args.hid:
        return HidTransport(args.hid)
    if args.tcp:
        return StreamTransport(f"socket://{args.tcp}")
    return StreamTransport(args.port)


def _parse_hex(text: str) -> bytes:
    cleaned = text.replace(":", " ").replace("0x", " ")
    return bytes.fromhex(cleaned)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m custom_components.diy_solar.drivers.pi30")
    sub = parser.add_subparsers(dest="action", required=True)
    status = sub.add_parser("status", help="read the inverter and print its readings as JSON")
    where = status.add_mutually_exclusive_group(required=True)
    where.add_argument("--port", help="serial port or serialx URL, e.g. /dev/ttyUSB0")
    where.add_argument("--hid", help="USB HID node, e.g. /dev/hidraw0")
    where.add_argument("--tcp", help="serial gateway as host:port")
    decode = sub.add_parser("decode", help="decode a response frame pasted from a log")
    decode.add_argument("command", help="the command the frame answers, e.g. QPIGS")
    decode.add_argument("--hex", required=True, help='frame bytes in hex, e.g. "28 42 e7 c9 0d"')
    args = parser.parse_args(argv)

    try:
        if args.action == "decode":
            result = decode_frame(args.command, _parse_hex(args.hex))
        else:
            result = asyncio.run(read_status(_transport(args)))
    except (Pi30Error, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
