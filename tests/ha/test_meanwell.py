"""Mean Well chargers in Home Assistant, on python-can's virtual bus with the emulator."""

from __future__ import annotations

import can
import pytest
from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER, ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.diy_solar.const import (
    CONF_ADDRESS,
    CONF_BITRATE,
    CONF_CHANNEL,
    CONF_DEVICE_TYPE,
    CONF_EEPROM_BUDGET,
    CONF_INTERFACE,
    CONF_MAX_CHARGE_CURRENT,
    DOMAIN,
)
from custom_components.diy_solar.drivers.meanwell import Command, Range
from custom_components.diy_solar.drivers.meanwell.protocol import BATTERY_MODE, EEP_OFF
from custom_components.diy_solar.emulators.meanwell import MeanWellEmulator
from tests.ha.common import poll

PREFIX = "bic_2200_48_eb23a1234567"


def _data(channel: str, device_type: str = "meanwell_bic") -> dict[str, object]:
    return {
        CONF_DEVICE_TYPE: device_type,
        CONF_INTERFACE: "virtual",
        CONF_CHANNEL: channel,
        CONF_BITRATE: 250000,
        CONF_ADDRESS: 0,
    }


def _entry(channel: str, model: str = "BIC-2200-48", **options: object) -> MockConfigEntry:
    family = "meanwell_npb" if model.startswith("NPB") else "meanwell_bic"
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"{model} EB23A1234567",
        unique_id="EB23A1234567",
        data=_data(channel, family),
        options=options,
    )


async def _set_number(hass: HomeAssistant, entity_id: str, value: float) -> None:
    await hass.services.async_call(
        "number", "set_value", {ATTR_ENTITY_ID: entity_id, "value": value}, blocking=True
    )


@pytest.fixture
def entry(channel: str, bic: MeanWellEmulator) -> MockConfigEntry:
    return _entry(channel)


async def _setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    if (
        entry.state.value == "not_loaded"
        and entry.entry_id not in hass.config_entries.async_entry_ids()
    ):
        entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def test_flow_reads_the_model_before_adding(
    hass: HomeAssistant, bic: MeanWellEmulator, channel: str
) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "meanwell_bic"}
    )
    assert result["type"] is FlowResultType.FORM
    user_input = {k: v for k, v in _data(channel).items() if k != CONF_DEVICE_TYPE}
    wrong = {**user_input, CONF_CHANNEL: f"{channel}-nobody"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], wrong)
    assert result["errors"] == {"base": "cannot_connect"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input)
    # Before the first write: EEP_OFF, offered on by default.
    assert result["step_id"] == "meanwell_eeprom"
    assert result["description_placeholders"] == {"title": "BIC-2200-48 EB23A1234567"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"eep_off": True})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "BIC-2200-48 EB23A1234567"
    assert result["result"].unique_id == "EB23A1234567"
    assert result["data"] == _data(channel)
    assert result["result"].options == {}
    assert bic.registers[Command.SYSTEM_CONFIG] & EEP_OFF
    # In effect only after a power cycle: until then the set-up says so, and counts.
    await hass.async_block_till_done()
    entry = result["result"]
    issues = ir.async_get(hass)
    assert issues.async_get_issue(DOMAIN, f"eep_off_pending_{entry.entry_id}") is not None
    assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize(("supported", "wanted"), [(False, True), (True, False)])
async def test_set_up_without_eep_off(
    hass: HomeAssistant, bic: MeanWellEmulator, channel: str, supported: bool, wanted: bool
) -> None:
    """Firmware without EEP_OFF is added all the same and not offered it again; a user
    who says no gets nothing written."""
    bic.eep_off_supported = supported
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "meanwell_bic"}
    )
    user_input = {k: v for k, v in _data(channel).items() if k != CONF_DEVICE_TYPE}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input)
    sent = len(bic.requests)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"eep_off": wanted})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].options == ({} if supported else {"eep_off_unsupported": True})
    assert not bic.registers[Command.SYSTEM_CONFIG] & EEP_OFF
    await hass.async_block_till_done()
    if not wanted:
        assert all(len(request) == 2 for request in bic.requests[sent:])  # reads only
    assert await hass.config_entries.async_unload(result["result"].entry_id)


async def test_a_charger_with_eep_off_set_is_not_asked_again(
    hass: HomeAssistant, bic: MeanWellEmulator, channel: str
) -> None:
    bic.registers[Command.SYSTEM_CONFIG] |= EEP_OFF
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "meanwell_bic"}
    )
    user_input = {k: v for k, v in _data(channel).items() if k != CONF_DEVICE_TYPE}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(result["result"].entry_id)


