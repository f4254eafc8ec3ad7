"""Every frame captured from a real PI30 device: positives decode, negatives are refused."""

from __future__ import annotations

import pytest

from custom_components.diy_solar.drivers.pi30.codec import (
    decode_request,
    decode_response,
    encode_request,
    encode_response,
)
from custom_components.diy_solar.drivers.pi30.exceptions import (
    Pi30ChecksumError,
    Pi30ProtocolError,
)
from custom_components.diy_solar.drivers.pi30.models import (
    DeviceMode,
    parse_qflag,
    parse_qmod,
    parse_qpgs,
    parse_qpigs,
    parse_qpiri,
)
from tests.vectors import Vector, load

VECTORS = load("pi30_vectors.txt")
POSITIVE_RESPONSES = [v for v in VECTORS if not v.negative and not v.is_request]
POSITIVE_REQUESTS = [v for v in VECTORS if not v.negative and v.is_request]
NEGATIVES = [v for v in VECTORS if v.negative]


def test_fixture_file_has_every_kind() -> None:
    assert len(VECTORS) == 14
    assert len(NEGATIVES) == 2
    assert len(POSITIVE_REQUESTS) == 2


@pytest.mark.parametrize("vector", POSITIVE_RESPONSES, ids=lambda v: v.label[:30])
def test_positive_response_passes_crc(vector: Vector) -> None:
    payload = decode_response(vector.frame)
    assert payload == vector.frame[1:-3].decode("ascii", errors="replace")


@pytest.mark.parametrize("vector", POSITIVE_REQUESTS, ids=lambda v: v.label[:30])
def test_positive_request_matches_our_encoder(vector: Vector) -> None:
    command = decode_request(vector.frame)
    assert encode_request(command) == vector.frame


def test_negative_truncated_qpigs_is_rejected() -> None:
    (vector,) = [v for v in NEGATIVES if v.command == "QPIGS"]
    with pytest.raises(Pi30ChecksumError):
        decode_response(vector.frame)


def test_negative_unbumped_request_is_refused_and_never_sent() -> None:
    (vector,) = [v for v in NEGATIVES if v.command == "POP02"]
    with pytest.raises(Pi30ChecksumError):
        decode_request(vector.frame)
    assert encode_request("POP02") == b"POP02\xe2\x0b\r"


def test_qpiri_crc_quirk_in_response() -> None:
    """The EASUN capture sends raw CRC 0d3e as 0e3e; our encoder does the same."""
    (vector,) = [v for v in POSITIVE_RESPONSES if v.command == "QPIRI"]
    assert vector.frame[-3:-1] == b"\x0e\x3e"
    assert encode_response(decode_response(vector.frame)) == vector.frame


def test_qpigs_values_as_read_in_the_frame() -> None:
    frame = next(v for v in POSITIVE_RESPONSES if v.command == "QPIGS").frame
    status = parse_qpigs(decode_response(frame))
    assert status.grid_voltage == 238.3
    assert status.grid_frequency == 50.0
    assert status.ac_output_voltage == 230.2
    assert status.ac_output_apparent_power == 322
    assert status.ac_output_active_power == 205
    assert status.output_load_percent == 5
    assert status.bus_voltage == 422
    assert status.battery_voltage == 53.2
    assert status.battery_charging_current == 0
    assert status.battery_capacity == 50
    assert status.heatsink_temperature == 56
    assert status.pv_input_current == 2.1
    assert status.pv_input_voltage == 224.7
    assert status.battery_voltage_from_scc == 0.0
    assert status.battery_discharge_current == 0
    # 00010110: load on, charging, SCC charging
    assert (status.load_on, status.charging, status.scc_charging) == (True, True, True)
    assert (status.configuration_changed, status.ac_charging) == (False, False)
    assert status.pv_charging_power == 473
    assert status.pv_input_power == 473.0
    assert status.charging_to_float is False
    assert status.switched_on is True


QPIGS_CAPTURES = [v for v in POSITIVE_RESPONSES if v.command == "QPIGS"]


