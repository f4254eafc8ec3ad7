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
CONF_EEPROM_BUDGET: Final = "eeprom_budget"
CONF_INTERFACE: Final = "interface"
CONF_CHANNEL: Final = "channel"
CONF_BITRATE: Final = "bitrate"
CONF_ADDRESS: Final = "address"
CONF_SLAVES: Final = "slaves"
CONF_MAX_POWER: Final = "max_power"
CONF_MAX_CHARGE_CURRENT: Final = "max_charge_current"
CONF_MAX_DISCHARGE_CURRENT: Final = "max_discharge_current"
CONF_EEP_OFF_UNSUPPORTED: Final = "eep_off_unsupported"
CONF_INVERT_CURRENT: Final = "invert_current"
CONF_TEMPERATURE_CONVENTION: Final = "temperature_convention"
CONF_BMS_PORT: Final = "bms_port"
# The port value that runs an emulated BMS on a pty inside Home Assistant.
SIMULATOR_PORT: Final = "simulator"

DEFAULT_SCAN_INTERVAL: Final = 10
MIN_SCAN_INTERVAL: Final = 2
MAX_SCAN_INTERVAL: Final = 300
DEFAULT_TCP_PORT: Final = 8899
# Mean Well's EEPROM figure as used by ABCDS: one write every 26 s for ten years.
DEFAULT_EEPROM_BUDGET: Final = 4_000_000
# A gap longer than this between samples is not integrated into energy totals.
MAX_ENERGY_GAP: Final = timedelta(minutes=5)


class DeviceType(StrEnum):
    AXPERT = "axpert"
    MEANWELL_BIC = "meanwell_bic"
    MEANWELL_NPB = "meanwell_npb"
    LUMENTREE = "lumentree"
    JK_BMS = "jk_bms"
    DALY_BMS = "daly_bms"


class TransportKind(StrEnum):
    SERIAL = "serial"
    TCP = "tcp"
    HID = "hid"
    SIMULATOR = "simulator"


class BmsPort(StrEnum):
    """Which Daly port the cable is on; it decides the host address of requests."""

    RS485 = "rs485"
    UART = "uart"


class CanInterface(StrEnum):
    """python-can interfaces offered in the flow; simulator = an emulated charger."""

    SOCKETCAN = "socketcan"
    SLCAN = "slcan"
    UDP_MULTICAST = "udp_multicast"
    VIRTUAL = "virtual"
    SIMULATOR = "simulator"