async def test_flow_refuses_an_unknown_model(hass: HomeAssistant, channel: str) -> None:
    emulator = MeanWellEmulator("BIC-2200-48")
    emulator._texts[Command.MFR_MODEL_B0B5] = b"XYZ-99"
    bus = can.Bus(interface="virtual", channel=channel)
    emulator.attach(bus)
    try:
        result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"next_step_id": "meanwell_bic"}
        )
        user_input = {k: v for k, v in _data(channel).items() if k != CONF_DEVICE_TYPE}
        result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input)
        assert result["errors"] == {"base": "wrong_protocol"}
    finally:
        emulator.detach()
        bus.shutdown()


async def test_entities(
    hass: HomeAssistant, entry: MockConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    await _setup(hass, entry)
    states = {
        e.entity_id: hass.states.get(e.entity_id)
        for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    }
    assert states[f"sensor.{PREFIX}_output_current"].state == "22.5"
    assert states[f"sensor.{PREFIX}_output_current"].attributes["device_class"] == "current"
    assert states[f"sensor.{PREFIX}_ac_voltage"].state == "230.0"
    assert states[f"sensor.{PREFIX}_eeprom_writes"].state == "0"
    assert states[f"switch.{PREFIX}_output"].state == "on"
    assert states[f"select.{PREFIX}_direction"].state == "charge"
    assert states[f"binary_sensor.{PREFIX}_fan_failure"].state == "off"
    assert states[f"binary_sensor.{PREFIX}_battery_mode"].state == "on"
    number = states[f"number.{PREFIX}_charge_voltage"]
    assert (number.state, number.attributes["min"], number.attributes["max"]) == (
        "55.2",
        38.0,
        65.0,
    )
    assert states[f"number.{PREFIX}_discharge_current"].attributes["max"] == 37.5
    assert f"sensor.{PREFIX}_discharge_energy" in states
    assert not any(".npb" in entity_id for entity_id in states)
    # One fault on the device's page; which one, with the Axpert's and the BMS's, among
    # the diagnostics.
    category = {
        e.entity_id: e.entity_category
        for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    }
    assert states[f"binary_sensor.{PREFIX}_fault"].state == "off"
    assert category[f"binary_sensor.{PREFIX}_fault"] is None
    assert category[f"binary_sensor.{PREFIX}_fan_failure"] is EntityCategory.DIAGNOSTIC
    assert category[f"binary_sensor.{PREFIX}_overload"] is EntityCategory.DIAGNOSTIC
    assert states[f"binary_sensor.{PREFIX}_settings_lost_at_power_off"] is not None
    fan = entity_registry.async_get(f"sensor.{PREFIX}_fan_1_speed")
    assert fan is not None and fan.options["sensor"]["suggested_display_precision"] == 0


async def test_writes_read_back_and_are_counted(
    hass: HomeAssistant, entry: MockConfigEntry, bic: MeanWellEmulator
) -> None:
    await _setup(hass, entry)
    number = f"number.{PREFIX}_charge_current"
    for _ in range(2):  # the second one is skipped: unchanged
        await _set_number(hass, number, 12.5)
    assert hass.states.get(number).state == "12.5"
    assert bic.eeprom_writes == 1
    assert hass.states.get(f"sensor.{PREFIX}_eeprom_writes").state == "1"
    await hass.services.async_call(
        "select",
        "select_option",
        {ATTR_ENTITY_ID: f"select.{PREFIX}_direction", "option": "discharge"},
        blocking=True,
    )
    assert hass.states.get(f"sensor.{PREFIX}_output_current").state == "-18.75"
    await hass.services.async_call(
        "switch", "turn_off", {ATTR_ENTITY_ID: f"switch.{PREFIX}_output"}, blocking=True
    )
    assert hass.states.get(f"switch.{PREFIX}_output").state == "off"
    assert bic.registers[Command.OPERATION] == 0
    assert bic.eeprom_writes == 1  # on/off and direction are not kept in EEPROM


async def test_bad_values_and_refused_writes(
    hass: HomeAssistant, entry: MockConfigEntry, bic: MeanWellEmulator
) -> None:
    await _setup(hass, entry)
    sent = len(bic.requests)
    with pytest.raises(ServiceValidationError):
        await _set_number(hass, f"number.{PREFIX}_charge_voltage", 30.0)
    assert len(bic.requests) == sent
    bic.limits = type(bic.limits)(**{**bic.limits.__dict__, "charge_voltage": Range(38.0, 50.0)})
    with pytest.raises(HomeAssistantError, match="did not apply"):
        await _set_number(hass, f"number.{PREFIX}_charge_voltage", 60.0)


async def test_user_limit_narrows_the_number(
    hass: HomeAssistant, channel: str, bic: MeanWellEmulator
) -> None:
    entry = _entry(channel, **{CONF_MAX_CHARGE_CURRENT: 20.0})
    await _setup(hass, entry)
    assert hass.states.get(f"number.{PREFIX}_charge_current").attributes["max"] == 20.0
    with pytest.raises(ServiceValidationError):
        await _set_number(hass, f"number.{PREFIX}_charge_current", 25.0)


async def test_eeprom_count_survives_a_restart_and_warns_at_80_percent(
    hass: HomeAssistant, channel: str, bic: MeanWellEmulator
) -> None:
    entry = _entry(channel, **{CONF_EEPROM_BUDGET: 5})
    await _setup(hass, entry)
    for value in (10.0, 11.0, 12.0):
        await _set_number(hass, f"number.{PREFIX}_charge_current", value)
    issues = ir.async_get(hass)
    assert issues.async_get_issue(DOMAIN, f"eeprom_budget_{entry.entry_id}") is None
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    await _setup(hass, entry)
    assert hass.states.get(f"sensor.{PREFIX}_eeprom_writes").state == "3"
    await _set_number(hass, f"number.{PREFIX}_charge_current", 13.0)
    issue = issues.async_get_issue(DOMAIN, f"eeprom_budget_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_placeholders == {
        "name": "BIC-2200-48 EB23A1234567",
        "writes": "4",
        "budget": "5",
    }


async def test_unavailable_and_back(
    hass: HomeAssistant, entry: MockConfigEntry, bic: MeanWellEmulator
) -> None:
    await _setup(hass, entry)
    sensor = f"sensor.{PREFIX}_output_voltage"
    bic.faults.no_reply = True
    await poll(hass)
    assert hass.states.get(sensor).state == STATE_UNAVAILABLE
    bic.faults.no_reply = False
    await poll(hass)
    assert hass.states.get(sensor).state != STATE_UNAVAILABLE


async def test_a_replugged_adapter_reads_again_without_a_reload(
    hass: HomeAssistant, entry: MockConfigEntry, bic: MeanWellEmulator
) -> None:
    await _setup(hass, entry)
    sensor = f"sensor.{PREFIX}_output_voltage"
    client = entry.runtime_data.coordinator.client
    unplugged = client.bus
    unplugged.shutdown()  # the adapter went away under the open bus
    states = []
    for _poll in range(3):
        await poll(hass)
        states.append(hass.states.get(sensor).state)
    assert client.bus is not unplugged
    assert states[-1] != STATE_UNAVAILABLE
    assert entry.state is ConfigEntryState.LOADED  # no reload was needed


async def test_options_set_eep_off_and_battery_mode(
    hass: HomeAssistant, entry: MockConfigEntry, bic: MeanWellEmulator
) -> None:
    await _setup(hass, entry)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["meanwell_settings", "eeprom", "battery_mode"]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "eeprom"}
    )
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"eep_off": True})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "eeprom_set"
    assert bic.registers[Command.SYSTEM_CONFIG] & EEP_OFF

    bic.registers[Command.BIDIRECTIONAL_CONFIG] = 0
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "battery_mode"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"confirm": False}
    )
    assert result["errors"] == {"base": "confirm_required"}
    assert bic.registers[Command.BIDIRECTIONAL_CONFIG] == 0
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"confirm": True})
    assert result["reason"] == "battery_mode_set"
    assert bic.registers[Command.BIDIRECTIONAL_CONFIG] == BATTERY_MODE


