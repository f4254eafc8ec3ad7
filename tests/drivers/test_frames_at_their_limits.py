"""The PI30 codec and the Lumentree registers at their limits: the shortest frames that
are frames, bytes that are not ASCII, padding, and each refusal saying what it refused."""

from __future__ import annotations

import pytest

from custom_components.diy_solar.drivers.lumentree.exceptions import LumentreeProtocolError
from custom_components.diy_solar.drivers.lumentree.registers import (
    AC_VOLTAGE,
    DC_VOLTAGE,
    TEMPERATURE,
    decode,
)
from custom_components.diy_solar.drivers.pi30.codec import (
    crc16,
    crc_bytes,
    decode_request,
    decode_response,
    encode_request,
    encode_response,
)
from custom_components.diy_solar.drivers.pi30.exceptions import Pi30ProtocolError


def test_the_shortest_frames_are_frames() -> None:
    assert decode_response(encode_response("")) == ""  # "(", the CRC, CR: 4 bytes
    assert decode_request(encode_request("Q")) == "Q"
    with pytest.raises(Pi30ProtocolError, match="not a PI30 request frame"):
        decode_request(encode_request(""))
    with pytest.raises(Pi30ProtocolError, match="frame too short"):
        decode_response(b"(\r")


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (b"B\xe7\xc9\r", "not a PI30 response frame"),  # no "("
        (b"(B\xe7\xc9", "not a PI30 response frame"),  # no CR
        (b"(B\xe7\xc8\r", "CRC mismatch: expected e7c9, got e7c8"),
    ],
)
def test_a_refused_response_says_why(frame: bytes, message: str) -> None:
    with pytest.raises(Pi30ProtocolError, match=message):
        decode_response(frame)


def test_a_byte_that_is_not_ascii_is_replaced_not_an_exception() -> None:
    body = b"(A\xffB"
    assert decode_response(body + crc_bytes(body) + b"\r") == "A\ufffdB"
    request = b"Q\xff"
    assert decode_request(request + crc_bytes(request) + b"\r") == "Q\ufffd"


def test_padding_before_and_after_a_frame_is_not_the_frame() -> None:
    frame = encode_response("B")
    assert decode_response(b"\x00\n\x00" + frame + b"\x00\x00") == "B"


@pytest.mark.parametrize("stray", [b"X", b"\r"])
def test_a_stray_byte_around_a_frame_is_not_padding(stray: bytes) -> None:
    frame = encode_response("B")
    with pytest.raises(Pi30ProtocolError):
        decode_response(stray + frame)
    with pytest.raises(Pi30ProtocolError):
        decode_response(frame + stray)


def test_utf8_is_not_ascii() -> None:
    """Two bytes UTF-8 would read as one letter are two unreadable bytes on this line."""
    body = b"(A" + "é".encode()
    assert decode_response(body + crc_bytes(body) + b"\r") == "A\ufffd\ufffd"
    request = b"Q" + "é".encode()
    assert decode_request(request + crc_bytes(request) + b"\r") == "Q\ufffd\ufffd"


def test_a_reply_whose_crc_was_sent_without_the_bump_is_taken() -> None:
    """Some units do not bump a CRC byte that equals a frame marker; their replies count."""
    body = next(
        b"(" + str(n).encode()
        for n in range(1000)
        if {0x28, 0x0D, 0x0A} & set(crc16(b"(" + str(n).encode()).to_bytes(2, "big"))
    )
    raw = crc16(body).to_bytes(2, "big")
    assert raw != crc_bytes(body)
    assert decode_response(body + raw + b"\r") == body[1:].decode()


@pytest.mark.parametrize(
    ("register", "raw", "value"),
    [
        (AC_VOLTAGE, 0, 0.0),
        (AC_VOLTAGE, 3000, 300.0),  # the bound is in
        (DC_VOLTAGE, 800, 80.0),
        (TEMPERATURE, 1250, 125.0),
        (TEMPERATURE, 0xFFFF, -0.1),  # signed: a tenth below freezing
        (TEMPERATURE, 0x10000 - 400, -40.0),
    ],
)
def test_lumentree_readings_at_their_bounds(register: int, raw: int, value: float) -> None:
    assert decode(register, raw) == value


@pytest.mark.parametrize(
    ("register", "raw", "message"),
    [
        (AC_VOLTAGE, 3001, "register 70 reads 300.1, outside 0.0..300.0"),
        (AC_VOLTAGE, 0x10000, "register 70 cannot hold 65536"),
        (AC_VOLTAGE, -1, "register 70 cannot hold -1"),
        (12, 5, "register 12 cannot hold 5"),  # not a register we read
        (TEMPERATURE, 0x10000 - 401, "outside -40.0..125.0"),
        (TEMPERATURE, 0x7FFF, "reads 3276.7, outside"),  # the highest positive value
        (TEMPERATURE, 0x8000, "reads -3276.8, outside"),  # the sign bit alone
    ],
)
def test_lumentree_refusals_say_what_they_refused(register: int, raw: int, message: str) -> None:
    with pytest.raises(LumentreeProtocolError, match=message):
        decode(register, raw)
