"""Home Assistant fixtures, in the WLED shape: an entry, and the entry set up."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from typing import Any
from unittest.mock import PropertyMock, patch

import pytest
from homeassistant import block_async_io
from homeassistant.const import CONF_DEVICE
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.entity import Entity
from homeassistant.util import loop as loop_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.diy_solar.const import (
    CONF_DEVICE_TYPE,
    CONF_TRANSPORT,
    DOMAIN,
    DeviceType,
    TransportKind,
)
from custom_components.diy_solar.emulators.pi30 import Pi30Emulator, PtyServer
from custom_components.diy_solar.emulators.usbrelay import FakeHidapi, RelayBoardEmulator


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/diy_solar."""


@pytest.fixture
def mock_config_entry(pty_server: PtyServer, emulator: Pi30Emulator) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"Axpert {emulator.serial_number}",
        unique_id=emulator.serial_number,
        data={
            CONF_DEVICE_TYPE: DeviceType.AXPERT,
            CONF_TRANSPORT: TransportKind.SERIAL,
            CONF_DEVICE: pty_server.path,
        },
    )


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> MockConfigEntry:
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    return mock_config_entry


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Create entities that start disabled as enabled, to snapshot them too."""
    with patch.object(
        Entity, "entity_registry_enabled_default", new_callable=PropertyMock, return_value=True
    ):
        yield


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Serialize registry entries and states the Home Assistant way (stable ids)."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


# What Home Assistant says when code breaks its rules: blocking I/O in the event loop, and
# deprecation reports that turn into errors in a later release.
RULE_BREAKS = (
    "detected blocking call",
    "caught blocking call",
    "detected that custom integration",
    "detected code that",
    "will stop working in",
    "report_usage",
)


@pytest.fixture(autouse=True)
def no_rule_breaks(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fail a test during which HA's blocking-call detector or a deprecation report fired.

    The test harness leaves most of the detector off (file and import checks are skipped in
    tests); here it is on as in a running Home Assistant, plus os.open, which is as blocking
    as open() on a serial or hidraw node.
    """
    with (
        patch.object(block_async_io, "_IN_TESTS", False),
        patch.object(loop_util, "_PREVIOUSLY_REPORTED", set()),
    ):
        block_async_io.enable()
        os_open = os.open
        os.open = loop_util.protect_loop(  # type: ignore[assignment]
            os_open, threading.get_ident(), strict=False, strict_core=False
        )
        try:
            yield
        finally:
            os.open = os_open
            for call in block_async_io._BLOCKED_CALLS.calls:
                setattr(call.object, call.function, call.original_func)
            block_async_io._BLOCKED_CALLS.calls.clear()
    # Ours only: the harness itself (pytest's assertion rewriting, lazy imports of
    # libraries) also does file I/O in the loop thread.
    reports = [
        message
        for r in caplog.records
        if "diy_solar" in (message := r.getMessage())
        and any(words in message.lower() for words in RULE_BREAKS)
    ]
    assert not reports, "\n\n".join(reports)


@pytest.fixture
def board() -> RelayBoardEmulator:
    """A 2-channel USB relay board."""
    return RelayBoardEmulator("LHCXI", 2, b"/dev/hidraw3")


@pytest.fixture
def hid(board: RelayBoardEmulator) -> Iterator[FakeHidapi]:
    """hidapi answering for the emulated board: the one boundary faked."""
    fake = FakeHidapi(board)
    with patch("custom_components.diy_solar.relay.connection.backend", return_value=fake):
        yield fake


@pytest.fixture
def phone(hass: HomeAssistant) -> tuple[str, list[dict[str, Any]]]:
    """A phone with the Home Assistant app (its device id), and what is sent to it."""
    app = MockConfigEntry(domain="mobile_app", title="Pixel 9")
    app.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=app.entry_id, identifiers={("mobile_app", "pixel")}, name="Pixel 9"
    )
    received: list[dict[str, Any]] = []

    async def notify(call: ServiceCall) -> None:
        received.append(dict(call.data))

    hass.services.async_register("notify", "mobile_app_pixel_9", notify)
    return device.id, received
