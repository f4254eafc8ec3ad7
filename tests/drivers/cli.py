"""Runs a driver's command line as a user would, in a Python that cannot import HA."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def _code(driver: str) -> str:
    # Hide homeassistant so the run proves the driver needs none of it.
    return (
        "import sys, runpy; sys.modules['homeassistant'] = None; "
        f"sys.argv = ['{driver}'] + sys.argv[1:]; "
        f"runpy.run_module('custom_components.diy_solar.drivers.{driver}', run_name='__main__')"
    )


def run_cli(driver: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _code(driver), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def async_run_cli(driver: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The same, beside an emulator that answers from the running event loop."""
    return await asyncio.to_thread(run_cli, driver, *args)
