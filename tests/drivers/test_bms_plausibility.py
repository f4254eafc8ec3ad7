"""Every BMS reading passes one gate: what no battery can read is a bad frame."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from custom_components.diy_solar.drivers.bms import BmsFrameError, BmsStatus

GOOD = BmsStatus(
    cell_voltages=(3.3,) * 16,
    voltage=52.8,
    current=-20.0,
    soc=50.0,
    charge_mosfet=True,
    discharge_mosfet=True,
    balancing=False,
    alarms=frozenset(),
    temperatures=(25.0, 26.0),
    mosfet_temperature=30.0,
    remaining_capacity=140.0,
)


@pytest.mark.parametrize(
    ("change", "good"),
    [
        ({"soc": 100.0}, True),
        ({"soc": 100.1}, False),
        ({"soc": 255.0}, False),  # JK with a flipped byte
        ({"soc": 0.0}, True),
        ({"soc": -0.1}, False),
        ({"soc": float("nan")}, False),
        ({"mosfet_temperature": 125.0}, True),
        ({"mosfet_temperature": 125.1}, False),
        ({"mosfet_temperature": -65435.0}, False),  # a sign read as unsigned
        ({"temperatures": (-40.0,)}, True),
        ({"temperatures": (-40.1,)}, False),
        ({"cell_voltages": (5.0,) * 16, "voltage": 80.0}, True),
        ({"cell_voltages": (5.001,) * 16, "voltage": 80.0}, False),
        ({"cell_voltages": (65.535,) + (3.3,) * 15, "voltage": 52.8}, False),  # Daly 0xFFFF
        ({"cell_voltages": (0.5,) + (3.3,) * 15, "voltage": 50.0}, True),
        ({"cell_voltages": (0.499,) + (3.3,) * 15, "voltage": 50.0}, False),
        ({"cell_voltages": (0.0, 0.0) + (4.148,) * 11, "voltage": 45.58}, True),  # dead wires
        ({"cell_voltages": ()}, False),  # a status with no cells
        ({"voltage": 52.8 + 5.27}, True),  # just within 10 % of the cells' sum
        ({"voltage": 52.8 + 5.29}, False),
        ({"voltage": 26.4}, False),  # far from the sum of its cells
        ({"current": float("inf")}, False),
        ({"remaining_capacity": -1.0}, False),
    ],
)
def test_the_gate_at_and_past_every_limit(change: dict[str, Any], good: bool) -> None:
    if good:
        replace(GOOD, **change)
    else:
        with pytest.raises(BmsFrameError):
            replace(GOOD, **change)


def test_a_refused_reading_says_which_and_where_the_limits_are() -> None:
    with pytest.raises(BmsFrameError, match=r"state of charge 101 outside 0\.\.100"):
        replace(GOOD, soc=101.0)
