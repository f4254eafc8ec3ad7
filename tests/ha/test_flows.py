"""Flow branches of every family and policy: what the user sees on each form, each error and
how it is recovered from, and what ends up stored."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from unittest.mock import patch

import can
import pytest
import voluptuous as vol
from homeassistant.config_entries import SOURCE_USB, SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_DEVICE, CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, section
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers.selector import NumberSelector
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.diy_solar import integration
from custom_components.diy_solar.const import (
    CONF_DEVICE_TYPE,
    CONF_INVERT_CURRENT,
    CONF_SCAN_INTERVAL,
    CONF_SERIAL,
    DOMAIN,
    DeviceType,
)
from custom_components.diy_solar.drivers.meanwell import Command
from custom_components.diy_solar.drivers.meanwell.protocol import EEP_OFF
from custom_components.diy_solar.drivers.pi30 import transport as pi30_transport
from custom_components.diy_solar.emulators.meanwell import MeanWellEmulator
from custom_components.diy_solar.emulators.pi30 import Pi30Emulator, PtyServer
from custom_components.diy_solar.forms import fields_of, nest
from custom_components.diy_solar.options_flow import POLICY_FORMS
from custom_components.diy_solar.runtime import RuntimeData
from custom_components.diy_solar.smart_charging.flow import LEVELS as CHARGING_LEVELS
from custom_components.diy_solar.zero_export.flow import entities_schema, tuning_schema
from tests.ha.common import answer_forms, suggested, usb_info
from tests.ha.test_generator import GENERATOR as GENERATOR_FORM

SERIAL = "92932105105315"


def _policy(kind: DeviceType, **options: Any) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN, title=kind.value, data={CONF_DEVICE_TYPE: kind}, options=options
    )


GENERATOR = {k: v for k, v in GENERATOR_FORM.items() if k != CONF_NAME}
GRID_CONNECT = {
    "relay": "switch.contactor",
    "battery_voltage": "sensor.battery_voltage",
    "grid_voltage": "sensor.grid_voltage",
    "grid_frequency": "sensor.grid_frequency",
    "connect_below": 48.0,
    "connect_after": 4,
    "disconnect_above": 54.0,
    "disconnect_after": 10,
    "grid_v_min": 200,
    "grid_v_max": 253,
    "grid_hz_min": 49.5,
    "grid_hz_max": 50.5,
    "stale_after": 5,
    "connect_when_stale": False,
}
SMART_CHARGING = {
    "chemistry": "lead_acid",
    "battery_voltage": "sensor.battery_voltage",
    "charge_current": "sensor.charge_current",
    "bulk_number": "number.bulk",
    "float_number": "number.float",
    "current_number": "number.current",
    "absorption_v": 57.6,
    "float_v": 54.0,
    "tail_current": 5,
    "tail_time": 15,
    "max_absorption": 240,
    "rebulk_v": 50.0,
    "float_step": 0.4,
    "float_step_time": 60,
    "max_charge": 60,
    "min_charge": 10,
    "min_write_interval": 60,
    "stale_after": 300,
    "reset_time": "00:00:00",
}
LITHIUM_ONLY = {
    "cell_max_sensor": "sensor.highest_cell",
    "target_soc": 100,
    "cell_limit": 3.55,
    "taper_from": 3.45,
    "temp_min": 0,
    "temp_max": 45,
    "lithium_absorption": False,
}
LITHIUM = {
    **{k: v for k, v in SMART_CHARGING.items() if k != "rebulk_v"},
    "chemistry": "lithium",
    **LITHIUM_ONLY,
}


@pytest.mark.parametrize(
    ("kind", "good", "bad", "error"),
    [
        (DeviceType.GENERATOR, GENERATOR, {"stop_soc": 20}, {"stop_soc": "soc_order"}),
        # A field inside a section: the form's own error (no error shows inside a section).
        (DeviceType.GENERATOR, GENERATOR, {"quiet_stop_soc": 5}, {"base": "quiet_soc_order"}),
        (DeviceType.GENERATOR, GENERATOR, {"max_run": 29}, {"max_run": "run_order"}),
        (
            DeviceType.GENERATOR,
            {**GENERATOR, "max_run_hard": 4},
            {"max_run_hard": 3},
            {"base": "hard_run_order"},
        ),
        (
            DeviceType.GRID_CONNECT,
            GRID_CONNECT,
            {"disconnect_above": 48.0},
            {"disconnect_above": "voltage_order"},
        ),
        (DeviceType.SMART_CHARGING, SMART_CHARGING, {"float_v": 57.6}, {"float_v": "float_order"}),
        (DeviceType.SMART_CHARGING, LITHIUM, {"taper_from": 3.55}, {"taper_from": "taper_order"}),
    ],
)
async def test_policy_form_refuses_an_order_that_cannot_work_then_adds_and_changes(
    hass: HomeAssistant,
    kind: DeviceType,
    good: dict[str, Any],
    bad: dict[str, Any],
    error: dict[str, str],
) -> None:
    """The same forms add the policy and are its options; a bad answer is named on its
    field and nothing is stored until the form is right."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": kind.value}
    )
    assert result["step_id"] == kind.value
    name = {str(k): k for k in result["data_schema"].schema}[CONF_NAME]
    assert name.default() == kind.value.replace("_", " ").capitalize()
    flows = hass.config_entries.flow
    result = await answer_forms(flows, result, {CONF_NAME: "Mine", **good, **bad})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == error
    assert not hass.config_entries.async_entries(DOMAIN)
    # What was typed stays in the form, in its section.
    ((field, typed),) = bad.items()
    assert suggested(result["data_schema"])[field] == typed

    # Stopped at once: the policy runs against entities this test does not have.
    with patch.dict(integration.SETUP, {kind: _never_set_up}):
        result = await answer_forms(flows, result, {CONF_NAME: "Mine", **good})
        assert result["type"] is FlowResultType.CREATE_ENTRY
        entry = result["result"]
        assert entry.title == "Mine"
        assert entry.data == {CONF_DEVICE_TYPE: kind}
        assert {k: entry.options[k] for k in good} == good

        result = await hass.config_entries.options.async_init(entry.entry_id)
        assert result["step_id"] == kind.value
        options = hass.config_entries.options
        result = await answer_forms(options, result, {**good, **bad})
        assert result["errors"] == error
        assert suggested(result["data_schema"])[field] == typed
        assert {k: entry.options[k] for k in good} == good
        changed = {**good, "stale_after": good["stale_after"] + 1}
        result = await answer_forms(options, result, changed)
        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert {k: entry.options[k] for k in good} == changed


