"""The order a profile is applied in, and that only what differs is written."""

from __future__ import annotations

from custom_components.diy_solar.policies.profiles import SAME, Kind, plan

KINDS = {
    "bulk_voltage": Kind.VOLTAGE,
    "float_voltage": Kind.VOLTAGE,
    "max_charge_current": Kind.CURRENT,
    "max_utility_charge_current": Kind.CURRENT,
    "output_source_priority": Kind.OTHER,
}
SUMMER = {
    "bulk_voltage": 56.4,
    "float_voltage": 54.0,
    "max_charge_current": 60.0,
    "max_utility_charge_current": 30.0,
    "output_source_priority": 2.0,
}
WINTER = {
    "bulk_voltage": 55.2,
    "float_voltage": 53.2,
    "max_charge_current": 40.0,
    "max_utility_charge_current": 30.0,
    "output_source_priority": 0.0,
}


def test_going_down_voltages_first_lowest_first_then_currents() -> None:
    assert plan(SUMMER, WINTER, KINDS) == [
        ("float_voltage", 53.2),
        ("bulk_voltage", 55.2),
        ("max_charge_current", 40.0),
        ("output_source_priority", 0.0),
    ]


def test_going_up_currents_first_then_voltages_highest_first() -> None:
    assert plan(WINTER, SUMMER, KINDS) == [
        ("max_charge_current", 60.0),
        ("bulk_voltage", 56.4),
        ("float_voltage", 54.0),
        ("output_source_priority", 2.0),
    ]


def test_nothing_to_write_when_it_is_all_set_or_not_reported() -> None:
    assert plan(SUMMER, SUMMER, KINDS) == []
    assert plan({"bulk_voltage": 56.4}, {"cutoff_voltage": 44.0}, KINDS) == []


def test_a_setting_of_no_known_kind_is_written_last_and_a_tiny_difference_is_none() -> None:
    assert plan(
        {"bulk_voltage": 56.4, "buzzer": 1.0}, {"buzzer": 0.0, "bulk_voltage": 55.2}, KINDS
    ) == [
        ("bulk_voltage", 55.2),
        ("buzzer", 0.0),
    ]
    # The devices' steps are far coarser than SAME: at it, nothing is written.
    assert plan({"float_voltage": 0.0}, {"float_voltage": SAME}, KINDS) == []
    assert plan({"float_voltage": 0.0}, {"float_voltage": 2 * SAME}, KINDS) == [
        ("float_voltage", 2 * SAME)
    ]
