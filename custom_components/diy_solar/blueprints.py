"""Copies the blueprints shipped with the integration into the user's blueprint folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from homeassistant.core import HomeAssistant

from .const import DOMAIN, LOGGER

SHIPPED = Path(__file__).parent / "blueprints"


def _install(config_dir: Path) -> list[Path]:
    """Copy what is missing; a file already there, edited or not, is the user's."""
    installed = []
    for source in sorted(SHIPPED.rglob("*.yaml")):
        kind = source.relative_to(SHIPPED).parts[0]
        target = config_dir / "blueprints" / kind / DOMAIN / source.name
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        installed.append(target)
    return installed


async def async_install_blueprints(hass: HomeAssistant) -> None:
    installed = await hass.async_add_executor_job(_install, Path(hass.config.config_dir))
    for path in installed:
        LOGGER.info("Installed blueprint %s", path)
