"""The zero-export benchmark's promise: ours beats both baselines on exchange and writes."""

from __future__ import annotations

import pytest

from benchmarks import zero_export as bench


def test_ours_beats_both_baselines_on_every_scenario_and_meter(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert bench.main() == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == bench.HEADER
    table = [dict(zip(lines[0].split(","), line.split(","), strict=True)) for line in lines[1:]]
    assert {row["meter"] for row in table} == {
        "synthetic 1s/0.5s",
        "synthetic 5s/1s",
        "traces 1s/0.5s",
        "traces 5s/1s",
    }
    for meter in {row["meter"] for row in table}:
        by = {row["controller"]: row for row in table if row["meter"] == meter}
        ours = by["ours"]
        for baseline in ("abcds", "bic2mqtt"):
            other = by[baseline]
            assert float(ours["abs_exchange_wh"]) < float(other["abs_exchange_wh"]), meter
            assert int(ours["writes"]) < int(other["writes"]), meter
            assert other["failsafe_s"] == "inf"
        # The meter outage: discharge stops once the reading is 30 s old.
        assert float(ours["failsafe_s"]) <= 35, meter
        assert float(by["oracle"]["abs_exchange_wh"]) < float(ours["abs_exchange_wh"])
