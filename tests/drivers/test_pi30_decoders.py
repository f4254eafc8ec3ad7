"""The PI30 decoders given what a faulty line makes of real frames: a value within the
physical bounds, or the driver's protocol error; never a wrong value, never another
exception."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from custom_components.diy_solar.drivers.pi30.codec import (
    crc_bytes,
    decode_response,
    encode_response,
)
from custom_components.diy_solar.drivers.pi30.exceptions import Pi30ProtocolError
from custom_components.diy_solar.drivers.pi30.models import (
    parse_current_options,
    parse_qflag,
    parse_qid,
    parse_qmod,
    parse_qpgs,
    parse_qpi,
    parse_qpigs,
    parse_qpiri,
    parse_qpiws,
    parse_qvfw,
)
from custom_components.diy_solar.emulators.pi30 import Pi30Emulator
from custom_components.diy_solar.emulators.plant import Plant

PARSERS: dict[str, Callable[[str], object]] = {
    "QPIGS": parse_qpigs,
    "QPIRI": parse_qpiri,
    "QMOD": parse_qmod,
    "QPIWS": parse_qpiws,
    "QID": parse_qid,
    "QPI": parse_qpi,
    "QVFW": parse_qvfw,
    "QFLAG": parse_qflag,
    "QPGS0": parse_qpgs,
    "QMCHGCR": lambda p: parse_current_options(p, "QMCHGCR"),
}


def _payloads() -> dict[str, str]:
    emulator = Pi30Emulator(plant=Plant(soc=0.62, pv_w=1240.0, load_w=450.0))
    answers = {command: emulator.answer(command) for command in PARSERS}
    return {command: payload for command, payload in answers.items() if payload}


PAYLOADS = _payloads()


@pytest.mark.parametrize("command", sorted(PAYLOADS))
@pytest.mark.parametrize("other", sorted(PAYLOADS))
def test_no_reply_decodes_as_another_command_s(command: str, other: str) -> None:
    """A late or duplicated reply to one command never passes for the reply to another."""
    if command == other:
        return
    with pytest.raises(Pi30ProtocolError):
        PARSERS[command](PAYLOADS[other])


@pytest.mark.parametrize("number", ["nan", "inf", "-inf", "1e999", "1e3", "0x10", "1_0", "٣"])
def test_only_plain_numbers_are_numbers(number: str) -> None:
    fields = PAYLOADS["QPIGS"].split()
    fields[8] = number
    with pytest.raises(Pi30ProtocolError):
        parse_qpigs(" ".join(fields))


@pytest.mark.parametrize(
    ("index", "value", "good"),
    [
        (10, "100", True),
        (10, "101", False),
        (10, "255", False),
        (11, "-040", True),
        (11, "-041", False),
        (11, "0125", True),
        (11, "0126", False),
        (8, "80.00", True),
        (8, "80.01", False),
        (15, "-0001", False),
    ],
)
def test_qpigs_values_outside_physical_bounds_are_bad_frames(
    index: int, value: str, good: bool
) -> None:
    fields = PAYLOADS["QPIGS"].split()
    fields[index] = value
    payload = " ".join(fields)
    if good:
        parse_qpigs(payload)
    else:
        with pytest.raises(Pi30ProtocolError):
            parse_qpigs(payload)


@pytest.mark.parametrize("seed", range(4))
def test_mutated_frames_give_a_bounded_value_or_the_driver_s_error(seed: int) -> None:
    """Real-shaped frames with bytes changed (CRC recomputed, so the CRC check cannot
    save the decoder): 2,500 per seed through every parser."""
    rng = random.Random(seed)
    alphabet = b"0123456789. -+eE(naifNAKx\x00\xff"
    for _ in range(2500):
        command = rng.choice(sorted(PAYLOADS))
        body = bytearray(PAYLOADS[command].encode())
        for _ in range(rng.randint(1, 3)):
            match rng.randrange(3):
                case 0 if body:
                    body[rng.randrange(len(body))] = rng.choice(alphabet)
                case 1 if body:
                    del body[rng.randrange(len(body))]
                case _:
                    body.insert(rng.randrange(len(body) + 1), rng.choice(alphabet))
        data = b"(" + bytes(body)
        frame = data + crc_bytes(data) + b"\r"
        try:
            value = PARSERS[command](decode_response(frame))
        except Pi30ProtocolError:
            continue
        if command == "QPIGS":
            assert 0 <= value.battery_capacity <= 100  # type: ignore[attr-defined]
            assert 0 <= value.battery_voltage <= 80  # type: ignore[attr-defined]


def test_emulator_frames_never_carry_a_crc_byte_other_tools_refuse() -> None:
    """mpp-solar bumps 0x00, 0x0A, 0x0D and 0x28 in a CRC and refuses a frame that holds
    one; our decoder accepts the frame either way."""
    rng = random.Random(7)
    for _ in range(5000):
        payload = f"{rng.uniform(0, 300):05.1f} {rng.randrange(10_000):04d}"
        frame = encode_response(payload)
        assert not set(frame[-3:-1]) & {0x00, 0x0A, 0x0D, 0x28}
        assert decode_response(frame) == payload
