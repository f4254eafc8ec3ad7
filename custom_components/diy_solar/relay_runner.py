"""What the generator and grid-connect policies share in Home Assistant: a relay switch
they own.

The relay is any `switch` (a channel of our USB relay board or another integration's).
When its state differs from the one the policy wants (after an HA restart, or a relay
board that was unplugged and is back), the policy says it again.
"""

from __future__ import annotations

from abc import abstractmethod

from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant

from .policy_runner import PolicyRunner
from .runtime import DiySolarConfigEntry

CONF_RELAY = "relay"
# Saying the relay state again waits this long after the last try.
REASSERT_AFTER = 30.0


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

    def relay_on(self) -> bool | None:
        """Whether the relay is closed, as its switch shows; None when it does not say."""
        state = self.hass.states.get(self.relay)
        actual = state.state if state is not None else None
        return actual == STATE_ON if actual in (STATE_ON, STATE_OFF) else None

    async def async_act(self, now: float) -> None:
        wanted = self.decide(now)
        actual = self.relay_on()
        differs = actual is not None and actual != wanted
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
        await self.async_write(
            "switch", "turn_on" if on else "turn_off", {ATTR_ENTITY_ID: self.relay}
        )
