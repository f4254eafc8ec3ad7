"""Setting profiles of a device ("summer", "winter"): saved from what the device has,
applied through its verified setters in a safe order (policies.profiles), chosen from a
select, an action or a blueprint.

A device's coordinator takes part by being a ProfileDevice. Profiles are kept in a store of
their own per entry, so saving one does not reload the entry.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store

from .const import DOMAIN
from .entity import DiySolarEntity
from .policies.profiles import Kind, plan

PROFILE_SELECT = SelectEntityDescription(
    key="profile", translation_key="profile", entity_category=EntityCategory.CONFIG
)


@runtime_checkable
class ProfileDevice(Protocol):
    profiles: Profiles

    async def async_profile_settings(self) -> dict[str, float]:
        """The settings as the device has them now, read fresh."""

    def profile_kinds(self) -> dict[str, Kind]: ...

    async def async_apply_setting(self, key: str, value: float) -> None:
        """Write one setting through the verified setter (errors as the entities raise)."""


class Profiles:
    """The named profiles of one entry, and which was applied last."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        self._store: Store[dict[str, Any]] = profile_store(hass, entry_id)
        self.saved: dict[str, dict[str, float]] = {}
        self.applied: str | None = None

    async def async_load(self) -> None:
        stored = await self._store.async_load() or {}
        self.saved = stored.get("saved", {})
        self.applied = stored.get("applied")

    async def _async_save(self) -> None:
        # At once: saving and applying are a person's actions, rare, and a reload may follow.
        await self._store.async_save({"saved": self.saved, "applied": self.applied})

    async def async_save_current(self, device: ProfileDevice, name: str) -> dict[str, float]:
        self.saved[name] = await device.async_profile_settings()
        self.applied = name
        await self._async_save()
        return self.saved[name]

    async def async_apply(self, device: ProfileDevice, name: str) -> list[dict[str, Any]]:
        """Write what differs; the changes made, in order. A refused value stops it."""
        if name not in self.saved:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="unknown_profile",
                translation_placeholders={"profile": name},
            )
        current = await device.async_profile_settings()
        changed: list[dict[str, Any]] = []
        for key, value in plan(current, self.saved[name], device.profile_kinds()):
            try:
                await device.async_apply_setting(key, value)
            except HomeAssistantError as err:
                raise HomeAssistantError(
                    translation_domain=DOMAIN,
                    translation_key="profile_stopped",
                    translation_placeholders={
                        "profile": name,
                        "setting": key,
                        "value": f"{value:g}",
                        "done": ", ".join(c["setting"] for c in changed) or "-",
                        "error": str(err),
                    },
                ) from err
            changed.append({"setting": key, "from": current[key], "to": value})
        self.applied = name
        await self._async_save()
        return changed


def profile_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    return Store(hass, 1, f"{DOMAIN}.profiles.{entry_id}")


class ProfileSelect(DiySolarEntity[Any], SelectEntity):
    """The saved profiles; choosing one applies it."""

    def __init__(self, coordinator: Any) -> None:
        super().__init__(coordinator, PROFILE_SELECT)

    @property
    def _profiles(self) -> Profiles:
        profiles: Profiles = self.coordinator.profiles
        return profiles

    @property
    def options(self) -> list[str]:
        return sorted(self._profiles.saved)

    @property
    def current_option(self) -> str | None:
        return self._profiles.applied

    async def async_select_option(self, option: str) -> None:
        await self._profiles.async_apply(self.coordinator, option)
        self.async_write_ha_state()