# Plain ids: a test id with spaces and escapes cannot be named on a command line (mutmut).
@pytest.mark.parametrize(
    "vector", QPIGS_CAPTURES, ids=[f"capture{n}" for n in range(len(QPIGS_CAPTURES))]
)
def test_every_qpigs_capture_parses_field_for_field(vector: Vector) -> None:
    fields = vector.frame[1:-3].decode().split()
    status = parse_qpigs(decode_response(vector.frame))
    assert status.grid_voltage == float(fields[0])
    assert status.battery_voltage == float(fields[8])
    assert status.pv_input_current == float(fields[12])
    assert status.pv_charging_power == int(fields[19])


def test_qpiri_values_as_read_in_the_frame() -> None:
    frame = next(v for v in POSITIVE_RESPONSES if v.command == "QPIRI").frame
    rated = parse_qpiri(decode_response(frame))
    assert rated.grid_rating_voltage == 230.0
    assert rated.ac_output_rating_active_power == 5500
    assert rated.battery_rating_voltage == 48.0
    assert rated.battery_recharge_voltage == 51.0
    assert rated.battery_under_voltage == 48.0
    assert rated.battery_bulk_voltage == 55.3
    assert rated.battery_float_voltage == 55.3
    assert rated.battery_type == 2
    assert rated.max_ac_charging_current == 2
    assert rated.max_charging_current == 100
    assert rated.output_source_priority == 2
    assert rated.charger_source_priority == 3
    assert rated.machine_type == "01"
    assert rated.battery_redischarge_voltage == 53.0
    assert rated.pv_power_balance == 1


def test_qmod_and_qflag() -> None:
    qmod = next(v for v in POSITIVE_RESPONSES if v.command == "QMOD").frame
    assert parse_qmod(decode_response(qmod)) is DeviceMode.BATTERY
    qflag = next(v for v in POSITIVE_RESPONSES if v.command == "QFLAG").frame
    flags = parse_qflag(decode_response(qflag))
    assert flags["z"] is True
    assert {k for k, on in flags.items() if not on} == set("abjkuvxy")


def test_qpgs0_parallel_unit() -> None:
    frame = next(v for v in POSITIVE_RESPONSES if v.command == "QPGS0").frame
    unit = parse_qpgs(decode_response(frame))
    assert unit.parallel_exists is True
    assert unit.serial_number == "92912009100027"
    assert unit.mode is DeviceMode.BATTERY
    assert unit.grid_voltage == 122.2
    assert unit.grid_frequency == 60.02
    assert unit.ac_output_active_power == 416
    assert unit.battery_voltage == 55.2
    assert unit.battery_capacity == 100
    assert unit.total_ac_output_active_power == 1047
    assert unit.inverter_status == "10100010"
    assert unit.charger_source_priority == 3
    assert unit.max_charging_current == 100
    assert unit.battery_discharge_current == 0


def test_q1_frame_is_well_formed() -> None:
    frame = next(v for v in POSITIVE_RESPONSES if v.command == "Q1").frame
    assert len(decode_response(frame).split()) == 20


def test_ack_and_nak_payloads() -> None:
    assert decode_response(next(v for v in VECTORS if v.command == "ACK").frame) == "ACK"
    assert decode_response(next(v for v in VECTORS if v.command == "NAK").frame) == "NAK"


@pytest.mark.parametrize(
    ("frame", "error"),
    [
        (b"", Pi30ProtocolError),
        (b"(\r", Pi30ProtocolError),
        (b"B\xe7\xc9\r", Pi30ProtocolError),
        (b"(B\xe7\xc8\r", Pi30ChecksumError),
    ],
)
def test_malformed_frames(frame: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        decode_response(frame)


def test_tolerates_crlf_nul_padding_and_leading_lf() -> None:
    frame = encode_response("B")
    assert decode_response(frame[:-1] + b"\r\n") == "B"
    assert decode_response(frame + b"\x00" * 5) == "B"
    assert decode_response(b"\n" + frame) == "B"


def test_wide_numbers_and_extra_fields() -> None:
    """11 kW units send 5-digit powers; MAX units append feed-in fields."""
    payload = (
        "230.0 50.0 230.0 50.0 10500 10200 095 400 52.10 020 080 0040 0014 310.0 52.10 00000 "
        "00010110 00 00 09000 010 1 0 00500"
    )
    status = parse_qpigs(payload)
    assert status.ac_output_active_power == 10200
    assert status.pv_input_current == 14.0
    assert status.pv_charging_power == 9000
