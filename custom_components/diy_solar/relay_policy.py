"""What the generator and grid-connect policies share in Home Assistant: a relay switch
they own, a stored state, a tick that decides, and repair issues.

The relay is any `switch` (a channel of our USB relay board or another integration's).
When its state differs from the one the policy wants (after an HA restart, or a relay
board that was unplugged and is back), the policy says it again.
"""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime, timedelta
from typing import Any

from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN, LOGGER
from .coordinator import DeviceCoordinator
from .repairs import set_issue
from .runtime import DiySolarConfigEntry

CONF_RELAY = "relay"
TICK = timedelta(seconds=5)
# Saying the relay state again waits this long after the last try.
REASSERT_AFTER = 30.0


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

    def __init__(self, hass: HomeAssistant, entry: DiySolarConfigEntry) -> None:
        super().__init__(hass, entry)
        self.update_interval = None
        self.options = {**entry.data, **entry.options}
        self._store: Store[dict[str, Any]] = policy_store(hass, entry.entry_id)
        self._unsubscribe: CALLBACK_TYPE | None = None

    @abstractmethod
    def restore(self, stored: dict[str, Any]) -> None:
        """Take back what async_stored() returned before the restart."""

    @abstractmethod
    def stored(self) -> dict[str, Any]:
        """What must survive a restart."""

    @abstractmethod
    def snapshot(self) -> DataT:
        """What the entities show."""

    @abstractmethod
    async def async_act(self, now: float) -> None:
        """Move the policy to now and do what it decides."""

    async def async_run(self) -> None:
        await self.async_act(dt_util.utcnow().timestamp())
        self._store.async_delay_save(self.stored, 1)
        snapshot = self.snapshot()
        if snapshot != self.data:
            self.async_set_updated_data(snapshot)

    async def _async_setup(self) -> None:
        self.restore(await self._store.async_load() or {})
        self._unsubscribe = async_track_time_interval(self.hass, self._on_tick, self.tick)

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
            entry_type=DeviceEntryType.SERVICE,
        )

    async def async_close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        await self._store.async_save(self.stored())

    def diagnostics(self) -> dict[str, Any]:
        return {"stored": self.stored(), "options": dict(self.options)}


class RelayPolicyRunner[DataT](PolicyRunner[DataT]):
    """Decides every tick whether the relay should be closed, and keeps it so."""

    def __init__(self, hass: HomeAssistant, entry: DiySolarConfigEntry) -> None:
        super().__init__(hass, entry)
        self._last_try: float | None = None
        self._last_wanted: bool | None = None

    @property
    def relay(self) -> str:
        return str(self.options[CONF_RELAY])

    @abstractmethod
    def decide(self, now: float) -> bool:
        """Move the policy to now; whether the relay should be closed."""

    async def async_act(self, now: float) -> None:
        wanted = self.decide(now)
        state = self.hass.states.get(self.relay)
        actual = state.state if state is not None else None
        differs = actual in (STATE_ON, STATE_OFF) and (actual == STATE_ON) != wanted
        due = (
            self._last_try is None
            or now - self._last_try >= REASSERT_AFTER
            or self._wanted_changed(wanted)
        )
        if differs and due:
            self._last_try = now
            await self._async_switch(wanted)
        self._last_wanted = wanted

    def _wanted_changed(self, wanted: bool) -> bool:
        return self._last_wanted is not None and wanted != self._last_wanted

    async def _async_switch(self, on: bool) -> None:
        try:
            await self.hass.services.async_call(
                "switch",
                "turn_on" if on else "turn_off",
                {ATTR_ENTITY_ID: self.relay},
                blocking=True,
            )
        except HomeAssistantError as err:
            LOGGER.warning("%s: switching %s failed: %s", self.config_entry.title, self.relay, err)


def policy_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    return Store(hass, 1, f"{DOMAIN}.policy.{entry_id}")
