"""Serial port paths that survive a reboot or a replug."""

from __future__ import annotations

import os
from pathlib import Path

BY_ID = Path("/dev/serial/by-id")


def stable_port(port: str, by_id: Path = BY_ID) -> str:
    """The /dev/serial/by-id link to port if there is one, else port unchanged.

    /dev/ttyUSB0 may be another adapter after the next boot; the by-id name, made of
    the adapter's vendor, model and serial, is not.
    """
    target = os.path.realpath(port)
    try:
        links = sorted(by_id.iterdir())
    except OSError:
        return port
    for link in links:
        if os.path.realpath(link) == target:
            return str(link)
    return port
