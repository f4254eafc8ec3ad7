"""Constants of the DIY Solar integration."""

from __future__ import annotations

import logging
from datetime import timedelta
from enum import StrEnum
from typing import Final

DOMAIN: Final = "diy_solar"
LOGGER = logging.getLogger(__package__)

CONF_DEVICE_TYPE: Final = "device_type"
CONF_TRANSPORT: Final = "transport"
CONF_HID_VID: Final = "hid_vid"
CONF_HID_PID: Final = "hid_pid"
CONF_SCAN_INTERVAL: Final = "scan_interval"

DEFAULT_SCAN_INTERVAL: Final = 10
MIN_SCAN_INTERVAL: Final = 2
MAX_SCAN_INTERVAL: Final = 300
DEFAULT_TCP_PORT: Final = 8899
# A gap longer than this between samples is not integrated into energy totals.
MAX_ENERGY_GAP: Final = timedelta(minutes=5)


class DeviceType(StrEnum):
    AXPERT = "axpert"


class TransportKind(StrEnum):
    SERIAL = "serial"
    TCP = "tcp"
    HID = "hid"
    SIMULATOR = "simulator"
