"""The one place that adapts to differences between supported Home Assistant releases."""

from __future__ import annotations

from typing import Any

from homeassistant.helpers import selector


def serial_port_selector(ports: list[selector.SelectOptionDict]) -> Any:
    """HA's own serial port picker where this release has it, else our list of by-id ports.

    HA's picker (2026 releases) also offers network and ESPHome serial proxies; older
    releases get the ports we found, and any path or serialx URL can be typed in.
    """
    own = getattr(selector, "SerialPortSelector", None)
    if own is not None:
        return own()
    return selector.SelectSelector(selector.SelectSelectorConfig(options=ports, custom_value=True))
