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
CONF_SERIAL: Final = "serial"
CONF_GRID_SENSOR: Final = "grid_sensor"
CONF_IMPORT_NEGATIVE: Final = "import_negative"
CONF_CHARGERS: Final = "chargers"
CONF_DISCHARGERS: Final = "dischargers"
CONF_SWITCH_POWER: Final = "switch_power"
CONF_VOLTAGE_SENSOR: Final = "voltage_sensor"
CONF_SOC_SENSOR: Final = "soc_sensor"
CONF_METER_LAG: Final = "meter_lag"
CONF_STALE_AFTER: Final = "stale_after"
CONF_MIN_WRITE_INTERVAL: Final = "min_write_interval"
CONF_SOC_MIN: Final = "soc_min"
CONF_SOC_MAX: Final = "soc_max"
CONF_SOC_HYSTERESIS: Final = "soc_hysteresis"
CONF_DISCHARGE_BLOCKS: Final = "discharge_blocks"
CONF_MIN_DISCHARGE_BURST: Final = "min_discharge_burst"
CONF_CHARGE_PROFILE: Final = "charge_profile"
CONF_DISCHARGE_PROFILE: Final = "discharge_profile"
CONF_OFFSET: Final = "offset"
CONF_KP: Final = "kp"
CONF_KI: Final = "ki"
CONF_KD: Final = "kd"
CONF_RAMP: Final = "ramp"
CONF_DEVICES: Final = "devices"
CONF_BMS: Final = "bms"
CONF_TIME_SHIFT: Final = "time_shift"
CONF_CELL_MAX_SENSOR: Final = "cell_max_sensor"
CONF_CELL_MIN_SENSOR: Final = "cell_min_sensor"
CONF_TEMPERATURE_SENSORS: Final = "temperature_sensors"
CONF_CHARGE_STOP_CELL: Final = "charge_stop_cell"
CONF_CHARGE_RESUME_CELL: Final = "charge_resume_cell"
CONF_DISCHARGE_STOP_CELL: Final = "discharge_stop_cell"
CONF_DISCHARGE_RESUME_CELL: Final = "discharge_resume_cell"
CONF_CHARGE_TEMP_MIN: Final = "charge_temp_min"
CONF_CHARGE_TEMP_MAX: Final = "charge_temp_max"
CONF_DISCHARGE_TEMP_MIN: Final = "discharge_temp_min"
CONF_DISCHARGE_TEMP_MAX: Final = "discharge_temp_max"
CONF_SWITCH_MIN_ON: Final = "switch_min_on"
CONF_SWITCH_MIN_OFF: Final = "switch_min_off"
CONF_WRITE_BUDGET: Final = "write_budget"
# The port value that runs an emulated BMS on a pty inside Home Assistant.
SIMULATOR_PORT: Final = "simulator"

DEFAULT_SCAN_INTERVAL: Final = 10
MIN_SCAN_INTERVAL: Final = 2
MAX_SCAN_INTERVAL: Final = 300
DEFAULT_TCP_PORT: Final = 8899
# Mean Well's EEPROM figure as used by ABCDS: one write every 26 s for ten years.
DEFAULT_EEPROM_BUDGET: Final = 4_000_000
# Setpoint writes per device and day for zero export: about one every half minute.
DEFAULT_WRITE_BUDGET: Final = 3000
# A gap longer than this between samples is not integrated into energy totals.
MAX_ENERGY_GAP: Final = timedelta(minutes=5)


class DeviceType(StrEnum):
    AXPERT = "axpert"
    MEANWELL_BIC = "meanwell_bic"
    MEANWELL_NPB = "meanwell_npb"
    LUMENTREE = "lumentree"
    JK_BMS = "jk_bms"
    DALY_BMS = "daly_bms"
    USB_RELAY = "usb_relay"
    SIMULATED_PLANT = "simulated_plant"
    BATTERY_BANK = "battery_bank"
    SOC_ESTIMATOR = "soc_estimator"
    # Policies: entries that control devices through their entities.
    ZERO_EXPORT = "zero_export"
    GENERATOR = "generator"
    GRID_CONNECT = "grid_connect"
    SMART_CHARGING = "smart_charging"
    OUTPUT_PRIORITY = "output_priority"


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


# A number's state attribute: the only values it accepts, where they are not a stepped range.
ATTR_ALLOWED_VALUES = "allowed_values"