async def test_eeprom_count_follows_the_device_through_eep_off_and_a_restart(
    hass: HomeAssistant, entry: MockConfigEntry, bic: MeanWellEmulator
) -> None:
    """Every step the count equals the charger's own EEPROM writes: EEP_OFF set but not in
    effect, the power cycle confirmed, and HA restarted after it."""
    await _setup(hass, entry)
    count = f"sensor.{PREFIX}_eeprom_writes"
    issue = f"eep_off_pending_{entry.entry_id}"
    issues = ir.async_get(hass)

    async def eeprom_step(answer: dict[str, bool]) -> list[str]:
        result = await hass.config_entries.options.async_init(entry.entry_id)
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {"next_step_id": "eeprom"}
        )
        fields = [str(k) for k in result["data_schema"].schema]
        result = await hass.config_entries.options.async_configure(result["flow_id"], answer)
        assert result["reason"] == "eeprom_set"
        await hass.async_block_till_done()
        return fields

    assert await eeprom_step({"eep_off": True}) == ["eep_off"]
    assert issues.async_get_issue(DOMAIN, issue) is not None
    await _set_number(hass, f"number.{PREFIX}_charge_current", 12)
    await poll(hass)
    assert bic.eeprom_writes == 2  # the configuration itself, then the current
    assert hass.states.get(count).state == str(bic.eeprom_writes)

    bic.power_cycle()
    # Not ticked: still counted.
    assert await eeprom_step({"eep_off": True, "power_cycled": False}) == [
        "eep_off",
        "power_cycled",
    ]
    assert await eeprom_step({"eep_off": True, "power_cycled": True}) == [
        "eep_off",
        "power_cycled",
    ]
    assert issues.async_get_issue(DOMAIN, issue) is None
    await _set_number(hass, f"number.{PREFIX}_charge_current", 13)
    await poll(hass)
    assert bic.eeprom_writes == 2
    assert hass.states.get(count).state == "2"

    await entry.runtime_data.coordinator.ledger.async_flush()
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert issues.async_get_issue(DOMAIN, issue) is None
    await _set_number(hass, f"number.{PREFIX}_charge_current", 14)
    await poll(hass)
    assert bic.eeprom_writes == 2
    assert hass.states.get(count).state == "2"


