"""Policy state that survives a restart: plain JSON out, the same dataclass back."""

from __future__ import annotations

from dataclasses import asdict, fields
from enum import Enum
from typing import Any, Self, get_args, get_type_hints


class StoredState:
    """Mixin for a policy's state dataclass; enum fields come back as their enums."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload,no-any-return]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        hints = get_type_hints(cls)
        values: dict[str, Any] = {}
        for field in fields(cls):  # type: ignore[arg-type]
            if field.name not in data:
                continue
            value = data[field.name]
            hint = hints[field.name]
            for kind in get_args(hint) or (hint,):
                if isinstance(kind, type) and issubclass(kind, Enum) and value is not None:
                    value = kind(value)
                    break
            values[field.name] = value
        return cls(**values)
