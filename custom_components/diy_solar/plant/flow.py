"""Adding the simulated plant: one per Home Assistant, every simulator shares it."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlowResult

from ..const import CONF_DEVICE_TYPE, DeviceType
from ..flow import DiySolarFlow


class PlantFlow(DiySolarFlow):
    async def async_step_simulated_plant(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        await self.async_set_unique_id(DeviceType.SIMULATED_PLANT)
        self._abort_if_unique_id_configured()
        return self.async_create_entry(
            title="Simulated plant", data={CONF_DEVICE_TYPE: DeviceType.SIMULATED_PLANT}
        )
