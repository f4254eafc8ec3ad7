"""Entity registry and states of every platform, as snapshots; energy totals."""

from __future__ import annotations

from datetime import timedelta
from unittest.mock import patch

import pytest
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache_with_extra_data,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.diy_solar.emulators.pi30 import Pi30Emulator
from tests.ha.common import PREFIX, poll, registry_summary


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize(
    "platform", [Platform.SENSOR, Platform.BINARY_SENSOR, Platform.NUMBER, Platform.SELECT]
)
async def test_platform_snapshot(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    mock_config_entry: MockConfigEntry,
    platform: Platform,
) -> None:
    with patch("custom_components.diy_solar.integration.PLATFORMS", [platform]):
        mock_config_entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    assert registry_summary(hass, entity_registry, mock_config_entry.entry_id) == snapshot


async def test_warning_and_fault(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: Pi30Emulator
) -> None:
    emulator.warnings |= {"inverter_fault", "over_temperature"}
    await poll(hass)
    assert hass.states.get(f"binary_sensor.{PREFIX}_over_temperature").state == "on"
    assert hass.states.get(f"binary_sensor.{PREFIX}_fault").state == "on"
    assert hass.states.get(f"sensor.{PREFIX}_mode").state == "fault"


async def test_energy_is_integrated_and_restored(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, emulator: Pi30Emulator
) -> None:
    entity_id = f"sensor.{PREFIX}_pv_energy"
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(entity_id, "12.5"),
                {"native_value": 12.5, "native_unit_of_measurement": "kWh"},
            )
        ],
    )
    sample_time = dt_util.utcnow()
    with patch(
        "custom_components.diy_solar.axpert.coordinator.utcnow", side_effect=lambda: sample_time
    ):
        mock_config_entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
        assert hass.states.get(entity_id).state == "12.5"
        # 1240 W sampled every 5 minutes for an hour: 1.24 kWh
        for _ in range(12):
            sample_time += timedelta(minutes=5)
            await poll(hass)
        assert float(hass.states.get(entity_id).state) == pytest.approx(13.74, abs=0.001)
        # A longer outage is not bridged by a straight line.
        sample_time += timedelta(hours=2)
        await poll(hass)
        assert float(hass.states.get(entity_id).state) == pytest.approx(13.74, abs=0.001)
