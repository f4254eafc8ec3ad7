"""The demo in headless Chromium, as its owner uses it: the login page, the DIY Solar
dashboard view by view (every card drawn, no error card, live figures), a policy's button,
the add menu, a charger added through the add dialog to the end, a policy's folded
options form, and an action performed from the action editor with its device picker.
Screenshots go to .cache/browser/.

Home Assistant's frontend is slow on two cores: every step waits for what it needs to see,
never for a fixed time."""

from __future__ import annotations

import json
import os
import re
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from demo_bootstrap import PASSWORD, USER, call, login, render  # noqa: E402

BASE = os.environ.get("DIY_SOLAR_BASE", "http://127.0.0.1:8123")
SHOTS = ROOT / ".cache" / "browser"
WAIT = 60_000  # ms: the first load of the frontend on a busy two-core machine
COMPOSED_TEXT = """(root) => {
  const parts = [];
  const walk = (node) => {
    if (node.shadowRoot) walk(node.shadowRoot);
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) parts.push(child.textContent);
      else walk(child);
    }
  };
  walk(root);
  return parts.join(" ").replace(/\\s+/g, " ");
}"""


def states() -> dict[str, dict]:
    token = login(BASE, BASE + "/")
    request = urllib.request.Request(
        BASE + "/api/states", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request) as reply:
        return {s["entity_id"]: s for s in json.load(reply)}


def entry_titles() -> list[str]:
    token = login(BASE, BASE + "/")
    entries = call(BASE, "/api/config/config_entries/entry?domain=diy_solar", token=token)
    return [entry["title"] for entry in entries]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(BASE + "/diy-solar/plant", timeout=WAIT)
    page.locator("input[name=username]").fill(USER, timeout=WAIT)
    page.locator("input[name=password]").fill(PASSWORD)
    page.keyboard.press("Enter")  # "Keep me logged in" is ticked: later pages stay logged in
    # The dashboard drawn: the login is complete and its token kept (a page opened before
    # that would ask for the login again).
    expect(page.locator("hui-view ha-card").first).to_be_visible(timeout=WAIT)
    yield page
    page.close()
    assert not [e for e in errors if "diy-solar" in e], errors


def drawn(page: Page, path: str, name: str) -> str:
    """Open a view, wait until its cards are drawn; its text, and a screenshot of it."""
    page.goto(f"{BASE}/diy-solar/{path}", timeout=WAIT)
    cards = page.locator("hui-view ha-card")
    expect(cards.first).to_be_visible(timeout=WAIT)
    page.wait_for_load_state("networkidle", timeout=WAIT)
    assert page.locator("hui-error-card").count() == 0
    # The cards draw inside shadow roots: their text, gathered through them.
    text: str = page.locator("hui-view").evaluate(COMPOSED_TEXT)
    assert "Custom element doesn't exist" not in text
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    return text


def test_the_plant_view_shows_the_live_plant(page: Page) -> None:
    text = drawn(page, "plant", "plant")
    for heading in ("Power flow", "State of charge", "Energy", "Last 24 hours"):
        assert heading in text
    grid = round(float(states()["sensor.simulated_plant_grid_power"]["state"]))
    assert re.search(r"Grid \(\+ import\)\s*-?\d+ W", text), text
    assert abs(grid) < 5000


def test_every_other_view_draws(page: Page) -> None:
    assert "Cells" in drawn(page, "battery", "battery")
    assert "Pause 1 h" in drawn(page, "policies", "policies")


def test_a_policy_button_pauses_and_resumes_it(page: Page) -> None:
    assert "Paused until" not in drawn(page, "policies", "policies")
    page.get_by_text("Pause 1 h").click()
    expect_state("sensor.zero_export_status", "paused")
    expect(page.get_by_text("Paused until")).to_be_visible(timeout=WAIT)
    page.screenshot(path=str(SHOTS / "policies-paused.png"))
    page.get_by_text("Resume").click()
    expect_state("sensor.zero_export_status", lambda s: s != "paused")
    expect(page.get_by_text("Paused until")).to_be_hidden(timeout=WAIT)


def add_dialog(page: Page) -> Locator:
    page.goto(BASE + "/config/integrations/integration/diy_solar", timeout=WAIT)
    page.get_by_role("button", name=re.compile("Add (entry|device|hub|service)", re.I)).first.click(
        timeout=WAIT
    )
    return page.locator("dialog-data-entry-flow")


def test_the_add_menu_offers_devices_and_policies(page: Page) -> None:
    dialog = add_dialog(page)
    expect(dialog.get_by_text("Add to DIY Solar")).to_be_visible(timeout=WAIT)
    expect(dialog.get_by_text("Generator auto-start (policy)")).to_be_visible()
    page.screenshot(path=str(SHOTS / "add-menu.png"))
    dialog.get_by_text("Simulated plant (no hardware)").click()
    expect(dialog.get_by_text(re.compile("already", re.I))).to_be_visible(timeout=WAIT)


