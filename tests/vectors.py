"""Reads the frames captured from real devices (tests/fixtures, copied from shared/vectors)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass(frozen=True)
class Vector:
    label: str
    frame: bytes
    negative: bool

    @property
    def command(self) -> str:
        return self.label.split()[0]

    @property
    def is_request(self) -> bool:
        return " request" in self.label


def load(name: str) -> list[Vector]:
    vectors = []
    lines = (FIXTURES / name).read_text().splitlines()
    for i, line in enumerate(lines):
        if line.startswith("[") and "|" in line:
            label = line.split("] ", 1)[1].split(" | ")[0]
            hex_line = lines[i + 2]
            vectors.append(Vector(label, bytes.fromhex(hex_line), "NEGATIVE" in line))
    return vectors


def device_lines(section: str) -> list[tuple[str, str]]:
    """(frame text, comment) of each frame line in a section of devices_vectors.txt.

    section is the tag in the section header, e.g. "(a)" for Mean Well CAN.
    """
    lines = (FIXTURES / "devices_vectors.txt").read_text().splitlines()
    inside, found = False, []
    for line in lines:
        if line.startswith("==="):
            inside = line.startswith(f"=== {section} ")
            continue
        if inside and line.strip() and not line.startswith(("#", "NOTE")):
            frame, _, comment = line.partition("#")
            found.append((frame.strip(), comment.strip()))
    return found
