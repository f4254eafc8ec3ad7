"""A BMS's options: how to read its current sign and (JK) its negative temperatures."""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from homeassistant.config_entries import ConfigEntry
from homeassistant.helpers import selector

from ..const import CONF_DEVICE_TYPE, CONF_INVERT_CURRENT, CONF_TEMPERATURE_CONVENTION, DeviceType
from ..drivers.jkbms import TemperatureConvention


def settings_fields(entry: ConfigEntry[Any]) -> dict[Any, Any]:
    fields: dict[Any, Any] = {
        vol.Required(CONF_INVERT_CURRENT, default=False): selector.BooleanSelector()
    }
    if entry.data[CONF_DEVICE_TYPE] == DeviceType.JK_BMS:
        fields[
            vol.Required(
                CONF_TEMPERATURE_CONVENTION, default=TemperatureConvention.MINUS_ONE_AT_101
            )
        ] = selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=[c.value for c in TemperatureConvention],
                translation_key=CONF_TEMPERATURE_CONVENTION,
            )
        )
    return fields
