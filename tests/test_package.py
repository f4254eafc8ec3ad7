"""What Home Assistant, HACS and a reviewer check in the package itself: the manifest, the
brand images, the texts and the quality scale."""

from __future__ import annotations

import ast
import json
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from PIL import Image

PACKAGE = Path(__file__).parent.parent / "custom_components" / "diy_solar"
MANIFEST = json.loads((PACKAGE / "manifest.json").read_text())
STRINGS = json.loads((PACKAGE / "strings.json").read_text())
# Libraries that log nothing through Python's logging (hidapi is a C extension).
# Libraries that log nothing worth a logger entry (pyserial: Lumentree's URL opener).
SILENT_LIBRARIES = {"hid", "serial"}
RULES = {
    "bronze": (
        "action-setup appropriate-polling brands common-modules config-flow-test-coverage "
        "config-flow dependency-transparency docs-actions docs-high-level-description "
        "docs-installation-instructions docs-removal-instructions entity-event-setup "
        "entity-unique-id has-entity-name runtime-data test-before-configure "
        "test-before-setup unique-config-entry"
    ),
    "silver": (
        "action-exceptions config-entry-unloading docs-configuration-parameters "
        "docs-installation-parameters entity-unavailable integration-owner "
        "log-when-unavailable parallel-updates reauthentication-flow test-coverage"
    ),
    "gold": (
        "devices diagnostics discovery-update-info discovery docs-data-update docs-examples "
        "docs-known-limitations docs-supported-devices docs-supported-functions "
        "docs-troubleshooting docs-use-cases dynamic-devices entity-category "
        "entity-device-class entity-disabled-by-default entity-translations "
        "exception-translations icon-translations reconfiguration-flow repair-issues "
        "stale-devices"
    ),
    "platinum": "async-dependency inject-websession strict-typing",
}


def _third_party_imports() -> set[str]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    ours = {"homeassistant", "voluptuous", "custom_components", "__future__"}
    return {name for name in found - ours if name not in sys.stdlib_module_names}


def test_manifest_keys_are_in_the_order_hassfest_wants() -> None:
    keys = list(MANIFEST)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])


def test_every_library_we_import_is_required_and_its_logger_listed() -> None:
    imported = _third_party_imports()
    assert imported == {"serialx", "can", "minimalmodbus", "serial", "hid"}
    required = {r.split("==")[0] for r in MANIFEST["requirements"]}
    assert required == {"serialx", "python-can", "minimalmodbus", "pyserial", "hidapi"}
    assert set(MANIFEST["loggers"]) == imported - SILENT_LIBRARIES


def test_usb_discovery_waits_for_the_usb_integration() -> None:
    assert MANIFEST["usb"]
    assert "usb" in MANIFEST["after_dependencies"]


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("icon.png", (256, 256)),
        ("icon@2x.png", (512, 512)),
        ("dark_icon.png", (256, 256)),
        ("dark_icon@2x.png", (512, 512)),
        ("logo.png", None),
        ("dark_logo.png", None),
    ],
)
def test_brand_images_are_trimmed_and_sized(name: str, size: tuple[int, int] | None) -> None:
    image = Image.open(PACKAGE / "brand" / name)
    assert image.mode == "RGBA"
    if size is not None:
        assert image.size == size
    else:
        assert 128 <= min(image.size) <= 256
    # Trimmed: something visible touches every edge.
    assert image.getchannel("A").getbbox() == (0, 0, *image.size)


def test_the_dark_logo_has_no_dark_text() -> None:
    """Its text must read on a dark background: no opaque dark grey left."""
    image = Image.open(PACKAGE / "brand" / "dark_logo.png")
    dark_grey = [
        (r, g, b)
        for r, g, b, a in image.getdata()
        if a > 200 and max(r, g, b) < 100 and max(r, g, b) - min(r, g, b) < 24
    ]
    assert not dark_grey
    light = Image.open(PACKAGE / "brand" / "logo.png")
    assert any(a > 200 and max(r, g, b) < 100 for r, g, b, a in light.getdata())


def test_translations_are_the_strings() -> None:
    assert json.loads((PACKAGE / "translations" / "en.json").read_text()) == STRINGS


def _fields() -> list[tuple[str, str, str, Any]]:
    def parts(step: str, texts: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        sections = texts.get("sections", {}).items()
        return [(step, texts), *((f"{step}.{name}", part) for name, part in sections)]

    return [
        (flow, where, field, texts.get("data_description", {}).get(field))
        for flow in ("config", "options")
        for step, step_texts in STRINGS[flow]["step"].items()
        for where, texts in parts(step, step_texts)
        for field in texts.get("data", {})
    ]


def test_every_form_field_says_what_it_is_for() -> None:
    missing = [f"{flow}.{step}.{field}" for flow, step, field, text in _fields() if not text]
    assert not missing


def test_quality_scale_names_every_rule_and_is_done_through_gold() -> None:
    rules = yaml.safe_load((PACKAGE / "quality_scale.yaml").read_text())["rules"]
    expected = {rule for tier in RULES.values() for rule in tier.split()}
    assert set(rules) == expected
    for tier, names in RULES.items():
        for rule in names.split():
            entry = rules[rule]
            status = entry if isinstance(entry, str) else entry["status"]
            assert status in {"done", "exempt", "todo"}, rule
            if status != "done":
                assert isinstance(entry, dict) and entry.get("comment"), rule
            if tier != "platinum":
                assert status != "todo", rule


# Test files left out of the mutation runs, and why (the rest of tests/drivers and
# tests/policies must be in: a decoder's new test file left out scores as no test at all).
NOT_MUTATION_TESTED = {
    "tests/drivers/test_emulator_serve.py": "the emulators' own serving loop",
    "tests/drivers/test_fault_soak.py": "minutes of line faults: the clients, not the decoders",
    "tests/drivers/test_pi30_cli.py": "the command line over a pty",
    "tests/drivers/test_pi30_client.py": "the client over a pty",
    "tests/policies/test_benchmark.py": "the control benchmarks: minutes per run",
}


def test_every_decoder_and_policy_test_file_is_in_the_mutation_runs() -> None:
    root = PACKAGE.parent.parent
    config = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["mutmut"]
    selection = config["pytest_add_cli_args_test_selection"]
    selected = {s for s in selection if s.endswith(".py")}
    folders = {s for s in selection if s.endswith("/")}
    files = {
        str(path.relative_to(root))
        for folder in ("tests/drivers", "tests/policies")
        for path in (root / folder).glob("test_*.py")
    }
    run = {f for f in files if f in selected or any(f.startswith(d) for d in folders)}
    ignored = {s.removeprefix("--ignore=") for s in selection if s.startswith("--ignore=")}
    assert files - run - set(NOT_MUTATION_TESTED) == set()
    assert ignored <= set(NOT_MUTATION_TESTED)
    assert set(NOT_MUTATION_TESTED) <= files
