"""Smart-charging benchmark: the Axpert firmware alone against the firmware steered by
policies.charging, on one cloudy day from 50 %, lead-acid and LiFePO4.

    .venv/bin/python -m benchmarks.charging

The day: PV with cloud dips (synthetic day, seed 2, 4 kW peak), 300 W of load and a 1.5 kW
step from 12:00 to 12:45 (a rice cooker). CSV rows
controller,battery,kwh_into_battery,absorption_min,reached_full,max_cell_v,writes.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from custom_components.diy_solar.emulators.charge_firmware import (
    LEAD_ACID_CELLS,
    BatteryModel,
    ChargeFirmware,
)
from custom_components.diy_solar.emulators.plant import synthetic_day
from custom_components.diy_solar.policies import charging

HEADER = "controller,battery,kwh_into_battery,absorption_min,reached_full,max_cell_v,writes"
DT = 10.0
POLICY_EVERY = 10.0  # as often as the BMS reports
DAY = 739_000


@dataclass(frozen=True)
class Pack:
    name: str
    lithium: bool
    bulk_v: float
    float_v: float
    full_soc: float  # what counts as a full charge
    cell_limit_v: float


PACKS = (
    Pack("lead_acid", lithium=False, bulk_v=57.6, float_v=54.0, full_soc=0.99, cell_limit_v=2.4),
    # 3.525 V per cell in bulk is a common Axpert LiFePO4 setting; 3.45 V is the cells' limit.
    Pack("lifepo4", lithium=True, bulk_v=56.4, float_v=54.0, full_soc=0.95, cell_limit_v=3.45),
)


def policy_settings(pack: Pack) -> charging.Settings:
    if pack.lithium:
        return charging.Settings(
            chemistry=charging.Chemistry.LITHIUM,
            absorption_v=round(16 * pack.cell_limit_v, 1),
            float_v=pack.float_v,
            target_soc=pack.full_soc * 100,
            cell_limit_v=pack.cell_limit_v,
            taper_from_v=pack.cell_limit_v - 0.05,
        )
    return charging.Settings(absorption_v=pack.bulk_v, float_v=pack.float_v)


@dataclass
class Result:
    kwh: float = 0.0
    absorption_s: float = 0.0
    full: bool = False
    max_cell_v: float = 0.0
    writes: int = 0


def run(pack: Pack, steered: bool) -> Result:
    _, pv = synthetic_day(2, pv_peak_w=4000.0)
    # LiFePO4 cells have far less resistance than lead-acid ones; the pack is actively
    # balanced, so no cell runs ahead of the others.
    battery = BatteryModel(
        lithium=pack.lithium,
        soc=0.5,
        resistance=0.016 if pack.lithium else 0.05,
        weak_capacity=1.0,
    )
    firmware = ChargeFirmware(bulk_v=pack.bulk_v, float_v=pack.float_v)
    settings = policy_settings(pack)
    state = charging.State()
    result = Result()
    amps = 0.0
    for i in range(int(86_400 / DT)):
        t = i * DT
        load = 300.0 + (1500.0 if 12 * 3600 <= t < 12.75 * 3600 else 0.0)
        volts = battery.terminal(amps)
        if steered and t % POLICY_EVERY == 0:
            cells = battery.cell_voltages(amps) if pack.lithium else []
            reading = charging.Reading(
                now=t,
                day=DAY,
                battery_v=volts,
                charge_a=amps,
                inverter_age_s=0.0,
                soc=battery.soc * 100 if pack.lithium else None,
                max_cell_v=max(cells) if cells else None,
                temperatures=(25.0,) if pack.lithium else (),
                bms_age_s=0.0 if pack.lithium else None,
            )
            decision = charging.step(settings, state, reading)
            state = decision.state
            writes = decision.writes
            firmware.bulk_v = writes.get(charging.BULK_VOLTAGE, firmware.bulk_v)
            firmware.float_v = writes.get(charging.FLOAT_VOLTAGE, firmware.float_v)
            firmware.max_charge_a = writes.get(charging.MAX_CHARGE_CURRENT, firmware.max_charge_a)
            result.writes += len(decision.writes)
        available = max(0.0, pv[int(t)] - load) / volts
        amps = firmware.step(battery, available, DAY)
        battery.charge(amps, DT)
        volts = battery.terminal(amps)
        result.kwh += amps * volts * DT / 3_600_000
        if amps > 0 and volts >= pack.bulk_v - 0.3:
            result.absorption_s += DT
        cell = max(battery.cell_voltages(amps)) if pack.lithium else volts / LEAD_ACID_CELLS
        result.max_cell_v = max(result.max_cell_v, cell)
        result.full = result.full or battery.soc >= pack.full_soc
    return result


def main() -> int:
    print(HEADER)
    for pack in PACKS:
        for name, steered in (("stock", False), ("ours", True)):
            r = run(pack, steered)
            print(
                f"{name},{pack.name},{r.kwh:.2f},{r.absorption_s / 60:.0f},{r.full},"
                f"{r.max_cell_v:.3f},{r.writes}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
