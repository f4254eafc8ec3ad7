"""Our PI30 emulator against a tool other people use: mpp-solar.

    python -m venv /tmp/mpp && /tmp/mpp/bin/pip install mppsolar
    .venv/bin/python -m benchmarks.peers --peer /tmp/mpp/bin [--frames N] [--seed S]

Two checks, one CSV line each:
- frames: the emulator's reply to every command it answers, over N seeded plant states,
  handed to mpp-solar's PI30 protocol (its CRC check and its decoder) in the peer's own
  Python. `bumped` counts the frames whose CRC held a byte mpp-solar's rule moves
  (0x00, 0x0A, 0x0D, 0x28), so the run shows that those were met.
- cli: the mpp-solar command line against the emulator served on TCP, QPIGS's state of
  charge compared with the emulator's.

peer,check,frames,bumped,rejected,decode_errors
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import subprocess
import sys
from pathlib import Path

from custom_components.diy_solar.drivers.pi30.codec import crc16, encode_response
from custom_components.diy_solar.emulators.pi30 import Pi30Emulator, PtyServer
from custom_components.diy_solar.emulators.plant import Plant
from custom_components.diy_solar.emulators.serve import handle_client

HEADER = "peer,check,frames,bumped,rejected,decode_errors"
COMMANDS = ("QPIGS", "QPIRI", "QMOD", "QPIWS", "QID", "QVFW", "QPI", "QFLAG", "QMCHGCR")
MOVED = frozenset((0x00, 0x0A, 0x0D, 0x28))

# Runs in the peer's Python: one "COMMAND HEX" line per frame in, counts out.
PEER_CHECK = """
import sys
from mppsolar.protocols.pi30 import pi30
protocol = pi30()
frames = rejected = errors = 0
for line in sys.stdin:
    command, frame = line.split()
    frame = bytes.fromhex(frame)
    frames += 1
    if not protocol.check_response_valid(frame)[0]:
        rejected += 1
        continue
    try:
        protocol.decode(frame, command)
    except Exception:
        errors += 1
print(frames, rejected, errors)
"""


def frames(count: int, seed: int) -> tuple[list[str], int]:
    """'COMMAND HEX' lines of the emulator's replies, and how many had a CRC byte moved."""
    rng = random.Random(seed)
    lines, bumped = [], 0
    for _ in range(count):
        plant = Plant(
            soc=rng.uniform(0.05, 1.0),
            pv_w=rng.uniform(0, 5000),
            load_w=rng.uniform(0, 5000),
        )
        emulator = Pi30Emulator(plant=plant)
        for command in COMMANDS:
            payload = emulator.answer(command)
            if payload is None:
                continue
            frame = encode_response(payload)
            raw = crc16(frame[:-3]).to_bytes(2, "big")
            bumped += any(byte in MOVED for byte in raw)
            lines.append(f"{command} {frame.hex()}")
    return lines, bumped


def check_frames(peer: Path, count: int, seed: int) -> str:
    lines, bumped = frames(count, seed)
    out = subprocess.run(
        [str(peer / "python"), "-c", PEER_CHECK],
        input="\n".join(lines),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    total, rejected, errors = (int(n) for n in out)
    return f"mpp-solar,frames,{total},{bumped},{rejected},{errors}"


async def check_cli(peer: Path) -> str:
    """mpp-solar's QPIGS through TCP, against what the emulator says."""
    emulator = Pi30Emulator(plant=Plant(soc=0.73, pv_w=800.0, load_w=350.0))
    device = PtyServer(emulator)
    server = await asyncio.start_server(lambda r, w: handle_client(device, r, w), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    runs = rejected = 0
    try:
        for command in ("QPIGS", "QPIRI", "QMOD", "QID"):
            process = await asyncio.create_subprocess_exec(
                str(peer / "mpp-solar"),
                *("-p", f"socket://127.0.0.1:{port}", "--porttype", "serial"),
                *("-P", "PI30", "-c", command),
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
            text = (await process.communicate())[0].decode()
            runs += 1
            wrong = "Error" in text or "validity" in text
            if command == "QPIGS":
                soc = re.search(r"battery_capacity\s+(\d+)", text)
                wrong = wrong or soc is None or int(soc[1]) != 73
            rejected += wrong
    finally:
        server.close()
        device.close()
    return f"mpp-solar,cli,{runs},0,{rejected},0"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.peers")
    parser.add_argument(
        "--peer", type=Path, required=True, help="bin folder of a venv with mppsolar"
    )
    parser.add_argument("--frames", type=int, default=2000, help="plant states")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(HEADER)
    print(check_frames(args.peer, args.frames, args.seed), flush=True)
    print(asyncio.run(check_cli(args.peer)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
