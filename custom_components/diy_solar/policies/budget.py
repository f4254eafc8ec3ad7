"""A daily budget of setpoint writes per device: past it, the device is held stopped."""

from __future__ import annotations

from dataclasses import dataclass, field

from .stored import StoredState


@dataclass
class WriteBudget(StoredState):
    day: int = 0  # the local day (date ordinal) the counts are of
    writes: dict[str, int] = field(default_factory=dict)

    def _roll(self, day: int) -> None:
        if day != self.day:
            self.day, self.writes = day, {}

    def spent(self, device: str, day: int, limit: int) -> bool:
        """The device has used all of today's writes."""
        self._roll(day)
        return self.writes.get(device, 0) >= limit

    def spend(self, device: str, day: int, writes: int = 1) -> None:
        self._roll(day)
        self.writes[device] = self.writes.get(device, 0) + writes
