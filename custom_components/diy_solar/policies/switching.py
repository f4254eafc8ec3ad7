"""A charger of one fixed power behind a switch (a smart plug): when to switch it.

A plug is either off or at its full power, so a controller's watts near half its power
would flip it on every reading. It goes on only when nearly all of its power is wanted,
off only when much less is, and never sooner than a minimum time after its last switching.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SwitchSettings:
    power_w: float
    on_share: float = 0.9  # on when at least this share of the power is wanted
    off_share: float = 0.4  # off when less than this share is wanted
    min_on_s: float = 300.0
    min_off_s: float = 300.0


def switch_on(settings: SwitchSettings, on: bool, wanted_w: float, since_switched_s: float) -> bool:
    """Whether the switch should be on, given what it is and how long it has been so."""
    if settings.power_w <= 0:
        return False
    share = wanted_w / settings.power_w
    if on:
        return not (share < settings.off_share and since_switched_s >= settings.min_on_s)
    return share >= settings.on_share and since_switched_s >= settings.min_off_s
