"""Every decoder, fed arbitrary and mutated frames (checksums recomputed, so the mutation
reaches the decoder): a value within physical bounds, or the driver's own error. Never
another exception, never a number no device reads.

The suite runs a few hundred examples each; DIY_SOLAR_FUZZ=long runs 100,000.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from custom_components.diy_solar.drivers.bms import BmsError, BmsStatus
from custom_components.diy_solar.drivers.dalybms.protocol import (
    FRAME_LENGTH,
    DataId,
    Replies,
    assemble,
    build_frame,
    parse_reply,
)
from custom_components.diy_solar.drivers.jkbms.protocol import checksum as jk_checksum
from custom_components.diy_solar.drivers.jkbms.protocol import decode_status
from custom_components.diy_solar.drivers.lumentree import LumentreeError
from custom_components.diy_solar.drivers.lumentree.registers import (
    AC_VOLTAGE,
    DC_VOLTAGE,
    OUTPUT_POWER,
    TEMPERATURE,
)
from custom_components.diy_solar.drivers.lumentree.registers import decode as lumentree_decode
from custom_components.diy_solar.drivers.meanwell import Command, MeanWellError
from custom_components.diy_solar.drivers.meanwell.models import MODELS, decode_reading
from custom_components.diy_solar.drivers.meanwell.protocol import DEFAULT_SCALING, Scaling
from custom_components.diy_solar.drivers.pi30 import Pi30Error
from custom_components.diy_solar.drivers.pi30.codec import crc_bytes, decode_response
from custom_components.diy_solar.drivers.pi30.models import (
    parse_current_options,
    parse_qflag,
    parse_qid,
    parse_qmod,
    parse_qpgs,
    parse_qpigs,
    parse_qpiri,
    parse_qpiws,
    parse_qvfw,
)
from tests.vectors import device_lines, load

# -- what any device can read ----------------------------------------------------------

# (word in a field's name, lowest, highest): checked on every number a decoder returns
# whose name holds the word. Wide on purpose: what no unit of any size can read.
PHYSICAL = (
    ("battery_capacity", 0, 100),  # PI30: a percentage
    ("soc", 0, 100),
    ("temperature", -40, 125),
    ("frequency", 0, 70),
    ("voltage", -1e-9, 600),
    ("power", -180_000, 180_000),  # a parallel system of nine 20 kW units
    ("current", -4_500, 4_500),
)


def _numbers(value: Any, name: str = "") -> list[tuple[str, float]]:
    """Every number in a decoded value, with the name of the field it sits in."""
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, int | float):
        return [(name, float(value))]
    if is_dataclass(value) and not isinstance(value, type):
        return [n for f in fields(value) for n in _numbers(getattr(value, f.name), f.name)]
    if isinstance(value, tuple | list):
        return [n for item in value for n in _numbers(item, name)]
    if isinstance(value, dict):
        return [n for key, item in value.items() for n in _numbers(item, str(key))]
    return []


def assert_physical(value: Any) -> None:
    for name, number in _numbers(value):
        assert math.isfinite(number), (name, number)
        for word, low, high in PHYSICAL:
            if word in name:
                assert low <= number <= high, (name, number)


def assert_bms_physical(status: BmsStatus) -> None:
    assert_physical(status)
    cells = [v for v in status.cell_voltages if v]
    assert all(0.5 <= v <= 5.0 for v in cells), status.cell_voltages
    if cells and len(cells) == len(status.cell_voltages):
        assert abs(status.voltage - sum(cells)) <= 0.1 * sum(cells) + 0.1


# -- mutations -------------------------------------------------------------------------


def mutated_bytes(
    frames: list[bytes], keep: slice, *, resize: bool = True
) -> st.SearchStrategy[bytes]:
    """A real frame with some bytes inside keep changed (and with resize, dropped or
    added; without, the mutations reach the values rather than the frame's layout)."""
    edits = ("set", "flip", "drop", "insert") if resize else ("set", "flip")

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        frame = bytearray(draw(st.sampled_from(frames)))
        for _ in range(draw(st.integers(1, 4))):
            start, stop, _ = keep.indices(len(frame))
            at = draw(st.integers(start, max(start, stop - 1)))
            match draw(st.sampled_from(edits)):
                case "set":
                    frame[at] = draw(st.integers(0, 255))
                case "flip":
                    frame[at] ^= 1 << draw(st.integers(0, 7))
                case "drop" if len(frame) > 1:
                    del frame[at]
                case _:
                    frame.insert(at, draw(st.integers(0, 255)))
        return bytes(frame)

    return build()


# Texts that Python takes for a number and no unit sends.
NOT_NUMBERS = ("nan", "inf", "-inf", "1e999", "1_0", "0x1F", "١٢", "+", "-", ".5", "9" * 20)


@st.composite
def mutated_payload(draw: st.DrawFn, payloads: list[str]) -> str:
    parts = draw(st.sampled_from(payloads)).split()
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(parts) - 1))
        match draw(st.sampled_from(("number", "word", "text", "drop", "double"))):
            case "number":
                parts[at] = draw(st.from_regex(r"-?\d{1,6}(\.\d{1,3})?", fullmatch=True))
            case "word":
                parts[at] = draw(st.sampled_from(NOT_NUMBERS))
            case "text":
                parts[at] = draw(st.text(max_size=10))
            case "drop" if len(parts) > 1:
                del parts[at]
            case _:
                parts.insert(at, parts[at])
    return " ".join(parts)


