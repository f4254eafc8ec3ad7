"""The command line, run as a user would, in a Python that cannot import Home Assistant."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from custom_components.diy_solar.emulators.pi30 import PtyServer
from tests.vectors import load

ROOT = Path(__file__).parents[2]
# Hide homeassistant so the run proves the driver needs none of it.
NO_HA = (
    "import sys, runpy; sys.modules['homeassistant'] = None; "
    "sys.argv = ['pi30'] + sys.argv[1:]; "
    "runpy.run_module('custom_components.diy_solar.drivers.pi30', run_name='__main__')"
)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", NO_HA, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_decode_prints_json() -> None:
    frame = next(v for v in load("pi30_vectors.txt") if v.command == "QPIGS" and not v.negative)
    result = _run("decode", "QPIGS", "--hex", frame.frame.hex(" "))
    assert result.returncode == 0, result.stderr
    decoded = json.loads(result.stdout)
    assert decoded["battery_voltage"] == 53.2
    assert decoded["pv_charging_power"] == 473


def test_decode_rejects_bad_crc() -> None:
    negative = next(v for v in load("pi30_vectors.txt") if v.negative and v.command == "QPIGS")
    result = _run("decode", "QPIGS", "--hex", negative.frame.hex(" "))
    assert result.returncode == 1
    assert "CRC mismatch" in result.stderr


async def test_status_reads_a_port(pty_server: PtyServer) -> None:
    # The emulator answers from this test's event loop, so run the CLI beside it.
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        NO_HA,
        "status",
        "--port",
        pty_server.path,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    status = json.loads(out)
    assert status["identity"]["protocol_id"] == "PI30"
    assert status["status"]["battery_capacity"] == 62
    assert status["mode"] == "battery"


@pytest.mark.parametrize("args", [("status", "--port", "/dev/does-not-exist")])
def test_status_reports_a_missing_port(args: tuple[str, ...]) -> None:
    result = _run(*args)
    assert result.returncode == 1
    assert "cannot open" in result.stderr
