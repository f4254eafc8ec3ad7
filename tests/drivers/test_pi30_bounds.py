"""Every number of the PI30 readings at its physical bounds: the bound itself is a reading,
a step beyond it is a bad frame that names the field; each field lands where it belongs.

The bounds are written out here rather than read from the driver, so that a bound moved in
the driver is a failing test, not a moved expectation."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import pytest

from custom_components.diy_solar.drivers.pi30.codec import decode_response
from custom_components.diy_solar.drivers.pi30.exceptions import Pi30ProtocolError
from custom_components.diy_solar.drivers.pi30.models import parse_qpgs, parse_qpigs, parse_qpiri
from tests.vectors import load

CAPTURED = {
    v.command: decode_response(v.frame)
    for v in load("pi30_vectors.txt")
    if v.command in ("QPIGS", "QPIRI", "QPGS0") and not v.negative
}
PARSERS: dict[str, Callable[[str], object]] = {
    "QPIGS": parse_qpigs,
    "QPIRI": parse_qpiri,
    "QPGS0": parse_qpgs,
}
PREFIX = {"QPIGS": "QPIGS", "QPIRI": "QPIRI", "QPGS0": "QPGS"}


class Bound(NamedTuple):
    command: str
    position: int  # of the field in the reply, from 0
    name: str  # of the reading
    low: float
    high: float | None  # None: only the field's width limits it
    whole: bool


BOUNDS = [
    Bound(*row)
    for row in (
        ("QPIGS", 0, "grid_voltage", 0, 300, False),
        ("QPIGS", 1, "grid_frequency", 0, 70, False),
        ("QPIGS", 2, "ac_output_voltage", 0, 300, False),
        ("QPIGS", 3, "ac_output_frequency", 0, 70, False),
        ("QPIGS", 4, "ac_output_apparent_power", 0, 20_000, True),
        ("QPIGS", 5, "ac_output_active_power", 0, 20_000, True),
        ("QPIGS", 6, "output_load_percent", 0, 300, True),
        ("QPIGS", 7, "bus_voltage", 0, 600, True),
        ("QPIGS", 8, "battery_voltage", 0, 80, False),
        ("QPIGS", 9, "battery_charging_current", 0, 500, True),
        ("QPIGS", 10, "battery_capacity", 0, 100, True),
        ("QPIGS", 11, "heatsink_temperature", -40, 125, True),
        ("QPIGS", 12, "pv_input_current", 0, 200, False),
        ("QPIGS", 13, "pv_input_voltage", 0, 600, False),
        ("QPIGS", 14, "battery_voltage_from_scc", 0, 80, False),
        ("QPIGS", 15, "battery_discharge_current", 0, 500, True),
        ("QPIGS", 17, "fan_voltage_offset", 0, 999, True),
        ("QPIGS", 18, "eeprom_version", 0, None, True),
        ("QPIGS", 19, "pv_charging_power", 0, 20_000, True),
        ("QPIRI", 0, "grid_rating_voltage", 90, 300, False),
        ("QPIRI", 1, "grid_rating_current", 0, 100, False),
        ("QPIRI", 2, "ac_output_rating_voltage", 90, 300, False),
        ("QPIRI", 3, "ac_output_rating_frequency", 40, 70, False),
        ("QPIRI", 4, "ac_output_rating_current", 0, 100, False),
        ("QPIRI", 5, "ac_output_rating_apparent_power", 0, 20_000, True),
        ("QPIRI", 6, "ac_output_rating_active_power", 0, 20_000, True),
        ("QPIRI", 7, "battery_rating_voltage", 10, 80, False),
        ("QPIRI", 8, "battery_recharge_voltage", 0, 80, False),
        ("QPIRI", 9, "battery_under_voltage", 0, 80, False),
        ("QPIRI", 10, "battery_bulk_voltage", 0, 80, False),
        ("QPIRI", 11, "battery_float_voltage", 0, 80, False),
        ("QPIRI", 12, "battery_type", 0, 9, True),
        ("QPIRI", 13, "max_ac_charging_current", 0, 500, True),
        ("QPIRI", 14, "max_charging_current", 0, 500, True),
        ("QPIRI", 15, "input_voltage_range", 0, None, True),
        ("QPIRI", 16, "output_source_priority", 0, None, True),
        ("QPIRI", 17, "charger_source_priority", 0, None, True),
        ("QPIRI", 18, "parallel_max_num", 0, None, True),
        ("QPIRI", 20, "topology", 0, None, True),
        ("QPIRI", 21, "output_mode", 0, None, True),
        ("QPIRI", 22, "battery_redischarge_voltage", 0, 80, False),
        ("QPIRI", 23, "pv_ok_condition", 0, None, True),
        ("QPIRI", 24, "pv_power_balance", 0, None, True),
        ("QPGS0", 3, "fault_code", 0, 99, True),
        ("QPGS0", 4, "grid_voltage", 0, 300, False),
        ("QPGS0", 5, "grid_frequency", 0, 70, False),
        ("QPGS0", 6, "ac_output_voltage", 0, 300, False),
        ("QPGS0", 7, "ac_output_frequency", 0, 70, False),
        ("QPGS0", 8, "ac_output_apparent_power", 0, 20_000, True),
        ("QPGS0", 9, "ac_output_active_power", 0, 20_000, True),
        ("QPGS0", 10, "load_percent", 0, 300, True),
        ("QPGS0", 11, "battery_voltage", 0, 80, False),
        ("QPGS0", 12, "battery_charging_current", 0, 500, True),
        ("QPGS0", 13, "battery_capacity", 0, 100, True),
        ("QPGS0", 14, "pv_input_voltage", 0, 600, False),
        ("QPGS0", 15, "total_charging_current", 0, 4_500, True),
        ("QPGS0", 16, "total_ac_output_apparent_power", 0, 180_000, True),
        ("QPGS0", 17, "total_ac_output_active_power", 0, 180_000, True),
        ("QPGS0", 18, "total_load_percent", 0, 300, True),
        ("QPGS0", 20, "output_mode", 0, 9, True),
        ("QPGS0", 21, "charger_source_priority", 0, 9, True),
        ("QPGS0", 22, "max_charging_current", 0, 500, True),
        ("QPGS0", 23, "max_charging_current_range", 0, 500, True),
        ("QPGS0", 24, "max_ac_charging_current", 0, 500, True),
        ("QPGS0", 25, "pv_input_current", 0, 200, False),
        ("QPGS0", 26, "battery_discharge_current", 0, 500, True),
    )
]
IDS = [f"{b.command}-{b.name}" for b in BOUNDS]
# Fields the QPIRI also holds to one digit: a sign is refused before the bound is looked at.
ONE_DIGIT = {("QPIRI", 15), ("QPIRI", 16), ("QPIRI", 17)}


def _with(bound: Bound, text: str) -> str:
    fields = CAPTURED[bound.command].split()
    fields += ["0"] * (bound.position + 1 - len(fields))  # a field newer firmware adds
    fields[bound.position] = text
    return " ".join(fields)


def _text(value: float, whole: bool) -> str:
    return str(int(value)) if whole else f"{value:.1f}"


@pytest.mark.parametrize("bound", BOUNDS, ids=IDS)
def test_each_bound_is_a_reading(bound: Bound) -> None:
    for value in (bound.low, 9 if bound.high is None else bound.high):
        reading = PARSERS[bound.command](_with(bound, _text(value, bound.whole)))
        assert getattr(reading, bound.name) == value
        assert isinstance(getattr(reading, bound.name), int if bound.whole else float)


@pytest.mark.parametrize("bound", BOUNDS, ids=IDS)
def test_a_step_beyond_a_bound_is_a_bad_frame_naming_the_field(bound: Bound) -> None:
    step = 1 if bound.whole else 0.1
    prefix = PREFIX[bound.command]
    below = f"{bound.name} {bound.low - step:g} outside"
    if (bound.command, bound.position) in ONE_DIGIT:
        below = f"field {bound.position + 1} '-1' is not one digit"
    with pytest.raises(Pi30ProtocolError, match=f"^{prefix}: {below}"):
        PARSERS[bound.command](_with(bound, _text(bound.low - step, bound.whole)))
    if bound.high is not None:
        above = f"{bound.name} {bound.high + step:g} outside"
        with pytest.raises(Pi30ProtocolError, match=f"^{prefix}: {above}"):
            PARSERS[bound.command](_with(bound, _text(bound.high + step, bound.whole)))


@pytest.mark.parametrize(
    ("bits", "flags"),
    [
        ("1", (True, None, None)),
        ("01", (False, True, None)),
        ("001", (False, False, True)),
        ("1101", (True, True, False)),  # a fourth bit no reading knows yet
    ],
)
def test_the_second_status_field_gives_as_many_flags_as_it_has_bits(
    bits: str, flags: tuple[bool | None, ...]
) -> None:
    status = parse_qpigs(_with(Bound("QPIGS", 20, "status", 0, None, True), bits))
    assert (status.charging_to_float, status.switched_on, status.dustproof_installed) == flags


def test_older_firmware_leaves_the_later_fields_out() -> None:
    status = parse_qpigs(" ".join(CAPTURED["QPIGS"].split()[:17]))
    assert (status.fan_voltage_offset, status.eeprom_version, status.pv_charging_power) == (
        None,
        None,
        None,
    )
    assert status.charging_to_float is None
    rated = parse_qpiri(" ".join(CAPTURED["QPIRI"].split()[:18]))
    assert rated.parallel_max_num is None
    assert rated.machine_type is None
    assert rated.battery_redischarge_voltage is None
    unit = parse_qpgs(" ".join(CAPTURED["QPGS0"].split()[:25]))
    assert (unit.pv_input_current, unit.battery_discharge_current) == (None, None)
