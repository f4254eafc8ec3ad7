"""The smart-charging policy entry: policies.charging writing an Axpert's settings.

It reads the inverter's battery voltage and charging current (and a BMS's SOC, highest cell
and temperatures where given) and writes through the inverter's own number entities, so
every write goes through the PI30 setters: checked against what the inverter allows and
confirmed by reading QPIRI back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from functools import partial
from typing import Any

from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from ..const import ATTR_ALLOWED_VALUES
from ..forms import minute_of_day, option
from ..policies.charging import (
    BULK_VOLTAGE,
    FLOAT_VOLTAGE,
    MAX_CHARGE_CURRENT,
    Chemistry,
    Phase,
    Reading,
    Reason,
    Settings,
    State,
    start_absorption,
    step,
    stop_absorption,
)
from ..policy_runner import PolicyRunner, sensor_value
from ..runtime import DiySolarConfigEntry, RuntimeData, async_start
from ..values import enum_sensor, measurement, value_sensors

CONF_CHEMISTRY = "chemistry"
# Entities read and written, by option key.
SENSORS_IN = {
    "battery_voltage": SensorDeviceClass.VOLTAGE,
    "charge_current": SensorDeviceClass.CURRENT,
}
NUMBERS_OUT = {
    BULK_VOLTAGE: "bulk_number",
    FLOAT_VOLTAGE: "float_number",
    MAX_CHARGE_CURRENT: "current_number",
}
BMS_IN = ("soc_sensor", "cell_max_sensor", "bms_current_sensor")
CONF_TEMPERATURES = "temperature_sensors"


def settings_from(options: dict[str, Any]) -> Settings:
    d = Settings()

    opt = partial(option, options)
    chemistry = Chemistry(options.get(CONF_CHEMISTRY, Chemistry.LEAD_ACID))

    return Settings(
        chemistry=chemistry,
        absorption_v=opt("absorption_v", d.absorption_v),
        float_v=opt("float_v", d.float_v),
        tail_current_a=opt("tail_current", d.tail_current_a),
        tail_s=opt("tail_time", d.tail_s / 60, 60),
        max_absorption_s=opt("max_absorption", d.max_absorption_s / 60, 60),
        # A lead-acid level only: an entry stored before the forms asked by chemistry may
        # still hold one, which must not start lithium charges.
        rebulk_v=options.get("rebulk_v") if chemistry is Chemistry.LEAD_ACID else None,
        rebulk_soc=options.get("rebulk_soc"),
        float_step_v=opt("float_step", d.float_step_v),
        float_step_s=opt("float_step_time", d.float_step_s),
        max_charge_a=opt("max_charge", d.max_charge_a),
        min_charge_a=opt("min_charge", d.min_charge_a),
        lithium_absorption=bool(options.get("lithium_absorption", False)),
        target_soc=opt("target_soc", d.target_soc),
        cell_limit_v=opt("cell_limit", d.cell_limit_v),
        taper_from_v=opt("taper_from", d.taper_from_v),
        charge_temperature=(opt("temp_min", d.charge_temperature[0]), opt("temp_max", 45.0)),
        min_write_interval_s=opt("min_write_interval", d.min_write_interval_s),
        stale_after_s=opt("stale_after", d.stale_after_s),
    )


@dataclass(frozen=True)
class ChargingData:
    phase: Phase
    reason: Reason
    writes_today: int


class ChargingRunner(PolicyRunner[ChargingData]):
    model = "Smart charging"
    state: State
    tick = timedelta(seconds=30)

    def __init__(self, hass: HomeAssistant, entry: DiySolarConfigEntry) -> None:
        super().__init__(hass, entry)
        self.settings = settings_from(self.options)
        self.state = State()
        self._reset = timedelta(minutes=minute_of_day(self.options.get("reset_time")) or 0)

    def snapshot(self) -> ChargingData:
        reason = Reason.PAUSED if self.paused_until is not None else self.state.reason
        return ChargingData(self.state.phase, reason, self.state.writes_today)

    def _reading(self, now: float) -> Reading:
        volts = sensor_value(self.hass, self.options["battery_voltage"], now)
        amps = sensor_value(self.hass, self.options["charge_current"], now)
        soc = sensor_value(self.hass, self.options.get("soc_sensor"), now)
        cell = sensor_value(self.hass, self.options.get("cell_max_sensor"), now)
        bms_amps = sensor_value(self.hass, self.options.get("bms_current_sensor"), now)
        temps = [sensor_value(self.hass, e, now) for e in self.options.get(CONF_TEMPERATURES, [])]
        bms_ages = [v[1] for v in (soc, cell, bms_amps) if v is not None]
        has_bms = any(self.options.get(k) for k in BMS_IN)
        # The charging day starts at the reset time, not necessarily at midnight.
        local = dt_util.as_local(dt_util.utc_from_timestamp(now)) - self._reset
        return Reading(
            now=now,
            day=local.date().toordinal(),
            battery_v=volts[0] if volts else None,
            charge_a=amps[0] if amps else None,
            inverter_age_s=max(v[1] for v in (volts, amps) if v) if volts and amps else 1e9,
            soc=soc[0] if soc else None,
            max_cell_v=cell[0] if cell else None,
            temperatures=tuple(t[0] for t in temps if t is not None),
            bms_age_s=(max(bms_ages) if bms_ages else 1e9) if has_bms else None,
            bms_current_a=bms_amps[0] if bms_amps else None,
        )

    def _offered_currents(self) -> tuple[float, ...]:
        """The values the current number accepts, where it lists them (an Axpert's)."""
        state = self.hass.states.get(self.options[NUMBERS_OUT[MAX_CHARGE_CURRENT]])
        listed = state.attributes.get(ATTR_ALLOWED_VALUES) if state is not None else None
        return tuple(sorted(float(a) for a in listed)) if listed else ()

    async def async_act(self, now: float) -> None:
        if self.paused(now):
            # Hands off the charger; once the pause ends every value is said again, as
            # the owner may have changed them meanwhile.
            self.state = replace(self.state, written={})
            return
        # Read from the inverter on every run: its list may differ after a firmware update.
        self.settings = replace(self.settings, allowed_charge_a=self._offered_currents())
        decision = step(self.settings, self.state, self._reading(now))
        self.state = decision.state
        self.issue("charging_stale", self.state.reason is Reason.STALE)
        refused: list[str] = []
        for key, value in decision.writes.items():
            entity_id = self.options[NUMBERS_OUT[key]]
            data = {ATTR_ENTITY_ID: entity_id, "value": value}
            if not await self.async_write("number", "set_value", data):
                # Not written: forget it, so the next tick tries again.
                self.state.written.pop(key, None)
                if key == MAX_CHARGE_CURRENT and value in self.settings.allowed_charge_a:
                    refused.append(f"{value:g} A")
        # A value the inverter listed and then refused: one repair issue, not a warning
        # on every run. It goes when a current is taken again.
        if MAX_CHARGE_CURRENT in decision.writes:
            self.issue("charging_current_refused", bool(refused), value=", ".join(refused))

    async def async_start_absorption(self) -> None:
        self.state = start_absorption(self.state, dt_util.utcnow().timestamp())
        await self.async_run(action=True)

    async def async_stop_absorption(self) -> None:
        self.state = stop_absorption(self.state, dt_util.utcnow().timestamp())
        await self.async_run(action=True)


SENSORS = (
    enum_sensor("charging_phase", Phase, lambda d: d.phase.value),
    enum_sensor("charging_reason", Reason, lambda d: d.reason.value),
    measurement("charging_writes_today", None, None, lambda d: d.writes_today),
)


async def async_setup(hass: HomeAssistant, entry: DiySolarConfigEntry) -> RuntimeData:
    return await async_start(ChargingRunner(hass, entry), {Platform.SENSOR: value_sensors(SENSORS)})
