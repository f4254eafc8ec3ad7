"""Lumentree units in Home Assistant, over a pty to the Modbus emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import ATTR_ENTITY_ID, CONF_DEVICE, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.diy_solar import async_remove_config_entry_device
from custom_components.diy_solar.const import CONF_MAX_POWER, CONF_SLAVES, DOMAIN
from custom_components.diy_solar.emulators.lumentree import LumentreeEmulator, LumentreeUnit
from tests.ha.common import device_with, poll


@pytest.fixture
async def emulator() -> AsyncIterator[LumentreeEmulator]:
    emulator = LumentreeEmulator({1: LumentreeUnit(1000), 2: LumentreeUnit(1000)})
    yield emulator
    emulator.close()


async def _add(hass: HomeAssistant, emulator: LumentreeEmulator, slaves: list[str]) -> dict:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "lumentree"}
    )
    assert result["type"] is FlowResultType.FORM
    return await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_DEVICE: emulator.path, CONF_SLAVES: slaves, CONF_MAX_POWER: "1000"},
    )


async def test_flow_probes_every_unit(hass: HomeAssistant, emulator: LumentreeEmulator) -> None:
    result = await _add(hass, emulator, ["1", "3"])  # nobody answers as 3
    assert result["errors"] == {"base": "cannot_connect"}
    assert emulator.units[1].commanded == 0  # the probe made the unit safe anyway
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_DEVICE: emulator.path, CONF_SLAVES: ["2", "1"], CONF_MAX_POWER: "1000"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {
        "device_type": "lumentree",
        CONF_DEVICE: emulator.path,
        CONF_SLAVES: [1, 2],
        CONF_MAX_POWER: 1000,
    }
    assert result["result"].unique_id == emulator.path


@pytest.fixture
async def entry(hass: HomeAssistant, emulator: LumentreeEmulator) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Lumentree",
        unique_id=emulator.path,
        data={
            "device_type": "lumentree",
            CONF_DEVICE: emulator.path,
            CONF_SLAVES: [1, 2],
            CONF_MAX_POWER: 1000,
        },
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def test_units_are_devices_with_power_control(
    hass: HomeAssistant, entry: MockConfigEntry, emulator: LumentreeEmulator
) -> None:
    assert [u.commanded for u in emulator.units.values()] == [0, 0]
    power = "sensor.lumentree_unit_2_output_power"
    assert hass.states.get(power).state == "0.0"
    assert hass.states.get("sensor.lumentree_unit_1_ac_voltage").state == "231.4"
    number = "number.lumentree_unit_2_output_power"
    assert hass.states.get(number).attributes["max"] == 1000
    await hass.services.async_call(
        "number", "set_value", {ATTR_ENTITY_ID: number, "value": 420}, blocking=True
    )
    assert emulator.units[2].commanded == 420
    assert emulator.units[1].commanded == 0
    await poll(hass)
    assert hass.states.get(power).state == "420.0"
    assert hass.states.get(number).state == "420"
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            "number", "set_value", {ATTR_ENTITY_ID: number, "value": 1200}, blocking=True
        )


async def test_a_silent_unit_alone_goes_unavailable(
    hass: HomeAssistant, entry: MockConfigEntry, emulator: LumentreeEmulator
) -> None:
    unit_2 = emulator.units.pop(2)
    await poll(hass)
    assert hass.states.get("sensor.lumentree_unit_2_output_power").state == STATE_UNAVAILABLE
    assert hass.states.get("sensor.lumentree_unit_1_output_power").state == "0.0"
    unit_2.ac_return()
    emulator.units[2] = unit_2
    await poll(hass)
    assert hass.states.get("sensor.lumentree_unit_2_output_power").state == "0.0"
    assert unit_2.commanded == 0  # told 0 W before anything else
    emulator.silent = True
    await poll(hass)
    assert hass.states.get("sensor.lumentree_unit_1_output_power").state == STATE_UNAVAILABLE


def _units(hass: HomeAssistant, entry: MockConfigEntry) -> list[str]:
    registry = dr.async_get(hass)
    return sorted(d.name for d in dr.async_entries_for_config_entry(registry, entry.entry_id))


async def test_reconfigure_moves_the_units_to_another_port(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    other = LumentreeEmulator({1: LumentreeUnit(1000)})
    unit_2 = device_with(hass, entry.entry_id, f"{entry.unique_id}-2")
    assert unit_2 is not None
    assert not await async_remove_config_entry_device(hass, entry, unit_2)
    assert _units(hass, entry) == [f"{entry.title} unit 1", f"{entry.title} unit 2"]
    try:
        result = await entry.start_reconfigure_flow(hass)
        assert result["step_id"] == "lumentree"
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {CONF_DEVICE: other.path, CONF_SLAVES: ["1"], CONF_MAX_POWER: "600"},
        )
        assert result["reason"] == "reconfigure_successful"
        assert entry.data[CONF_DEVICE] == other.path
        assert entry.data[CONF_SLAVES] == [1]
        await hass.async_block_till_done()
        # The unit the reconfigure dropped is gone with the reload, not left behind.
        assert _units(hass, entry) == [f"{entry.title} unit 1"]
        assert await async_remove_config_entry_device(hass, entry, unit_2)
        unit_1 = device_with(hass, entry.entry_id, f"{entry.unique_id}-1")
        assert unit_1 is not None
        assert not await async_remove_config_entry_device(hass, entry, unit_1)
    finally:
        await hass.config_entries.async_unload(entry.entry_id)
        other.close()
