"""EEPROM write counts that survive restarts, checked against a budget.

Chargers and inverters keep settings in EEPROM with a finite number of writes; the
count is per device entry and persisted in HA's storage.
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store

from .const import CONF_EEPROM_BUDGET, DEFAULT_EEPROM_BUDGET, DOMAIN

STORAGE_VERSION = 1
SAVE_DELAY = 30  # seconds; a burst of writes is stored once
WARN_FRACTION = 0.8


def _storage_key(entry_id: str) -> str:
    return f"{DOMAIN}.eeprom_writes.{entry_id}"


def issue_id(entry_id: str) -> str:
    return f"eeprom_budget_{entry_id}"


class WriteLedger:
    """Counts one device's EEPROM writes; raises a repair issue at 80 % of the budget."""

    def __init__(self, hass: HomeAssistant, entry_id: str, name: str, budget: int) -> None:
        self._hass = hass
        self._entry_id = entry_id
        self._name = name
        self.budget = budget
        self.count = 0
        # Writes no longer reach the EEPROM (a Mean Well's EEP_OFF, known to be in effect).
        self.eeprom_off = False
        self._store: Store[dict[str, int]] = Store(hass, STORAGE_VERSION, _storage_key(entry_id))

    async def async_load(self) -> None:
        stored = await self._store.async_load()
        self.count = int((stored or {}).get("writes", 0))
        self.eeprom_off = bool((stored or {}).get("eeprom_off", False))
        self._check_budget()

    def _data(self) -> dict[str, int]:
        return {"writes": self.count, "eeprom_off": int(self.eeprom_off)}

    @callback
    def set_eeprom_off(self, off: bool) -> None:
        if off != self.eeprom_off:
            self.eeprom_off = off
            self._store.async_delay_save(self._data, SAVE_DELAY)

    @callback
    def add(self, writes: int = 1) -> None:
        self.count += writes
        self._store.async_delay_save(self._data, SAVE_DELAY)
        self._check_budget()

    async def async_flush(self) -> None:
        await self._store.async_save(self._data())

    @callback
    def _check_budget(self) -> None:
        if self.count >= self.budget * WARN_FRACTION:
            ir.async_create_issue(
                self._hass,
                DOMAIN,
                issue_id(self._entry_id),
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key="eeprom_budget",
                translation_placeholders={
                    "name": self._name,
                    "writes": str(self.count),
                    "budget": str(self.budget),
                },
            )
        else:
            ir.async_delete_issue(self._hass, DOMAIN, issue_id(self._entry_id))


async def async_load_ledger(hass: HomeAssistant, entry: ConfigEntry) -> WriteLedger:
    ledger = WriteLedger(
        hass,
        entry.entry_id,
        entry.title,
        entry.options.get(CONF_EEPROM_BUDGET, DEFAULT_EEPROM_BUDGET),
    )
    await ledger.async_load()
    return ledger


async def async_remove_ledger(hass: HomeAssistant, entry_id: str) -> None:
    """Forget a removed entry's count and its issue."""
    await Store[dict[str, int]](hass, STORAGE_VERSION, _storage_key(entry_id)).async_remove()
    ir.async_delete_issue(hass, DOMAIN, issue_id(entry_id))
