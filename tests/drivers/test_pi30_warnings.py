"""QPIWS and the QPIGS status fields bit by bit: a frame per bit, against the bit positions in
the protocol notes (written out here, not taken from the driver's table)."""

from __future__ import annotations

import pytest

from custom_components.diy_solar.drivers.pi30.codec import decode_response, encode_response
from custom_components.diy_solar.drivers.pi30.exceptions import Pi30ProtocolError
from custom_components.diy_solar.drivers.pi30.models import (
    GeneralStatus,
    WarningStatus,
    parse_qpigs,
    parse_qpiws,
)
from tests.vectors import load

# Bit a<n> of QPIWS, as the protocol notes number them (a0 is reserved, a13 and a15 unused).
NOTES = {
    1: "inverter_fault",
    2: "bus_over",
    3: "bus_under",
    4: "bus_soft_fail",
    5: "line_fail",
    6: "opv_short",
    7: "inverter_voltage_low",
    8: "inverter_voltage_high",
    9: "over_temperature",
    10: "fan_locked",
    11: "battery_voltage_high",
    12: "battery_low",
    14: "battery_under_shutdown",
    16: "overload",
    17: "eeprom_fault",
    18: "inverter_over_current",
    19: "inverter_soft_fail",
    20: "self_test_fail",
    21: "op_dc_voltage_over",
    22: "battery_open",
    23: "current_sensor_fail",
    24: "battery_short",
    25: "power_limit",
    26: "pv_voltage_high",
    27: "mppt_overload_fault",
    28: "mppt_overload_warning",
    29: "battery_too_low_to_charge",
}
# Warnings that are faults while bit 1 (inverter fault) is set.
FAULT_WITH_BIT_1 = {9, 10, 11, 16}


def warnings(*set_bits: int, length: int = 32) -> WarningStatus:
    bits = "".join("1" if n in set_bits else "0" for n in range(length))
    return parse_qpiws(decode_response(encode_response(bits)))


@pytest.mark.parametrize("bit", sorted(NOTES))
def test_each_bit_alone_is_its_warning_and_no_other(bit: int) -> None:
    status = warnings(bit)
    assert status.active == (NOTES[bit],)
    assert status.is_set(NOTES[bit])
    assert status.faults == (("inverter_fault",) if bit == 1 else ())


@pytest.mark.parametrize("bit", sorted(set(NOTES) - {1}))
def test_with_the_inverter_fault_bit_the_four_named_warnings_are_faults(bit: int) -> None:
    status = warnings(1, bit)
    assert set(status.active) == {"inverter_fault", NOTES[bit]}
    expected = {"inverter_fault", NOTES[bit]} if bit in FAULT_WITH_BIT_1 else {"inverter_fault"}
    assert set(status.faults) == expected


@pytest.mark.parametrize("bit", [0, 13, 15, 30, 31])
def test_reserved_and_model_specific_bits_are_no_warning(bit: int) -> None:
    assert warnings(bit).active == ()


@pytest.mark.parametrize("length", [30, 32, 36, 38])
def test_the_lengths_units_send(length: int) -> None:
    assert warnings(29, length=length).active == ("battery_too_low_to_charge",)


def test_fewer_than_thirty_bits_is_not_a_qpiws_reply() -> None:
    with pytest.raises(Pi30ProtocolError):
        warnings(1, length=29)


# QPIGS field 17, b7 first, as the protocol notes name the bits.
STATUS_BITS = (
    "sbu_priority_version",
    "configuration_changed",
    "scc_firmware_updated",
    "load_on",
    "battery_voltage_steady",
    "charging",
    "scc_charging",
    "ac_charging",
)
# A real capture (EASUN 5.5 kW) with its two status fields set as each test needs.
CAPTURE = next(v for v in load("pi30_vectors.txt") if v.command == "QPIGS" and not v.negative)


def qpigs(status: str, status2: str) -> GeneralStatus:
    fields = decode_response(CAPTURE.frame).split()
    fields[16], fields[20] = status, status2
    return parse_qpigs(" ".join(fields))


@pytest.mark.parametrize("bit", range(8))
def test_each_qpigs_status_bit_is_its_own_flag(bit: int) -> None:
    status = "".join("1" if n == bit else "0" for n in range(8))
    parsed = qpigs(status, "000")
    flags = {name: getattr(parsed, name) for name in STATUS_BITS}
    assert flags == {name: n == bit for n, name in enumerate(STATUS_BITS)}


@pytest.mark.parametrize(
    ("status2", "flags"),
    [
        ("100", (True, False, False)),
        ("010", (False, True, False)),
        ("001", (False, False, True)),
        ("1", (True, None, None)),  # a unit that sends fewer: the rest unknown
        ("10", (True, False, None)),
    ],
)
def test_the_second_status_field_bit_by_bit(status2: str, flags: tuple[bool | None, ...]) -> None:
    parsed = qpigs("00010110", status2)
    assert (parsed.charging_to_float, parsed.switched_on, parsed.dustproof_installed) == flags
    assert (parsed.fan_voltage_offset, parsed.eeprom_version, parsed.pv_charging_power) == (
        0,
        0,
        473,
    )