def test_a_charger_is_added_through_the_add_dialog_to_the_end(page: Page) -> None:
    """Menu, form (the interface's choices by name, help under each field), the charger
    identified and added: its device then reports through the REST API."""
    assert not [t for t in entry_titles() if t.startswith("NPB")]
    dialog = add_dialog(page)
    dialog.get_by_text("Mean Well NPB charger (CAN)").click(timeout=WAIT)
    expect(dialog.get_by_text("The address set with the DIP switches")).to_be_visible(timeout=WAIT)
    dialog.get_by_text("Simulator (no hardware)").click()
    page.screenshot(path=str(SHOTS / "add-charger.png"))
    dialog.get_by_role("button", name=re.compile("^Submit$", re.I)).click()
    expect(dialog.get_by_role("button", name=re.compile("^Finish$", re.I))).to_be_visible(
        timeout=WAIT
    )
    page.screenshot(path=str(SHOTS / "add-charger-done.png"))
    dialog.get_by_role("button", name=re.compile("^Finish$", re.I)).click()
    assert [t for t in entry_titles() if t.startswith("NPB")]
    # The new charger reports: its sensors have readings.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        readings = [
            s["state"]
            for entity_id, s in states().items()
            if entity_id.startswith("sensor.npb") and re.fullmatch(r"-?\d+(\.\d+)?", s["state"])
        ]
        if readings:
            break
        time.sleep(1)
    assert readings


def test_a_policy_options_form_folds_its_sections(page: Page) -> None:
    """Zero export's tuning: the targets first, the rest folded under named headings that
    open onto fields filled with their defaults; the form saves."""
    page.goto(BASE + "/config/integrations/integration/diy_solar", timeout=WAIT)
    # The entries' rows (Home Assistant's list items carry no list role here).
    entry = page.locator("ha-md-list-item").filter(has_text="Zero export")
    entry.get_by_role("button", name=re.compile("^Configure$", re.I)).first.click(timeout=WAIT)
    dialog = page.locator("dialog-data-entry-flow")
    dialog.get_by_text(re.compile("^Timing, limits, schedules and gains")).first.click(timeout=WAIT)
    loop = dialog.get_by_role("button", name="Control loop")
    expect(loop).to_be_visible(timeout=WAIT)
    lag = dialog.get_by_role("spinbutton", name=re.compile("^Meter lag"))
    expect(lag).to_be_hidden()
    loop.click()
    expect(lag).to_be_visible(timeout=WAIT)
    expect(lag).to_have_value(re.compile(r"^\d"))  # its default shown, not an empty box
    page.screenshot(path=str(SHOTS / "zero-export-tuning.png"), full_page=True)
    dialog.get_by_role("button", name=re.compile("^Submit$", re.I)).click()
    expect(dialog.get_by_text(re.compile("saved", re.I))).to_be_visible(timeout=WAIT)
    dialog.get_by_role("button", name=re.compile("^Finish$", re.I)).click()


def test_an_action_is_performed_from_the_action_editor(page: Page) -> None:
    """Pause policy from Developer tools: its device picker lists the policies and nothing
    else (not the inverter, the chargers or the BMSs), and performing it pauses zero
    export."""
    page.goto(BASE + "/developer-tools/action", timeout=WAIT)
    action = page.locator("ha-service-picker input")
    action.click(timeout=WAIT)
    action.fill("")  # the editor opens on the last action used
    page.keyboard.type("Pause policy")
    # The open list's items (a closed list keeps its items, hidden).
    items = page.locator("vaadin-combo-box-item:visible")
    items.filter(has_text="diy_solar.pause_policy").first.click(timeout=WAIT)
    page.locator("ha-selector-device input").click(timeout=WAIT)
    expect(items.first).to_be_visible(timeout=WAIT)
    offered = [" ".join(text.split()) for text in items.all_inner_texts()]
    assert offered == ["Zero export No area"], offered
    items.first.click()
    page.locator("ha-selector-duration input").first.fill("1")
    page.screenshot(path=str(SHOTS / "action-pause.png"))
    page.get_by_role("button", name=re.compile("Perform action", re.I)).click()
    expect_state("sensor.zero_export_status", "paused")
    token = login(BASE, BASE + "/")
    device_id = render(BASE, token, "{{ device_id('sensor.zero_export_status') }}")
    call(BASE, "/api/services/diy_solar/resume_policy", {"device_id": device_id}, token)
    expect_state("sensor.zero_export_status", lambda s: s != "paused")


def expect_state(entity_id: str, wanted: object) -> None:
    """Wait (polling the REST API) until the entity's state is wanted or passes it."""
    deadline = time.monotonic() + 30
    while True:
        state = states()[entity_id]["state"]
        if (wanted(state) if callable(wanted) else state == wanted) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert wanted(state) if callable(wanted) else state == wanted, state
