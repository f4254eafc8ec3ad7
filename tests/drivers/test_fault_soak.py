"""A short seeded run of the fault soak: no driver returns a wrong or stale value, and
nothing but the driver's own error leaves it."""

from __future__ import annotations

import pytest

from benchmarks import faults


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize("driver", sorted(faults.DRIVERS))
@pytest.mark.parametrize("late_reaches_next", [False, True])
async def test_a_faulty_line_gives_no_wrong_or_stale_value(
    driver: str, late_reaches_next: bool
) -> None:
    result, injected = await faults.soak(faults.DRIVERS[driver], 40, 3, late_reaches_next)
    assert injected > 0
    assert (result.wrong, result.stale, result.other) == (0, 0, 0)
    assert result.errors < result.polls  # it recovers: most polls are good
