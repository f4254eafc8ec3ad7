"""Readies the demo Home Assistant: owner account, onboarding, and a simulated inverter.

Talks only to the local instance, through the same REST endpoints the UI uses.
"""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

USER, PASSWORD = "demo", "demo-solar"


def call(
    base: str, path: str, body: dict | None = None, token: str | None = None, form: bool = False
) -> dict:
    headers = {}
    data = None
    if body is not None:
        if form:
            data = urllib.parse.urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base + path, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read()
    return json.loads(text) if text else {}


def wait_until_up(base: str) -> list[dict]:
    """The onboarding steps once HA answers; none once onboarding is done (HA then answers
    404 here, and the demo logs in instead)."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            return call(base, "/api/onboarding")  # type: ignore[return-value]
        except urllib.error.HTTPError as err:
            if err.code == 404:
                return []
            time.sleep(1)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(1)
    raise SystemExit("Home Assistant did not start within 3 minutes; see the log above")


def token_for(base: str, client_id: str, code: str) -> str:
    answer = call(
        base,
        "/auth/token",
        {"grant_type": "authorization_code", "code": code, "client_id": client_id},
        form=True,
    )
    return answer["access_token"]


def login(base: str, client_id: str) -> str:
    flow = call(
        base,
        "/auth/login_flow",
        {
            "client_id": client_id,
            "handler": ["homeassistant", None],
            "redirect_uri": client_id,
        },
    )
    done = call(
        base,
        f"/auth/login_flow/{flow['flow_id']}",
        {
            "client_id": client_id,
            "username": USER,
            "password": PASSWORD,
        },
    )
    return token_for(base, client_id, done["result"])


def add(base: str, token: str, answers: list[dict]) -> None:
    """One add-integration flow, answered step by step."""
    flow = call(base, "/api/config/config_entries/flow", {"handler": "diy_solar"}, token)
    for answer in answers:
        flow = call(base, f"/api/config/config_entries/flow/{flow['flow_id']}", answer, token)
    print(f"Added: {flow.get('title')}")


def render(base: str, token: str, template: str) -> str:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = json.dumps({"template": template}).encode()
    request = urllib.request.Request(base + "/api/template", data=body, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(response.read().decode()).strip()


def main(base: str) -> None:
    client_id = base + "/"
    steps = {s["step"]: s["done"] for s in wait_until_up(base)}
    if steps and not steps.get("user"):
        created = call(
            base,
            "/api/onboarding/users",
            {
                "client_id": client_id,
                "name": "Demo",
                "username": USER,
                "password": PASSWORD,
                "language": "en",
            },
        )
        token = token_for(base, client_id, created["auth_code"])
        call(base, "/api/onboarding/core_config", {}, token)
        call(base, "/api/onboarding/analytics", {}, token)
        call(
            base,
            "/api/onboarding/integration",
            {"client_id": client_id, "redirect_uri": client_id},
            token,
        )
    else:
        token = login(base, client_id)

    entries = call(base, "/api/config/config_entries/entry?domain=diy_solar", token=token)
    titles = [entry["title"] for entry in entries]
    # Each device: the start of its entry's title, and the answers to its add-integration
    # flow step by step. A demo from an older checkout gains the devices it lacks. The
    # simulators share the simulated plant's battery.
    for title, answers in (
        ("Axpert", [{"next_step_id": "axpert"}, {"next_step_id": "simulator"}]),
        (
            "BIC-2200",
            [
                {"next_step_id": "meanwell_bic"},
                {"interface": "simulator", "channel": "", "bitrate": 250000, "address": 0},
            ],
        ),
        ("JK BMS", [{"next_step_id": "jk_bms"}, {"device": "simulator"}]),
        ("Daly BMS", [{"next_step_id": "daly_bms"}, {"device": "simulator", "bms_port": "rs485"}]),
        ("Simulated plant", [{"next_step_id": "simulated_plant"}]),
    ):
        if not any(t.startswith(title) for t in titles):
            add(base, token, answers)
    if not any(t.startswith("Battery bank") for t in titles):
        # The JK (280 Ah) and Daly (100 Ah) packs as one battery.
        packs = [
            render(
                base, token, f"{{{{ device_id('sensor.{kind}_bms_simulator_state_of_charge') }}}}"
            )
            for kind in ("jk", "daly")
        ]
        add(
            base,
            token,
            [{"next_step_id": "battery_bank"}, {"name": "Battery bank", "packs": packs}],
        )
    if not any(t.startswith("Zero export") for t in titles):
        # The BIC as one actuator that charges and discharges, held in by the BMS's cells
        # and temperatures: the grid stays near 0 W at any hour.
        bic = render(
            base, token, "{{ device_id('number.bic_2200_48_eb23a1234567_charge_current') }}"
        )
        bms = render(base, token, "{{ device_id('sensor.jk_bms_simulator_state_of_charge') }}")
        add(
            base,
            token,
            [
                {"next_step_id": "zero_export"},
                {
                    "name": "Zero export",
                    "grid_sensor": "sensor.simulated_plant_grid_power",
                    "import_negative": False,
                    "devices": [bic],
                    # Its SOC, cell and temperature sensors are filled in from it.
                    "bms": bms,
                },
            ],
        )
    print(f"\nDIY Solar demo is running: {base}  (user {USER}, password {PASSWORD})\n", flush=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8123")
