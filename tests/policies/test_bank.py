"""The bank of several packs: capacity-weighted, stale packs left out, never made up."""

from __future__ import annotations

from dataclasses import replace

import pytest

from custom_components.diy_solar.drivers.bms import BmsStatus
from custom_components.diy_solar.policies.bank import Extreme, Pack, combine, full_capacity

STATUS = BmsStatus(
    cell_voltages=(3.30,) * 16,
    voltage=52.8,
    current=10.0,
    soc=100.0,
    charge_mosfet=True,
    discharge_mosfet=True,
    balancing=False,
    alarms=frozenset(),
    temperatures=(20.0, 21.0),
    nominal_capacity=100.0,
)


def pack(name: str, **changes: object) -> Pack:
    return Pack(name, replace(STATUS, **changes))  # type: ignore[arg-type]


def test_the_soc_is_what_the_packs_hold_over_what_they_can_hold() -> None:
    full_small = pack("a", soc=100.0, nominal_capacity=100.0)
    empty_big = pack("b", soc=0.0, nominal_capacity=280.0, current=-20.0, voltage=48.0)
    bank = combine([full_small, empty_big])
    assert bank is not None
    assert bank.soc == 26.3  # 100 Ah of 380 Ah, not the 50 % mean
    assert (bank.current, bank.counted, bank.left_out) == (-10.0, 2, ())
    assert bank.power == round(10 * 52.8 - 20 * 48.0, 1)
    assert bank.voltage == 50.4


def test_a_stale_pack_is_left_out_and_named() -> None:
    bank = combine([pack("a", soc=80.0), Pack("b", None)])
    assert bank is not None
    assert (bank.soc, bank.counted, bank.left_out) == (80.0, 1, ("b",))


def test_no_fresh_pack_no_bank() -> None:
    assert combine([Pack("a", None), Pack("b", None)]) is None
    assert combine([]) is None


def test_the_weakest_cell_and_the_widest_pack_are_found() -> None:
    weak = pack("b", cell_voltages=(3.30,) * 15 + (3.10,))
    high = pack("c", cell_voltages=(3.30,) * 15 + (3.42,))
    bank = combine([pack("a"), weak, high])
    assert bank is not None
    assert bank.lowest_cell == Extreme(3.10, "b")
    assert bank.highest_cell == Extreme(3.42, "c")
    assert bank.largest_imbalance_mv == 200  # pack b's 3.30 - 3.10


def test_temperatures_and_alarms_across_packs() -> None:
    bank = combine([pack("a", temperatures=(5.0,)), pack("b", alarms=frozenset({"cell_high"}))])
    assert bank is not None
    assert (bank.temperature_min, bank.temperature_max, bank.alarm) == (5.0, 21.0, True)


@pytest.mark.parametrize(
    ("nominal", "user", "remaining", "soc", "full"),
    [
        (280.0, 100.0, 50.0, 50.0, 280.0),  # the BMS says it
        (None, 100.0, 50.0, 50.0, 100.0),  # else the user's figure
        (None, None, 50.0, 50.0, 100.0),  # else remaining over SOC
        (None, None, 5.0, 5.0, 100.0),  # at the least SOC for that
        (None, None, 4.9, 4.9, None),  # below it: unknown
    ],
)
def test_a_packs_full_capacity(
    nominal: float | None, user: float | None, remaining: float, soc: float, full: float | None
) -> None:
    status = replace(STATUS, nominal_capacity=nominal, remaining_capacity=remaining, soc=soc)
    assert full_capacity(Pack("a", status, user)) == full


def test_an_unknown_capacity_makes_no_soc_but_the_rest_stands() -> None:
    unknown = pack("b", nominal_capacity=None, remaining_capacity=1.0, soc=1.0)
    bank = combine([pack("a"), unknown])
    assert bank is not None
    assert bank.soc is None
    assert bank.counted == 2


def test_figures_keep_their_precision_and_the_largest_spread_is_in_millivolts() -> None:
    a = pack("a", current=10.004, voltage=52.804, cell_voltages=(3.0, 3.6) + (3.3,) * 14)
    b = pack("b", current=0.003, voltage=52.8049)
    bank = combine([a, b])
    assert bank is not None
    assert (bank.current, bank.voltage) == (10.01, 52.8)
    assert bank.power == round(10.004 * 52.804 + 0.003 * 52.8049, 1) == 528.4
    assert bank.largest_imbalance_mv == 600
    assert (bank.lowest_cell, bank.highest_cell) == (Extreme(3.0, "a"), Extreme(3.6, "a"))


def test_a_pack_without_cells_or_temperatures_adds_none() -> None:
    # Every sense wire loose (0.000 V, as packs report it) and no temperature probe.
    bare = pack("a", cell_voltages=(0.0,) * 16, voltage=1.0, temperatures=())
    bank = combine([bare])
    assert bank is not None
    assert (bank.lowest_cell, bank.highest_cell, bank.largest_imbalance_mv) == (None, None, None)
    assert (bank.temperature_min, bank.temperature_max) == (None, None)


def test_a_pack_that_can_hold_nothing_holds_nothing() -> None:
    empty = {"nominal_capacity": 0.0, "remaining_capacity": 0.0, "soc": 50.0}
    bank = combine([pack("a", **empty), pack("b", soc=0.0)])
    assert bank is not None and bank.soc == 0.0
    nothing = combine([pack("a", **empty), pack("b", **empty)])
    assert nothing is not None and nothing.soc is None