# -- PI30 ------------------------------------------------------------------------------

PI30 = [v for v in load("pi30_vectors.txt") if not v.negative and not v.is_request]
PI30_PAYLOADS = [decode_response(v.frame) for v in PI30 if v.command.startswith("Q")]
PI30_PARSERS: dict[str, Callable[[str], object]] = {
    "QPIGS": parse_qpigs,
    "QPIRI": parse_qpiri,
    "QMOD": parse_qmod,
    "QPIWS": parse_qpiws,
    "QID": parse_qid,
    "QVFW": parse_qvfw,
    "QFLAG": parse_qflag,
    "QMCHGCR": lambda payload: parse_current_options(payload, "QMCHGCR"),
    "QPGS0": parse_qpgs,
}


@pytest.mark.parametrize("command", sorted(PI30_PARSERS))
@given(payload=st.one_of(st.text(max_size=120), mutated_payload(PI30_PAYLOADS)))
def test_pi30_parsers_give_a_physical_value_or_their_error(command: str, payload: str) -> None:
    try:
        value = PI30_PARSERS[command](payload)
    except Pi30Error:
        return
    assert_physical(value)


@pytest.mark.parametrize("command", sorted(PI30_PARSERS))
def test_no_pi30_payload_passes_for_another_commands(command: str) -> None:
    for vector in PI30:
        if vector.command in PI30_PARSERS and vector.command != command:
            with pytest.raises(Pi30Error):
                PI30_PARSERS[command](decode_response(vector.frame))


@given(
    frame=st.one_of(
        st.binary(max_size=140),
        mutated_bytes([v.frame for v in PI30], slice(1, -3)).map(
            lambda f: f[:-3] + crc_bytes(f[:-3]) + b"\r"
        ),
    )
)
def test_pi30_frames_decode_to_text_or_their_error(frame: bytes) -> None:
    try:
        payload = decode_response(frame)
    except Pi30Error:
        return
    assert isinstance(payload, str)
    for parse in PI30_PARSERS.values():
        with contextlib.suppress(Pi30Error):
            assert_physical(parse(payload))


# -- JK --------------------------------------------------------------------------------

JK = [
    bytes.fromhex(text.split(maxsplit=2)[2].replace(" ", ""))
    for text, comment in device_lines("(c1)")
    if text.startswith("RSP") and "verified_bad" not in comment
]


def _jk_sealed(frame: bytes) -> bytes:
    """The length field and the checksum made right again, so the decoder sees the body."""
    body = bytearray(frame[:-4])
    body[2:4] = (len(frame) - 2).to_bytes(2, "big")
    return bytes(body) + jk_checksum(bytes(body)).to_bytes(4, "big")


@given(
    frame=st.one_of(
        st.binary(max_size=300),
        mutated_bytes(JK, slice(11, -9)).map(_jk_sealed),
        mutated_bytes(JK, slice(11, -9), resize=False).map(_jk_sealed),
    )
)
def test_jk_frames_give_a_physical_status_or_a_bms_error(frame: bytes) -> None:
    try:
        status = decode_status(frame)
    except BmsError:
        return
    assert_bms_physical(status)


def test_the_jk_fixtures_decode() -> None:
    assert len(JK) == 2
    for frame in JK:
        assert_bms_physical(decode_status(_jk_sealed(frame)))


