"""Copies the blueprints and Assist sentences shipped with the integration into the
user's configuration folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from homeassistant.core import HomeAssistant

from .const import DOMAIN, LOGGER

PACKAGE = Path(__file__).parent
BLUEPRINTS = PACKAGE / "blueprints"
SENTENCES = PACKAGE / "sentences"


def _targets(config_dir: Path) -> list[tuple[Path, Path]]:
    """(shipped file, where it goes): blueprints/<kind>/diy_solar/, and
    custom_sentences/<language>/ where Assist's default agent reads sentences."""
    blueprints = [
        (source, config_dir / "blueprints" / source.relative_to(BLUEPRINTS).parts[0] / DOMAIN)
        for source in sorted(BLUEPRINTS.rglob("*.yaml"))
    ]
    sentences = [
        (source, config_dir / "custom_sentences" / source.parent.name)
        for source in sorted(SENTENCES.rglob("*.yaml"))
    ]
    return blueprints + sentences


def _install(config_dir: Path) -> list[Path]:
    """Copy what is missing; a file already there, edited or not, is the user's."""
    installed = []
    for source, folder in _targets(config_dir):
        target = folder / source.name
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        installed.append(target)
    return installed


async def async_install_blueprints(hass: HomeAssistant) -> None:
    installed = await hass.async_add_executor_job(_install, Path(hass.config.config_dir))
    for path in installed:
        LOGGER.info("Installed %s", path)
    if any(path.parent.parent.name == "custom_sentences" for path in installed) and (
        hass.services.has_service("conversation", "reload")
    ):
        # Assist may have read its sentences already: new ones count from now.
        await hass.services.async_call("conversation", "reload", blocking=True)
