"""What every tick-driven policy entry shares in Home Assistant: a stored state that
survives a restart, a tick that runs the policy (one run at a time), the data its entities
show, its repair issues and its service device."""

from __future__ import annotations

import asyncio
from abc import abstractmethod
from collections.abc import Awaitable
from datetime import datetime, timedelta
from typing import Any

from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN, LOGGER
from .coordinator import DeviceCoordinator
from .policies.stored import StoredState
from .repairs import set_issue
from .runtime import DiySolarConfigEntry

TICK = timedelta(seconds=5)


def sensor_value(
    hass: HomeAssistant, entity_id: str | None, now: float
) -> tuple[float, float] | None:
    """(value, age in seconds) of a numeric sensor, None without a reading."""
    if not entity_id or (state := hass.states.get(entity_id)) is None:
        return None
    try:
        value = float(state.state)
    except ValueError:
        return None
    reported = max(state.last_updated, state.last_reported).timestamp()
    return value, max(0.0, now - reported)


class PolicyRunner[DataT](DeviceCoordinator[DataT]):
    """A policy entry's loop: stored state, a tick that runs it, its entities' data."""

    model: str
    tick = TICK
    state: StoredState  # the policy's memory, set by each runner before set-up

    def __init__(self, hass: HomeAssistant, entry: DiySolarConfigEntry) -> None:
        super().__init__(hass, entry)
        self.update_interval = None
        self.options = {**entry.data, **entry.options}
        self._store: Store[dict[str, Any]] = policy_store(hass, entry.entry_id)
        self._saved: dict[str, Any] | None = None
        # Listeners to drop at unload; subclasses add theirs.
        self.unsubscribe: list[CALLBACK_TYPE] = []
        # The tick and other triggers (a meter, an action) all start runs; one at a time.
        self._lock = asyncio.Lock()
        # Entities whose last write failed, with the error: logged once per outage.
        self.failing: dict[str, str] = {}
        self._failed_this_run: list[str] = []
        # Until when (UTC seconds) the owner paused the policy; what a paused policy does
        # is each runner's own (stopped, or hands off), and it shows as paused.
        self.paused_until: float | None = None

    def restore(self, stored: dict[str, Any]) -> None:
        """Take back what stored() returned before the restart."""
        if "state" in stored:
            self.state = type(self.state).from_dict(stored["state"])
        self.paused_until = stored.get("paused_until")

    def stored(self) -> dict[str, Any]:
        """What must survive a restart: the policy's state and its pause, unless a runner
        keeps more."""
        return {"state": self.state.to_dict(), "paused_until": self.paused_until}

    def paused(self, now: float) -> bool:
        """Whether a pause holds at now; one that has run out ends here."""
        if self.paused_until is not None and now >= self.paused_until:
            self.paused_until = None
        return self.paused_until is not None

    async def async_pause(self, duration: timedelta) -> None:
        self.paused_until = dt_util.utcnow().timestamp() + duration.total_seconds()
        await self.async_run(action=True)

    async def async_resume(self) -> None:
        self.paused_until = None
        await self.async_run(action=True)

    @abstractmethod
    def snapshot(self) -> DataT:
        """What the entities show."""

    @abstractmethod
    async def async_act(self, now: float) -> None:
        """Move the policy to now and do what it decides."""

    async def async_run(self, *, action: bool = False) -> None:
        """One run of the policy; for an action (a service, an entity the user set), a
        write the run could not make is the action's error."""
        async with self._lock:
            self._failed_this_run = []
            await self.async_act(dt_util.utcnow().timestamp())
            failed = self._failed_this_run
        # Written only when it changed: a policy that idles does not wear the disk.
        stored = self.stored()
        if stored != self._saved:
            self._saved = stored
            self._store.async_delay_save(self.stored, 1)
        snapshot = self.snapshot()
        if snapshot != self.data:
            self.async_set_updated_data(snapshot)
        if action and failed:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="policy_write_failed",
                translation_placeholders={
                    "name": self.config_entry.title,
                    "entity": failed[0],
                    "error": self.failing[failed[0]],
                },
            )

    async def async_write(self, domain: str, service: str, data: dict[str, Any]) -> bool:
        """Call an entity's service for the policy; False if it failed."""

        async def call() -> bool:
            await self.hass.services.async_call(domain, service, data, blocking=True)
            return True

        return await self.async_attempt(str(data[ATTR_ENTITY_ID]), call()) is not None

    async def async_attempt[T](self, target: str, write: Awaitable[T]) -> T | None:
        """Await one write to target (an entity or a device); None if it failed.

        A failure is logged when a target starts failing and when it works again, not on
        every run in between; an action's run reports it to the caller.
        """
        title = self.config_entry.title
        try:
            result = await write
        except HomeAssistantError as err:
            if target not in self.failing:
                LOGGER.warning("%s: writing to %s failed: %s", title, target, err)
            self.failing[target] = str(err) or type(err).__name__
            self._failed_this_run.append(target)
            return None
        if self.failing.pop(target, None) is not None:
            LOGGER.info("%s: %s takes writes again", title, target)
        return result

    async def _async_setup(self) -> None:
        self._saved = await self._store.async_load()
        self.restore(self._saved or {})
        self.unsubscribe.append(async_track_time_interval(self.hass, self._on_tick, self.tick))

    async def _async_update_data(self) -> DataT:
        await self.async_run()
        return self.snapshot()

    @callback
    def _on_tick(self, _now: datetime) -> None:
        self.hass.async_create_task(self.async_run(), eager_start=True)

    def issue(self, key: str, active: bool, **placeholders: str) -> None:
        entry = self.config_entry
        set_issue(self.hass, key, entry.entry_id, active, {"name": entry.title, **placeholders})

    def device_info(self, unit: int | None = None) -> DeviceInfo:
        return DeviceInfo(
            identifiers={(DOMAIN, self.device_key)},
            manufacturer="DIY Solar",
            model=self.model,
            name=self.config_entry.title,
            sw_version=self.software_version,
            entry_type=DeviceEntryType.SERVICE,
        )

    async def async_close(self) -> None:
        for unsubscribe in self.unsubscribe:
            unsubscribe()
        self.unsubscribe = []
        await self._store.async_save(self.stored())

    def diagnostics(self) -> dict[str, Any]:
        return {"stored": self.stored(), "options": dict(self.options)}


def policy_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    return Store(hass, 1, f"{DOMAIN}.policy.{entry_id}")