async def test_smart_charging_asks_only_for_the_chosen_chemistry(hass: HomeAssistant) -> None:
    """Lead-acid levels for lead-acid, lithium levels for lithium; switching chemistry in
    the options leaves nothing of the other behind (a lead-acid re-bulk voltage would
    otherwise start lithium charges)."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "smart_charging"}
    )
    first = fields_of(result["data_schema"])
    assert "chemistry" in first
    assert not first & {"absorption_v", "rebulk_v", "cell_limit"}
    answers = {CONF_NAME: "Charging", **SMART_CHARGING}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {k: v for k, v in answers.items() if k in first} | {"bms": {}},
    )
    assert result["step_id"] == "smart_charging_lead_acid"
    lead_acid = fields_of(result["data_schema"])
    assert {"absorption_v", "tail_current", "rebulk_v"} <= lead_acid
    assert not lead_acid & set(LITHIUM_ONLY)
    with patch.dict(integration.SETUP, {DeviceType.SMART_CHARGING: _never_set_up}):
        result = await answer_forms(hass.config_entries.flow, result, answers)
        entry = result["result"]
        assert entry.options == SMART_CHARGING

        result = await hass.config_entries.options.async_init(entry.entry_id)
        result = await answer_forms(
            hass.config_entries.options, result, {"chemistry": "lithium"}, forms=1
        )
        assert result["step_id"] == "smart_charging_lithium"
        lithium = fields_of(result["data_schema"])
        assert set(LITHIUM_ONLY) <= lithium
        assert "rebulk_v" not in lithium
        # Shared levels come filled in from the lead-acid answers.
        assert suggested(result["data_schema"])["absorption_v"] == 57.6
        result = await answer_forms(hass.config_entries.options, result, LITHIUM)
        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert entry.options == LITHIUM


async def _never_set_up(hass: HomeAssistant, entry: Any) -> RuntimeData:
    raise ConfigEntryNotReady


async def _zero_export_options(
    hass: HomeAssistant, step: str
) -> tuple[MockConfigEntry, dict[str, Any], Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]]:
    entry = _policy(
        DeviceType.ZERO_EXPORT,
        grid_sensor="sensor.grid",
        chargers=["number.charger"],
        meter_lag=3.0,
        soc_min=20,
    )
    entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["entities", "tuning"]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": step}
    )
    flow_id = result["flow_id"]

    schema = tuning_schema() if step == "tuning" else entities_schema(False)

    async def answer(user_input: dict[str, Any]) -> dict[str, Any]:
        return await hass.config_entries.options.async_configure(flow_id, nest(schema, user_input))

    return entry, result, answer


async def test_zero_export_entities_options(hass: HomeAssistant) -> None:
    hass.states.async_set("number.amps", "0", {"unit_of_measurement": "A", "max": 40})
    entry, _, answer = await _zero_export_options(hass, "entities")
    base = {"grid_sensor": "sensor.grid", "import_negative": False}
    for user_input, errors in (
        (base, {"base": "no_actuators"}),
        (
            {**base, "chargers": ["number.a"], "dischargers": ["number.a"]},
            {"base": "actuator_twice"},
        ),
        ({**base, "chargers": ["switch.plug"]}, {"switch_power": "switch_power_required"}),
        ({**base, "chargers": ["number.amps"]}, {"voltage_sensor": "voltage_required"}),
    ):
        result = await answer(user_input)
        assert result["errors"] == errors, user_input
    result = await answer(
        {**base, "chargers": ["number.amps"], "voltage_sensor": "sensor.battery_voltage"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    # The entities form replaced its own keys (the old charger is gone); the tuning stayed.
    assert entry.options == {
        "grid_sensor": "sensor.grid",
        "import_negative": False,
        "devices": [],
        "chargers": ["number.amps"],
        "dischargers": [],
        "voltage_sensor": "sensor.battery_voltage",
        "meter_lag": 3.0,
        "soc_min": 20,
    }


async def test_zero_export_tuning_options(hass: HomeAssistant) -> None:
    entry, result, answer = await _zero_export_options(hass, "tuning")
    # The form starts from what is stored, in its sections.
    shown = suggested(result["data_schema"])
    assert (shown["meter_lag"], shown["soc_min"]) == (3.0, 20)
    result = await answer(
        {
            "discharge_blocks": "evenings",
            "charge_profile": "100,200",
            "discharge_profile": "x",
            "soc_min": 50,
            "soc_max": 50,
        }
    )
    # Fields folded in a section cannot show an error: the first is the form's.
    assert result["errors"] == {"base": "bad_windows", "soc_max": "soc_order"}
    # What was typed stays, in its section.
    assert suggested(result["data_schema"])["charge_profile"] == "100,200"
    result = await answer({"discharge_blocks": "22:00-06:00", "soc_max": 95})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    # soc_min was left empty: cleared, not kept from before.
    assert "soc_min" not in entry.options
    assert entry.options["soc_max"] == 95
    assert entry.options["chargers"] == ["number.charger"]


@pytest.mark.parametrize(
    ("kind", "data", "reason"),
    [
        (DeviceType.SIMULATED_PLANT, {}, "nothing_to_reconfigure"),
        (DeviceType.USB_RELAY, {CONF_SERIAL: "LHCXI"}, "nothing_to_reconfigure"),
    ],
)
async def test_reconfigure_says_why_there_is_nothing_to_change(
    hass: HomeAssistant, kind: DeviceType, data: dict[str, Any], reason: str
) -> None:
    entry = MockConfigEntry(domain=DOMAIN, data={CONF_DEVICE_TYPE: kind, **data})
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == reason


@pytest.mark.parametrize(
    ("kind", "options"),
    [(DeviceType.GENERATOR, GENERATOR), (DeviceType.SMART_CHARGING, SMART_CHARGING)],
)
async def test_reconfigure_renames_a_policy_and_changes_what_it_uses(
    hass: HomeAssistant, kind: DeviceType, options: dict[str, Any]
) -> None:
    """Reconfigure on a policy: its own forms, filled in from the entry, name included."""
    entry = MockConfigEntry(
        domain=DOMAIN, title="Old name", data={CONF_DEVICE_TYPE: kind}, options=options
    )
    entry.add_to_hass(hass)
    with patch.dict(integration.SETUP, {kind: _never_set_up}):
        result = await entry.start_reconfigure_flow(hass)
        assert result["step_id"] == kind.value
        shown = suggested(result["data_schema"])
        assert shown[CONF_NAME] == "Old name"
        assert all(shown[k] == v for k, v in options.items() if k in shown)
        result = await answer_forms(
            hass.config_entries.flow,
            result,
            {CONF_NAME: "New name", "stale_after": options["stale_after"] + 1},
        )
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "reconfigure_successful"
        await hass.async_block_till_done()
    assert entry.title == "New name"
    changed = {**options, "stale_after": options["stale_after"] + 1}
    assert {k: entry.options[k] for k in options} == changed


async def test_reconfigure_of_zero_export_changes_its_entities_and_keeps_its_tuning(
    hass: HomeAssistant,
) -> None:
    entry = _policy(
        DeviceType.ZERO_EXPORT, grid_sensor="sensor.grid", chargers=["number.old"], meter_lag=3.0
    )
    entry.add_to_hass(hass)
    hass.states.async_set("number.new", "0", {"unit_of_measurement": "W"})
    with patch.dict(integration.SETUP, {DeviceType.ZERO_EXPORT: _never_set_up}):
        result = await entry.start_reconfigure_flow(hass)
        assert result["step_id"] == "zero_export"
        assert suggested(result["data_schema"])["chargers"] == ["number.old"]
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {CONF_NAME: "Export guard", "grid_sensor": "sensor.grid", "chargers": ["number.new"]},
        )
        assert result["reason"] == "reconfigure_successful"
        await hass.async_block_till_done()
    assert entry.title == "Export guard"
    assert entry.options["chargers"] == ["number.new"]
    assert entry.options["meter_lag"] == 3.0


async def test_mean_well_reconfigure_moves_the_charger_and_refuses_another(
    hass: HomeAssistant, channel: str, bic: MeanWellEmulator
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id="EB23A1234567",
        data={
            CONF_DEVICE_TYPE: DeviceType.MEANWELL_BIC,
            "interface": "virtual",
            "channel": "old",
            "bitrate": 250000,
            "address": 0,
        },
    )
    entry.add_to_hass(hass)
    answer = {"interface": "virtual", "channel": channel, "bitrate": 250000, "address": 0}
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "meanwell_bic"
    defaults = {str(k): k.default() for k in result["data_schema"].schema}
    assert defaults["channel"] == "old"  # the form starts from what is stored
    result = await hass.config_entries.flow.async_configure(result["flow_id"], answer)
    assert result["reason"] == "reconfigure_successful"
    assert entry.data["channel"] == channel

    hass.config_entries.async_update_entry(entry, unique_id="OTHER0000001")
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], answer)
    assert result["reason"] == "wrong_device"


async def test_npb_flow(hass: HomeAssistant, channel: str) -> None:
    npb = MeanWellEmulator("NPB-1200-48")
    bus = can.Bus(interface="virtual", channel=channel)
    npb.attach(bus)
    try:
        result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"next_step_id": "meanwell_npb"}
        )
        address = {str(k): v for k, v in result["data_schema"].schema.items()}["address"]
        assert address.validators[1].max == 3  # an NPB has four addresses
        with patch.dict(integration.SETUP, {DeviceType.MEANWELL_NPB: _never_set_up}):
            result = await hass.config_entries.flow.async_configure(
                result["flow_id"],
                {"interface": "virtual", "channel": channel, "bitrate": 250000, "address": 0},
            )
            assert result["step_id"] == "meanwell_eeprom"
            result = await hass.config_entries.flow.async_configure(
                result["flow_id"], {"eep_off": True}
            )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert result["title"].startswith("NPB-1200-48 ")
        assert npb.registers[Command.SYSTEM_CONFIG] & EEP_OFF
    finally:
        npb.detach()
        bus.shutdown()


async def test_pi30_that_is_not_pi30(
    hass: HomeAssistant, pty_server: PtyServer, emulator: Pi30Emulator
) -> None:
    """A unit that answers every query but names another protocol (PI17, PI18)."""
    answer = Pi30Emulator.answer
    with patch.object(
        Pi30Emulator, "answer", lambda self, c: "PI17" if c == "QPI" else answer(self, c)
    ):
        result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"next_step_id": "axpert"}
        )
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"next_step_id": "serial"}
        )
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_DEVICE: pty_server.path}
        )
    assert result["errors"] == {"base": "wrong_protocol"}
    assert not hass.config_entries.async_entries(DOMAIN)


async def test_usb_discovery_confirm_shows_the_error_then_adds(
    hass: HomeAssistant, emulator: Pi30Emulator, tmp_path: Path
) -> None:
    server = PtyServer(emulator, hid=True)
    info = usb_info("0665", "5161")
    try:
        with patch(
            "custom_components.diy_solar.axpert.flow.list_hidraw",
            lambda: [pi30_transport.HidDevice(server.path, 0x0665, 0x5161)],
        ):
            result = await hass.config_entries.flow.async_init(
                DOMAIN, context={"source": SOURCE_USB}, data=info
            )
            assert result["description_placeholders"] == {"device": server.path}
            emulator.faults.nak = 1
            result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
            assert result["type"] is FlowResultType.FORM
            assert result["errors"] == {"base": "wrong_protocol"}
            result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
        assert result["type"] is FlowResultType.CREATE_ENTRY
        await hass.async_block_till_done()
        await hass.config_entries.async_unload(result["result"].entry_id)
    finally:
        server.close()


async def test_a_known_inverter_on_a_new_port_is_updated_and_reloaded_once(
    hass: HomeAssistant, emulator: Pi30Emulator, init_integration: MockConfigEntry
) -> None:
    """Re-adding (or USB-rediscovering) a configured inverter on another port: the entry
    takes the new port and reloads once, through its own update listener."""
    moved = PtyServer(emulator)
    setups = []
    setup = integration.SETUP[DeviceType.AXPERT]

    async def counted(hass: HomeAssistant, entry: Any) -> RuntimeData:
        setups.append(entry.data[CONF_DEVICE])
        return await setup(hass, entry)

    try:
        with patch.dict(integration.SETUP, {DeviceType.AXPERT: counted}):
            result = await hass.config_entries.flow.async_init(
                DOMAIN, context={"source": SOURCE_USER}
            )
            result = await hass.config_entries.flow.async_configure(
                result["flow_id"], {"next_step_id": "axpert"}
            )
            result = await hass.config_entries.flow.async_configure(
                result["flow_id"], {"next_step_id": "serial"}
            )
            result = await hass.config_entries.flow.async_configure(
                result["flow_id"], {CONF_DEVICE: moved.path}
            )
            await hass.async_block_till_done()
        assert result["reason"] == "already_configured"
        assert init_integration.data[CONF_DEVICE] == moved.path
        assert setups == [moved.path]
        assert init_integration.state is ConfigEntryState.LOADED
        await hass.config_entries.async_unload(init_integration.entry_id)
    finally:
        moved.close()


async def test_daly_options_ask_for_the_current_sign_only(hass: HomeAssistant) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN, data={CONF_DEVICE_TYPE: DeviceType.DALY_BMS, CONF_DEVICE: "/dev/null"}
    )
    entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["step_id"] == "bms_settings"
    assert [str(k) for k in result["data_schema"].schema] == [
        CONF_SCAN_INTERVAL,
        CONF_INVERT_CURRENT,
    ]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_SCAN_INTERVAL: 5, CONF_INVERT_CURRENT: True}
    )
    assert entry.options == {CONF_SCAN_INTERVAL: 5, CONF_INVERT_CURRENT: True}


def _policy_forms() -> dict[str, vol.Schema]:
    forms = {f.step_id: f.schema() for f in (*POLICY_FORMS.values(), *CHARGING_LEVELS.values())}
    return forms | {"entities": entities_schema(False), "tuning": tuning_schema()}


@pytest.mark.parametrize("flow", ["config", "options"])
def test_every_policy_form_field_has_a_label_a_help_line_and_a_unit(flow: str) -> None:
    """Every field of the policies' forms, in their sections too: a label and a help line
    from the step's own texts, and every number its unit."""
    strings = json.loads((Path(integration.__file__).parent / "strings.json").read_text())
    steps = strings[flow]["step"]
    missing: list[str] = []

    def check(where: str, texts: dict[str, Any], fields: dict[Any, Any]) -> None:
        for key, value in fields.items():
            name = f"{where}.{key}"
            if isinstance(value, section):
                part = texts.get("sections", {}).get(str(key), {})
                missing.extend(f"{name}.{t}" for t in ("name", "description") if not part.get(t))
                check(name, part, value.schema.schema)
                continue
            for kind in ("data", "data_description"):
                if not texts.get(kind, {}).get(str(key)):
                    missing.append(f"{name} ({kind})")
            if isinstance(value, NumberSelector) and not value.config.get("unit_of_measurement"):
                missing.append(f"{name} (unit)")

    for step, schema in _policy_forms().items():
        if flow == "config" and step in ("entities", "tuning"):
            continue  # zero export's options steps; its config step is the entities one
        check(f"{flow}.{step}", steps[step], schema.schema)
    assert not missing
