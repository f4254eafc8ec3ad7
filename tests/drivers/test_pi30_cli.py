"""The command line, run as a user would, in a Python that cannot import Home Assistant."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from custom_components.diy_solar.emulators.pi30 import PtyServer
from tests.drivers.cli import ROOT, async_run_cli, run_cli
from tests.vectors import load


def test_decode_prints_json() -> None:
    frame = next(v for v in load("pi30_vectors.txt") if v.command == "QPIGS" and not v.negative)
    result = run_cli("pi30", "decode", "QPIGS", "--hex", frame.frame.hex(" "))
    assert result.returncode == 0, result.stderr
    decoded = json.loads(result.stdout)
    assert decoded["battery_voltage"] == 53.2
    assert decoded["pv_charging_power"] == 473


def test_decode_rejects_bad_crc() -> None:
    negative = next(v for v in load("pi30_vectors.txt") if v.negative and v.command == "QPIGS")
    result = run_cli("pi30", "decode", "QPIGS", "--hex", negative.frame.hex(" "))
    assert result.returncode == 1
    assert "CRC mismatch" in result.stderr


async def test_status_reads_a_port(pty_server: PtyServer) -> None:
    result = await async_run_cli("pi30", "status", "--port", pty_server.path)
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["identity"]["protocol_id"] == "PI30"
    assert status["status"]["battery_capacity"] == 62
    assert status["mode"] == "battery"


@pytest.mark.parametrize("args", [("status", "--port", "/dev/does-not-exist")])
def test_status_reports_a_missing_port(args: tuple[str, ...]) -> None:
    result = run_cli("pi30", *args)
    assert result.returncode == 1
    assert "cannot open" in result.stderr


@pytest.mark.parametrize("driver", ["pi30", "jkbms", "dalybms", "meanwell", "lumentree"])
def test_drivers_load_without_home_assistant(driver: str) -> None:
    """A command line starts in a fraction of a second: loading Home Assistant (installed
    beside it) took 1.4-2.2 s before the first byte."""
    code = (
        f"import custom_components.diy_solar.drivers.{driver}, sys; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'homeassistant'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
