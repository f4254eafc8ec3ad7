"""The DIY Solar dashboard in the sidebar: frontend/diy-solar-dashboard.js (a dashboard
strategy) served by the integration, and a dashboard that uses it until its owner takes
control of it (then it is theirs, stored like any other)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from homeassistant.components.frontend import add_extra_js_url, async_register_built_in_panel
from homeassistant.components.http import StaticPathConfig
from homeassistant.components.lovelace.const import LOVELACE_DATA
from homeassistant.components.lovelace.dashboard import LovelaceStorage
from homeassistant.core import HomeAssistant
from homeassistant.loader import async_get_loaded_integration

from .const import DOMAIN

SCRIPT = Path(__file__).parent / "frontend" / "diy-solar-dashboard.js"
URL = f"/{DOMAIN}/{SCRIPT.name}"
PANEL = "diy-solar"
STRATEGY = {"strategy": {"type": "custom:diy-solar"}}


class StrategyDashboard(LovelaceStorage):
    """Stored like any dashboard; with nothing stored yet, the strategy."""

    async def _load(self) -> dict[str, Any]:
        data = await super()._load()
        if data["config"] is None:
            data["config"] = dict(STRATEGY)
        return data


async def async_setup_dashboard(hass: HomeAssistant) -> None:
    """Serve the strategy and add the dashboard, where there is a frontend to show it."""
    if not {"frontend", "lovelace"} <= hass.config.components:
        return
    await hass.http.async_register_static_paths([StaticPathConfig(URL, str(SCRIPT), False)])
    # The version in the address: a browser takes a new release's script, not its cache.
    version = async_get_loaded_integration(hass, DOMAIN).version
    add_extra_js_url(hass, f"{URL}?v={version}")
    dashboards = hass.data[LOVELACE_DATA].dashboards
    if PANEL in dashboards:  # the owner made one of that name: it stays theirs
        return
    dashboards[PANEL] = StrategyDashboard(
        hass,
        {
            "id": DOMAIN,
            "url_path": PANEL,
            "title": "DIY Solar",
            "icon": "mdi:solar-power-variant",
            "show_in_sidebar": True,
            "require_admin": False,
            "mode": "storage",
        },
    )
    async_register_built_in_panel(
        hass,
        "lovelace",
        sidebar_title="DIY Solar",
        sidebar_icon="mdi:solar-power-variant",
        frontend_url_path=PANEL,
        config={"mode": "storage"},
        require_admin=False,
    )