async def test_eep_off_unsupported_is_no_longer_offered(
    hass: HomeAssistant, entry: MockConfigEntry, bic: MeanWellEmulator
) -> None:
    bic.eep_off_supported = False
    await _setup(hass, entry)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "eeprom"}
    )
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"eep_off": True})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["menu_options"] == ["meanwell_settings", "battery_mode"]


async def test_npb_voltage_adjust_below_the_minimum_current(
    hass: HomeAssistant, channel: str
) -> None:
    emulator = MeanWellEmulator("NPB-1200-48")
    bus = can.Bus(interface="virtual", channel=channel)
    emulator.attach(bus)
    entry = _entry(channel, "NPB-1200-48")
    try:
        await _setup(hass, entry)
        prefix = "npb_1200_48_eb23a1234567"
        number = f"number.{prefix}_charge_current"
        assert hass.states.get(number).attributes["min"] == 0.0
        assert hass.states.get(f"sensor.{prefix}_charge_stage").state == "constant_current"
        await _set_number(hass, number, 1.5)
        assert emulator.registers[Command.IOUT_SET] == 360  # the model's minimum
        assert hass.states.get(number).state == "1.5"
        for _ in range(5):
            await poll(hass)
        assert abs(emulator.output_current() - 1.5) <= 0.25
        settled = emulator.eeprom_writes
        for _ in range(5):
            await poll(hass)
        assert emulator.eeprom_writes == settled  # no hunting: no EEPROM wear
        await _set_number(hass, number, 9.0)
        assert emulator.registers[Command.VOUT_SET] == 5520  # ceiling restored
    finally:
        await hass.config_entries.async_unload(entry.entry_id)
        emulator.detach()
        bus.shutdown()


async def test_simulators_of_both_families_and_diagnostics(hass: HomeAssistant) -> None:
    """A simulated BIC and a simulated NPB are two chargers, not one added twice."""
    entries = []
    for step in ("meanwell_bic", "meanwell_npb"):
        result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"next_step_id": step}
        )
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {CONF_INTERFACE: "simulator", CONF_CHANNEL: "", CONF_BITRATE: 250000, CONF_ADDRESS: 0},
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        await hass.async_block_till_done()
        entries.append(result["result"])
    bic, npb = entries
    assert bic.unique_id != npb.unique_id
    assert hass.states.get(f"sensor.{PREFIX}_output_power") is not None
    models = [
        e.runtime_data.coordinator.diagnostics()["device"]["identity"]["model"] for e in entries
    ]
    assert models == ["BIC-2200-48", "NPB-1200-48"]
    for entry in entries:
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_the_simulated_charger_becomes_the_real_one(
    hass: HomeAssistant, channel: str
) -> None:
    """Reconfigure on the simulated BIC: the charger on the CAN bus takes its place, under
    the same device and entities."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "meanwell_bic"}
    )
    simulated = {CONF_INTERFACE: "simulator", CONF_CHANNEL: "", CONF_BITRATE: 250000}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**simulated, CONF_ADDRESS: 0}
    )
    entry = result["result"]
    await hass.async_block_till_done()
    number = f"number.{PREFIX}_charge_current"
    registry = er.async_get(hass)
    device_id = registry.async_get(number).device_id
    real = MeanWellEmulator("BIC-2200-48", serial_number="EB25X0000042")
    bus = can.Bus(interface="virtual", channel=channel)
    real.attach(bus)
    try:
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
        )
        answer = {k: v for k, v in _data(channel).items() if k != CONF_DEVICE_TYPE}
        result = await hass.config_entries.flow.async_configure(result["flow_id"], answer)
        assert result["reason"] == "reconfigure_successful"
        await hass.async_block_till_done()
        assert entry.unique_id == "EB25X0000042"
        assert registry.async_get(number).device_id == device_id
        await _set_number(hass, number, 12.0)
        assert real.registers[Command.IOUT_SET] == 1200  # written to the real charger
    finally:
        await hass.config_entries.async_unload(entry.entry_id)
        real.detach()
        bus.shutdown()


@pytest.mark.usefixtures("socket_enabled")
async def test_a_bus_that_does_not_open_is_retried(hass: HomeAssistant) -> None:
    """A CAN interface that does not exist (yet): set-up is retried, not failed for good."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={**_data("diy_solar_no_such_can"), CONF_INTERFACE: "socketcan"},
    )
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert "The device did not answer properly" in (entry.reason or "")


