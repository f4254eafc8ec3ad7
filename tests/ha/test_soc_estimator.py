"""The SOC estimator through Home Assistant: counts from the current sensor, is set to
100 % at a full charge, reports a drifting battery monitor, and keeps its count across a
restart."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.diy_solar.const import DOMAIN
from custom_components.diy_solar.emulators.plant import Plant, solar_elevation

OPTIONS = {
    CONF_NAME: "Estimator",
    "voltage_sensor": "sensor.bank_voltage",
    "current_sensor": "sensor.bank_current",
    "other_soc": "sensor.monitor_soc",
    "capacity": 100,
    "chemistry": "lifepo4",
    "cells": 16,
    "full_voltage": 55.2,
    "tail_current": 5,
    "full_hold": 5,
    "charge_efficiency": 100,
    "rest_current": 1,
    "rest_time": 30,
    "drift": 10,
    "drift_time": 10,
}


def readings(hass: HomeAssistant, volts: float, amps: float, monitor: float) -> None:
    hass.states.async_set("sensor.bank_voltage", str(volts))
    hass.states.async_set("sensor.bank_current", str(amps))
    hass.states.async_set("sensor.monitor_soc", str(monitor))


async def minutes(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, count: int, *values: float
) -> None:
    for _ in range(count):
        freezer.tick(timedelta(minutes=1))
        readings(hass, *values)
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)


def soc(hass: HomeAssistant) -> float:
    return float(hass.states.get("sensor.estimator_state_of_charge").state)


async def test_counts_resyncs_at_full_and_reports_drift(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to("2026-11-25 12:00:00")
    readings(hass, 3.35 * 16, 0.0, 99)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "soc_estimator"}
    )
    bad = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**OPTIONS, "table": "48=0, 52"}
    )
    assert bad["errors"] == {"table": "table_format"}
    result = await hass.config_entries.flow.async_configure(bad["flow_id"], OPTIONS)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    entry_id = result["result"].entry_id
    assert soc(hass) == 99.0  # from the rest voltage: 3.35 V a cell

    # 30 A out of 100 Ah for an hour: 30 points; the monitor says 95 all along.
    await minutes(hass, freezer, 60, 52.8, -30.0, 95)
    assert abs(soc(hass) - 69.0) <= 1.0
    drift = f"soc_drift_{entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, drift)

    # Charged back to full: 55.2 V at a 3 A tail for 5 minutes is 100 %.
    await minutes(hass, freezer, 50, 54.0, 36.0, 95)
    await minutes(hass, freezer, 6, 55.2, 3.0, 99)
    assert soc(hass) == 100.0
    assert hass.states.get("sensor.estimator_last_correction").state == "full"
    assert not ir.async_get(hass).async_get_issue(DOMAIN, drift)

    # Kept across a restart of the entry.
    await minutes(hass, freezer, 20, 52.8, -30.0, 90)
    before = soc(hass)
    await hass.config_entries.async_reload(entry_id)
    await hass.async_block_till_done()
    assert abs(soc(hass) - before) <= 0.6


async def test_a_week_of_the_plant_through_home_assistant(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """The plant's battery voltage and a current sensor 3 % high and 0.3 A off, every 5
    minutes for a week: after the first full charge the estimate stays within 5 % of the
    plant's true SOC, and each day's full charge resets it."""
    freezer.move_to("2026-06-01 00:00:00")
    plant = Plant(soc=0.5, pv_peak_w=3000.0)
    table = ", ".join(
        f"{16 * (3.1 + 0.2 * s + 1.5 * max(0.0, s - 0.9)):.3f}={s * 100:g}"
        for s in (i / 20 for i in range(21))
    )

    def report(t: float) -> None:
        hour = (t / 3600) % 24
        plant.load_w = 350.0 + (450.0 if 18 <= hour < 22 else 0.0)
        plant.advance(t, solar_elevation(hour))
        amps = plant.battery_w / plant.battery_voltage
        readings(hass, plant.battery_voltage, round(amps * 1.03 + 0.3, 2), plant.soc * 100)

    report(0)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "soc_estimator"}
    )
    options = {
        **OPTIONS,
        "capacity": round(10_000 / 52.0),
        "full_voltage": 55.0,
        "tail_current": 2,
        "full_hold": 10,
        "charge_efficiency": 100,
        "table": table,
    }
    result = await hass.config_entries.flow.async_configure(result["flow_id"], options)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    errors, fulls, was_full = [], 0, False
    for step in range(1, 7 * 24 * 12 + 1):
        freezer.tick(timedelta(minutes=5))
        report(step * 300.0)
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
        full = (
            hass.states.get("sensor.estimator_last_correction").state == "full"
            and hass.states.get("sensor.estimator_time_since_correction").state == "0.0"
        )
        fulls += full and not was_full
        was_full = full
        if fulls:
            errors.append(abs(soc(hass) - plant.soc * 100))
    assert fulls >= 7
    assert max(errors) < 5.0