# -- Daly ------------------------------------------------------------------------------

DALY: dict[int, list[bytes]] = {}
for _text, _comment in device_lines("(c2)"):
    _frame = bytes.fromhex(_text.removeprefix("RX"))
    if _frame[1] == 0x01 and 0x90 <= _frame[2] <= 0x98:
        DALY.setdefault(_frame[2], []).append(_frame[4:12])
# No capture has these two: a plausible reply of each.
DALY.setdefault(DataId.BALANCING, [bytes(8)])
DALY.setdefault(DataId.FAILURES, [bytes(8)])


def daly_data(data_id: int) -> st.SearchStrategy[bytes]:
    """Data bytes that passed parse_reply: real ones, mutated ones, arbitrary ones."""
    real = DALY[data_id]
    return st.one_of(
        st.sampled_from(real),
        mutated_bytes(real, slice(0, 8)).map(lambda d: (d + bytes(8))[:8]),
        st.binary(min_size=8, max_size=8),
    ).map(lambda d: parse_reply(build_frame(0x01, data_id, d), data_id))


@given(
    replies=st.builds(
        Replies,
        pack=daly_data(DataId.PACK),
        cell_range=daly_data(DataId.CELL_RANGE),
        temperature_range=daly_data(DataId.TEMPERATURE_RANGE),
        mosfets=daly_data(DataId.MOSFETS),
        status=daly_data(DataId.STATUS),
        cells=st.lists(daly_data(DataId.CELL_VOLTAGES), max_size=12),
        temperatures=st.lists(daly_data(DataId.TEMPERATURES), max_size=3),
        balancing=daly_data(DataId.BALANCING),
        failures=daly_data(DataId.FAILURES),
    )
)
def test_daly_replies_give_a_physical_status_or_a_bms_error(replies: Replies) -> None:
    try:
        status = assemble(replies)
    except BmsError:
        return
    assert_bms_physical(status)


@given(
    frame=st.binary(min_size=FRAME_LENGTH, max_size=FRAME_LENGTH),
    data_id=st.sampled_from(list(DALY)),
)
def test_daly_frames_give_their_data_or_a_bms_error(frame: bytes, data_id: int) -> None:
    with contextlib.suppress(BmsError):
        assert len(parse_reply(frame, data_id)) == 8


# -- Mean Well -------------------------------------------------------------------------

MEASURED = (
    Command.READ_VOUT,
    Command.READ_IOUT,
    Command.READ_VIN,
    Command.READ_TEMPERATURE_1,
    Command.READ_FAN_SPEED_1,
)


@given(
    command=st.sampled_from(MEASURED),
    data=st.binary(max_size=6),
    limits=st.sampled_from(list(MODELS.values())),
    scaling=st.one_of(st.just(DEFAULT_SCALING), st.binary(min_size=3, max_size=3)),
)
def test_mean_well_readings_are_physical_or_a_mean_well_error(
    command: Command, data: bytes, limits: Any, scaling: Scaling | bytes
) -> None:
    try:
        factors = scaling if isinstance(scaling, Scaling) else Scaling.decode(scaling)
    except ValueError:
        return  # the client turns this into its protocol error at identify()
    try:
        value = decode_reading(command, data, factors, limits)
    except MeanWellError:
        return
    assert math.isfinite(value)
    match command:
        case Command.READ_VOUT:
            assert 0 <= value <= limits.charge_voltage.maximum * 1.2
        case Command.READ_IOUT:
            assert abs(value) <= 180 * 1.2
        case Command.READ_VIN:
            assert 0 <= value <= 300
        case Command.READ_TEMPERATURE_1:
            assert -40 <= value <= 125
        case _:
            assert 0 <= value <= 30_000


# -- Lumentree -------------------------------------------------------------------------


@given(
    register=st.sampled_from((AC_VOLTAGE, DC_VOLTAGE, OUTPUT_POWER, TEMPERATURE)),
    raw=st.integers(-1, 0x10000),
)
def test_lumentree_registers_are_physical_or_a_lumentree_error(register: int, raw: int) -> None:
    try:
        value = lumentree_decode(register, raw)
    except LumentreeError:
        return
    low, high = {
        AC_VOLTAGE: (0, 300),
        DC_VOLTAGE: (0, 80),
        OUTPUT_POWER: (0, 2400),
        TEMPERATURE: (-40, 125),
    }[register]
    assert low <= value <= high
