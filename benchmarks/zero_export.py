"""Zero-export benchmark: our controller against the ABCDS and bic2mqtt rules and an oracle.

    .venv/bin/python -m benchmarks.zero_export

Two scenarios (a synthetic 24 h day, seed 1; the real 1 s household load over the real
cloudy-day PV), each with a fast meter (1 s interval, 0.5 s latency) and a slow one (5 s,
1 s). One CSV row per controller and meter. A 60 s meter outage is injected while the
battery discharges; failsafe_s is how long each controller takes to bring the battery power
to zero for the rest of the outage (inf: it never does, it keeps the last command).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.baselines import Abcds, Bic2mqtt, Controller, Ours
from custom_components.diy_solar.emulators.plant import (
    TRACE_CREDITS,
    ActuatorModel,
    BicModel,
    Meter,
    synthetic_day,
    trace_day,
)
from custom_components.diy_solar.policies import zero_export

TRACES = Path(__file__).parent / "traces"
DT = 0.5
MAX_CHARGE_W = 2000.0
MAX_DISCHARGE_W = 2000.0
COMMAND_DELAY_S = 0.5
RAMP_W_PER_S = 1000.0
BATTERY_WH = 10_000.0
OUTAGE_S = 60.0
METERS = ((1.0, 0.5), (5.0, 1.0))
HEADER = (
    "controller,meter,actuator,import_wh,export_wh,abs_exchange_wh,writes,max_overshoot_w,"
    "failsafe_s"
)


@dataclass(frozen=True)
class Scenario:
    name: str
    load: list[float]
    pv: list[float]
    start_minute: int  # local time of the first sample
    outage_at: float  # seconds from the start


def _outage_time(load: list[float], pv: list[float], not_before: int) -> float:
    """A moment of steady import, so that every controller is discharging."""
    net = [load[t] - pv[t] for t in range(len(load))]
    window = 120
    best, best_t = -math.inf, not_before
    for t in range(not_before, len(net) - window, 60):
        low = min(net[t - window : t])
        if low > best:
            best, best_t = low, t
    return float(best_t)


def scenarios() -> list[Scenario]:
    load, pv = synthetic_day(1)
    synthetic = Scenario("synthetic", load, pv, 0, _outage_time(load, pv, 20 * 3600))
    load, pv = trace_day(TRACES)
    traces = Scenario("traces", load, pv, 9 * 60, _outage_time(load, pv, 3600))
    return [synthetic, traces]


def ours(interval: float, latency: float, min_w: float) -> Controller:
    """Our defaults, with what a user sets for their meter: its lag, and for a slow meter
    a wider deadband and longer waits (each write is checked later). The actuators'
    minimum is what the runner reads from the device."""
    return Ours(
        zero_export.Settings(
            chargers=(zero_export.Actuator("charge", MAX_CHARGE_W, min_w),),
            dischargers=(zero_export.Actuator("discharge", MAX_DISCHARGE_W, min_w),),
            # The meter's latency, the command delay and the time to ramp most steps.
            meter_lag_s=latency + COMMAND_DELAY_S + 0.5,
            deadband_w=40.0 if interval <= 1 else 60.0,
            min_write_interval_s=2 * interval,
            deadband_hold_s=16 * interval,
            flap_window_s=10 * interval,
        )
    )


@dataclass
class Result:
    import_wh: float = 0.0
    export_wh: float = 0.0
    writes: int = 0
    max_overshoot_w: float = 0.0
    failsafe_s: float = math.inf


ACTUATORS: dict[str, type[ActuatorModel]] = {"ideal": ActuatorModel, "bic": BicModel}


def run(
    scenario: Scenario,
    controller: Controller | None,
    interval: float,
    latency: float,
    actuator_kind: str = "ideal",
) -> Result:
    """Simulate; controller None is the oracle (it knows the net load one lag ahead)."""
    meter = Meter(interval, latency)
    actuator = ACTUATORS[actuator_kind](
        COMMAND_DELAY_S, RAMP_W_PER_S, MAX_CHARGE_W, MAX_DISCHARGE_W
    )
    soc_wh = BATTERY_WH / 2
    result = Result()
    last_sent: float | None = None
    lookahead = latency + COMMAND_DELAY_S
    # The end of the last step of the outage with the battery still working.
    last_on = scenario.outage_at
    seconds = len(scenario.load)

    def send(now: float, watts: float | None) -> None:
        nonlocal last_sent
        if watts is None or (last_sent is not None and abs(watts - last_sent) < 1):
            return
        result.writes += actuator.command(now, watts)
        last_sent = watts

    for i in range(int(seconds / DT)):
        now = i * DT
        second = int(now)
        minute = (scenario.start_minute + second // 60) % 1440
        power = actuator.advance(now, DT)
        # An empty or full battery cannot follow the command.
        if (power > 0 and soc_wh <= 0) or (power < 0 and soc_wh >= BATTERY_WH):
            power = 0.0
        soc_wh -= power * DT / 3600
        grid = scenario.load[second] - scenario.pv[second] - power
        result.import_wh += max(0.0, grid) * DT / 3600
        result.export_wh += max(0.0, -grid) * DT / 3600
        # What the battery itself pushed past zero: export while discharging, import
        # while charging.
        overshoot = min(power, -grid) if power > 0 else min(-power, grid)
        result.max_overshoot_w = max(result.max_overshoot_w, overshoot)

        outage = scenario.outage_at <= now < scenario.outage_at + OUTAGE_S
        if outage and abs(power) >= 1:
            last_on = now + DT
        meter.observe(now, grid, online=not outage)
        if controller is None:
            ahead = min(seconds - 1, int(now + lookahead))
            send(now, scenario.load[ahead] - scenario.pv[ahead])
            continue
        for reading in meter.deliveries(now):
            send(now, controller.on_reading(now, minute, reading))
        if now == second:
            send(now, controller.tick(now, minute))
    if last_on < scenario.outage_at + OUTAGE_S:
        result.failsafe_s = last_on - scenario.outage_at
    return result


CONTROLLERS: dict[str, Callable[[float, float, float], Controller | None]] = {
    "ours": ours,
    "abcds": lambda _i, _l, _m: Abcds(MAX_CHARGE_W, MAX_DISCHARGE_W),
    "bic2mqtt": lambda _i, _l, _m: Bic2mqtt(MAX_CHARGE_W, MAX_DISCHARGE_W),
    "oracle": lambda _i, _l, _m: None,
}


def main() -> int:
    print(f"# {TRACE_CREDITS}", file=sys.stderr)
    print(HEADER)
    for kind, model in ACTUATORS.items():
        for scenario in scenarios():
            for interval, latency in METERS:
                meter = f"{scenario.name} {interval:g}s/{latency:g}s"
                for name, make in CONTROLLERS.items():
                    controller = make(interval, latency, model.min_w)
                    r = run(scenario, controller, interval, latency, kind)
                    failsafe = "nan" if name == "oracle" else f"{r.failsafe_s:.1f}"
                    print(
                        f"{name},{meter},{kind},{r.import_wh:.1f},{r.export_wh:.1f},"
                        f"{r.import_wh + r.export_wh:.1f},{r.writes},{r.max_overshoot_w:.0f},"
                        f"{failsafe}",
                        flush=True,
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
