"""Each PI30 parser at the edge of what it takes: the last reply it accepts, the first it
refuses, and the refusal's exact words (they reach the log, and the owner reads them)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from custom_components.diy_solar.drivers.pi30.exceptions import Pi30ProtocolError
from custom_components.diy_solar.drivers.pi30.models import (
    CurrentOptions,
    as_dict,
    is_placeholder_serial,
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
from tests.drivers.test_pi30_bounds import CAPTURED

QPIGS = CAPTURED["QPIGS"].split()
QPIRI = CAPTURED["QPIRI"].split()
QPGS = CAPTURED["QPGS0"].split()


def _qmchgcr(payload: str) -> CurrentOptions:
    return parse_current_options(payload, "QMCHGCR")


def _swap(fields: list[str], index: int, text: str) -> str:
    return " ".join([*fields[:index], text, *fields[index + 1 :]])


REFUSED: list[tuple[str, Callable[[str], object], str, str]] = [
    (
        "qpigs-short",
        parse_qpigs,
        " ".join(QPIGS[:16]),
        "QPIGS: expected at least 17 fields, got 16",
    ),
    (
        "qpigs-status",
        parse_qpigs,
        _swap(QPIGS, 16, "0001011"),
        "QPIGS: status field '0001011' is not 8 bits",
    ),
    (
        "qpigs-bits",
        parse_qpigs,
        _swap(QPIGS, 16, "0001011x"),
        "QPIGS: '0001011x' is not a bit field",
    ),
    ("qpigs-status2", parse_qpigs, _swap(QPIGS, 20, "012"), "QPIGS: '012' is not a bit field"),
    ("qpigs-number", parse_qpigs, _swap(QPIGS, 0, "2x0"), "QPIGS: '2x0' is not a number"),
    ("qpigs-wide", parse_qpigs, _swap(QPIGS, 0, "0" * 13), f"QPIGS: '{'0' * 13}' is not a number"),
    (
        "qpiri-short",
        parse_qpiri,
        " ".join(QPIRI[:17]),
        "QPIRI: expected at least 18 fields, got 17",
    ),
    ("qpiri-16", parse_qpiri, _swap(QPIRI, 15, "00"), "QPIRI: field 16 '00' is not one digit"),
    ("qpiri-17", parse_qpiri, _swap(QPIRI, 16, "x"), "QPIRI: field 17 'x' is not one digit"),
    ("qpiri-18", parse_qpiri, _swap(QPIRI, 17, "10"), "QPIRI: field 18 '10' is not one digit"),
    ("qpiri-number", parse_qpiri, _swap(QPIRI, 20, "a"), "QPIRI: 'a' is not a number"),
    ("qmod", parse_qmod, "X", "QMOD: unknown mode 'X'"),
    ("qpiws-bits", parse_qpiws, "0" * 31 + "2", "QPIWS: '" + "0" * 31 + "2' is not a bit field"),
    ("qpiws-short", parse_qpiws, "0" * 29, "QPIWS: expected at least 30 bits, got 29"),
    ("qid-7", parse_qid, "1234567", "QID: '1234567' is not a serial number"),
    ("qid-21", parse_qid, "1" * 21, f"QID: '{'1' * 21}' is not a serial number"),
    ("qvfw-colon", parse_qvfw, "VERFW 00072.70", "QVFW: 'VERFW 00072.70' has no version"),
    ("qvfw-empty", parse_qvfw, "VERFW:", "QVFW: 'VERFW:' has no version"),
    ("qpi", parse_qpi, "pi30", "QPI: 'pi30' is not a protocol id"),
    ("qflag", parse_qflag, "Ea1", "QFLAG: unexpected '1' in 'Ea1'"),
    ("qflag-first", parse_qflag, "a", "QFLAG: unexpected 'a' in 'a'"),
    ("currents-empty", _qmchgcr, "", "QMCHGCR: expected at least 1 fields, got 0"),
    ("currents-one-digit", _qmchgcr, "2 10", "QMCHGCR: '2 10' is not a list of currents"),
    ("currents-four", _qmchgcr, "10 1000", "QMCHGCR: '10 1000' is not a list of currents"),
    ("qpgs-short", parse_qpgs, " ".join(QPGS[:24]), "QPGS: expected at least 25 fields, got 24"),
    (
        "qpgs-exists",
        parse_qpgs,
        _swap(QPGS, 0, "2"),
        "QPGS: {payload!r} is not a parallel unit's status",
    ),
    (
        "qpgs-status",
        parse_qpgs,
        _swap(QPGS, 19, "1010001"),
        "QPGS: {payload!r} is not a parallel unit's status",
    ),
    ("qpgs-bits", parse_qpgs, _swap(QPGS, 19, "1010001x"), "QPGS: '1010001x' is not a bit field"),
    ("qpgs-number", parse_qpgs, _swap(QPGS, 4, "-"), "QPGS: '-' is not a number"),
]


@pytest.mark.parametrize(
    ("parse", "payload", "message"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED]
)
def test_a_refusal_says_exactly_what_it_refused(
    parse: Callable[[str], object], payload: str, message: str
) -> None:
    message = message.replace("{payload!r}", repr(payload))
    with pytest.raises(Pi30ProtocolError, match=f"^{re.escape(message)}$"):
        parse(payload)


def test_the_last_reply_each_parser_still_takes() -> None:
    assert parse_qpigs(" ".join(QPIGS[:17])).fan_voltage_offset is None
    assert parse_qpigs(_swap(QPIGS, 18, "0" * 11 + "7")).eeprom_version == 7  # 12 characters
    assert parse_qpiri(" ".join(QPIRI[:18])).parallel_max_num is None
    assert parse_qpiri(" ".join(QPIRI[:19])).machine_type is None
    assert parse_qpiri(" ".join(QPIRI[:20])).machine_type == "01"
    assert parse_qpiri(_swap(QPIRI, 15, "9")).input_voltage_range == 9
    assert parse_qid("12345678") == "12345678"
    assert parse_qid("1" * 20) == "1" * 20
    assert parse_qvfw("VERFW:00072.70") == "00072.70"
    assert parse_qvfw("VERFW:1:2") == "1:2"  # the version starts after the first colon
    assert parse_qpi("PI30") == "PI30"
    assert _qmchgcr("10") == CurrentOptions(values=(10,), digits=2)
    assert _qmchgcr("020 010 100 020") == CurrentOptions(values=(10, 20, 100), digits=3)
    assert parse_qpgs(" ".join(QPGS[:25])).pv_input_current is None
    assert parse_qpgs(_swap(QPGS, 0, "0")).parallel_exists is False


@pytest.mark.parametrize(
    ("serial", "placeholder"),
    [("55355535553555", True), ("00000000", True), ("92912009100027", False), ("12121212", False)],
)
def test_a_placeholder_serial_is_not_an_identity(serial: str, placeholder: bool) -> None:
    assert is_placeholder_serial(serial) is placeholder


def test_a_reading_as_a_dict_has_every_field_by_name() -> None:
    status = parse_qpigs(CAPTURED["QPIGS"])
    found = as_dict(status)
    assert found["grid_voltage"] == 239.1
    assert found["switched_on"] is True
    assert len(found) == 30