async def test_options_of_a_charger_that_failed_to_load(hass: HomeAssistant, channel: str) -> None:
    """No charger answers: the user can still change the settings that are stored, up to the
    family's widest limits; what must be written to the device is not offered."""
    entry = _entry(channel)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY

    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "meanwell_settings"
    schema = result["data_schema"].schema
    limits = {str(k): v.config["max"] for k, v in schema.items() if str(k).startswith("max_")}
    assert limits == {"max_charge_current": 180.0, "max_discharge_current": 150.0}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"scan_interval": 20, CONF_EEPROM_BUDGET: 5000, CONF_MAX_CHARGE_CURRENT: 30},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_MAX_CHARGE_CURRENT] == 30


async def test_options_that_write_to_the_charger_once_it_is_gone(
    hass: HomeAssistant, entry: MockConfigEntry, bic: MeanWellEmulator
) -> None:
    """The menu was shown while loaded; the entry unloads before the choice is made."""
    await _setup(hass, entry)
    for step in ("eeprom", "battery_mode"):
        result = await hass.config_entries.options.async_init(entry.entry_id)
        assert await hass.config_entries.async_unload(entry.entry_id)
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {"next_step_id": step}
        )
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "not_loaded"
        await _setup(hass, entry)


async def test_options_settings_of_a_loaded_bic_use_its_model_limits(
    hass: HomeAssistant, entry: MockConfigEntry, bic: MeanWellEmulator
) -> None:
    await _setup(hass, entry)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "meanwell_settings"}
    )
    schema = result["data_schema"].schema
    limits = {str(k): v.config["max"] for k, v in schema.items() if str(k).startswith("max_")}
    assert limits == {"max_charge_current": 45.0, "max_discharge_current": 37.5}


async def test_options_that_write_to_the_charger_say_when_it_does_not_answer(
    hass: HomeAssistant, entry: MockConfigEntry, bic: MeanWellEmulator
) -> None:
    await _setup(hass, entry)
    entry.runtime_data.coordinator.client.timeout = 0.05
    for step, answer in (("eeprom", {"eep_off": True}), ("battery_mode", {"confirm": True})):
        result = await hass.config_entries.options.async_init(entry.entry_id)
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {"next_step_id": step}
        )
        bic.faults.no_reply = True
        result = await hass.config_entries.options.async_configure(result["flow_id"], answer)
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == {"base": "cannot_connect"}
        bic.faults.no_reply = False
        result = await hass.config_entries.options.async_configure(result["flow_id"], answer)
        assert result["type"] is FlowResultType.ABORT
    assert bic.registers[Command.SYSTEM_CONFIG] & EEP_OFF
    assert bic.registers[Command.BIDIRECTIONAL_CONFIG] == BATTERY_MODE


async def test_npb_options_have_no_battery_mode(hass: HomeAssistant, channel: str) -> None:
    npb = MeanWellEmulator("NPB-1200-48")
    bus = can.Bus(interface="virtual", channel=channel)
    npb.attach(bus)
    try:
        entry = _entry(channel, "NPB-1200-48")
        await _setup(hass, entry)
        result = await hass.config_entries.options.async_init(entry.entry_id)
        assert result["menu_options"] == ["meanwell_settings", "eeprom"]
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {"next_step_id": "meanwell_settings"}
        )
        assert "max_discharge_current" not in {str(k) for k in result["data_schema"].schema}
        await hass.config_entries.async_unload(entry.entry_id)
    finally:
        npb.detach()
        bus.shutdown()
