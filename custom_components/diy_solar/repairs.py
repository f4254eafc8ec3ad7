"""Repair issues that come and go with a condition a policy sees."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN


def issue_id(key: str, entry_id: str) -> str:
    return f"{key}_{entry_id}"


def set_issue(
    hass: HomeAssistant, key: str, entry_id: str, active: bool, placeholders: dict[str, str]
) -> None:
    """Raise the issue while active is true, withdraw it once it is not."""
    if not active:
        ir.async_delete_issue(hass, DOMAIN, issue_id(key, entry_id))
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(key, entry_id),
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=key,
        translation_placeholders=placeholders,
    )


def clear_issues(hass: HomeAssistant, entry_id: str) -> None:
    """Withdraw every issue an entry raised (it is being removed)."""
    registry = ir.async_get(hass)
    for domain, key in list(registry.issues):
        if domain == DOMAIN and key.endswith(f"_{entry_id}"):
            ir.async_delete_issue(hass, DOMAIN, key)
