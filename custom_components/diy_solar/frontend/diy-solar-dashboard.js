// The DIY Solar dashboard: a Lovelace dashboard strategy (plain ES module, no build step)
// that lays out the owner's DIY Solar devices and policies with Home Assistant's own
// cards only. It adapts to what exists: no Mean Well charger, no charger view.
// `generateDashboard` is pure (the frontend's hass object in, a dashboard config out) so
// that it can be tested without a browser.

const PLATFORM = "diy_solar";
const POLICY_MODELS = [
  "Zero export controller",
  "Generator auto-start",
  "Grid connect",
  "Smart charging",
  "Output priority",
  "State of charge estimator",
];
// Where the plant's figures come from, the most trusted first: a state of charge from the
// battery's own electronics; power flows from the meters (the simulated plant's in the demo).
const SOC_ORDER = ["bank", "estimator", "bms", "inverter", "plant"];
const FLOW_ORDER = ["plant", "bank", "bms", "inverter"];
const FLOW = {
  pv: ["pv_power", "pv_input_power", "pv_charging_power"],
  battery: ["battery_power"],
  grid: ["grid_power"],
  load: ["load_power", "ac_output_active_power"],
};

export function kindOf(device) {
  const model = device.model || "";
  const maker = device.manufacturer || "";
  if (model === "Simulated plant") return "plant";
  if (model === "Battery bank") return "bank";
  if (model === "State of charge estimator") return "estimator";
  if (POLICY_MODELS.includes(model)) return "policy";
  if (model.endsWith("BMS")) return "bms";
  if (maker === "Voltronic Power" || maker === "Mean Well" || maker === "Lumentree") {
    return "inverter";
  }
  if (maker.startsWith("dcttech")) return "relay";
  return "other";
}

function deviceName(device) {
  return device.name_by_user || device.name || device.id;
}

function attributes(hass, entityId) {
  return (hass.states[entityId] || {}).attributes || {};
}

// Hidden from the device page by the integration, yet wanted here while it says something.
const SHOWN_THOUGH_HIDDEN = new Set(["paused_until"]);

// Each DIY Solar device that has entities, with them, in the order the registry gives.
export function ourDevices(hass) {
  const byDevice = new Map();
  for (const entry of Object.values(hass.entities)) {
    if (entry.platform !== PLATFORM || !entry.device_id) continue;
    if (entry.hidden && !SHOWN_THOUGH_HIDDEN.has(entry.translation_key)) continue;
    if (!(entry.entity_id in hass.states)) continue;
    const device = hass.devices[entry.device_id];
    if (!device) continue;
    if (!byDevice.has(device.id)) {
      byDevice.set(device.id, { device, kind: kindOf(device), entities: [] });
    }
    byDevice.get(device.id).entities.push(entry);
  }
  return [...byDevice.values()];
}

const domainOf = (entityId) => entityId.split(".")[0];
const primary = (entry) => !entry.entity_category;

function withKey(devices, keys) {
  const ordered = FLOW_ORDER.flatMap((kind) => devices.filter((d) => d.kind === kind));
  for (const key of keys) {
    for (const { entities } of ordered) {
      const found = entities.find((e) => e.translation_key === key && domainOf(e.entity_id) === "sensor");
      if (found) return found.entity_id;
    }
  }
  return null;
}

function socOf(hass, item) {
  const soc = item.entities.find(
    (e) => domainOf(e.entity_id) === "sensor" && attributes(hass, e.entity_id).device_class === "battery"
  );
  return soc ? soc.entity_id : null;
}

function flowCard(devices) {
  const found = Object.fromEntries(Object.entries(FLOW).map(([part, keys]) => [part, withKey(devices, keys)]));
  // Home Assistant's own icons: an emoji needs a font the browser may not have.
  const line = (icon, label, entityId) =>
    entityId
      ? `<ha-icon icon="${icon}"></ha-icon> **${label}** {{ states('${entityId}') | float(0) | round(0) }} W`
      : null;
  const lines = [
    line("mdi:solar-power-variant", "PV", found.pv),
    line("mdi:home-battery", "Battery (+ charging)", found.battery),
    line("mdi:transmission-tower", "Grid (+ import)", found.grid),
    line("mdi:home-lightning-bolt", "Load", found.load),
  ].filter(Boolean);
  if (!lines.length) return null;
  return { type: "markdown", title: "Power flow", content: lines.join("\n\n") };
}

function entitiesCard(title, rows) {
  return rows.length ? { type: "entities", title, entities: rows, state_color: true } : null;
}

function actionButton(name, icon, action, data) {
  return {
    type: "button",
    name,
    icon,
    show_state: false,
    tap_action: { action: "perform-action", perform_action: action, data },
  };
}

function plantView(hass, devices) {
  const socItem = SOC_ORDER.map((kind) => devices.find((d) => d.kind === kind && socOf(hass, d)))
    .find(Boolean);
  const energy = devices.flatMap((d) =>
    d.entities
      .filter((e) => attributes(hass, e.entity_id).device_class === "energy")
      .map((e) => e.entity_id)
  );
  const powers = Object.values(FLOW).map((keys) => withKey(devices, keys)).filter(Boolean);
  const cards = [
    flowCard(devices),
    socItem && {
      type: "gauge",
      name: "State of charge",
      entity: socOf(hass, socItem),
      min: 0,
      max: 100,
      severity: { red: 0, yellow: 20, green: 50 },
    },
    entitiesCard("Energy", energy),
    powers.length && { type: "history-graph", title: "Last 24 hours", hours_to_show: 24, entities: powers },
  ].filter(Boolean);
  return { title: "Plant", path: "plant", icon: "mdi:solar-power-variant", cards };
}

function cellBars(item) {
  const cells = item.entities.filter((e) => e.translation_key === "cell_voltage").map((e) => e.entity_id);
  if (!cells.length) {
    return {
      type: "markdown",
      title: "Cells",
      content:
        "Each cell gets its bar here once the pack's *Cell N voltage* sensors are enabled " +
        "(they are off by default: a 16S pack adds 16 entities).",
    };
  }
  // A bar per cell between 2.8 V and 3.65 V: the weak cell stands out at a glance.
  const rows = cells.map(
    (id, n) =>
      `{% set bar = (((states('${id}') | float(0)) - 2.8) / 0.85 * 20) | int(0) %}` +
      `${n + 1} | {{ '▇' * ([[bar, 0] | max, 20] | min) }} | {{ states('${id}') }} V`
  );
  return { type: "markdown", title: "Cells", content: ["Cell | | Voltage", "---|---|---", ...rows].join("\n") };
}

function batteryView(hass, devices) {
  const packs = devices.filter((d) => d.kind === "bank" || d.kind === "bms");
  if (!packs.length) return null;
  const cards = packs.flatMap((item) => {
    const ids = (keys) =>
      item.entities.filter((e) => keys.includes(e.translation_key)).map((e) => e.entity_id);
    const soc = socOf(hass, item);
    return [
      soc && { type: "gauge", name: deviceName(item.device), entity: soc, min: 0, max: 100 },
      entitiesCard(deviceName(item.device), [
        ...ids(["cell_min", "cell_max", "cell_delta", "current", "voltage"]),
        ...item.entities
          .filter((e) => attributes(hass, e.entity_id).device_class === "temperature" && primary(e))
          .map((e) => e.entity_id),
        ...item.entities
          .filter((e) => domainOf(e.entity_id) === "binary_sensor" && primary(e))
          .map((e) => e.entity_id),
      ]),
      cellBars(item),
    ].filter(Boolean);
  });
  return { title: "Battery", path: "battery", icon: "mdi:battery-high", cards };
}

function deviceView(hass, item) {
  const pick = (test) => item.entities.filter(test).map((e) => e.entity_id);
  const settings = pick((e) => ["number", "select", "switch"].includes(domainOf(e.entity_id)));
  const readings = pick((e) => domainOf(e.entity_id) === "sensor" && primary(e));
  const faults = pick(
    (e) => domainOf(e.entity_id) === "binary_sensor" && attributes(hass, e.entity_id).device_class === "problem"
  );
  const cards = [
    entitiesCard("Readings", readings),
    entitiesCard("Settings", settings),
    entitiesCard("Faults", faults),
  ].filter(Boolean);
  const name = deviceName(item.device);
  return { title: name, path: `device-${item.device.id}`, icon: "mdi:flash", cards };
}

function policyCards(item) {
  const device_id = item.device.id;
  const model = item.device.model;
  // A pause's end shows only while there is one (not "Unknown" the rest of the time).
  const ids = item.entities.filter(primary).map((e) =>
    e.translation_key === "paused_until"
      ? { type: "conditional", conditions: [{ entity: e.entity_id, state_not: "unknown" }], row: { entity: e.entity_id } }
      : e.entity_id
  );
  const buttons = [];
  if (model === "Generator auto-start") {
    buttons.push(
      actionButton("Run 1 h", "mdi:engine", "diy_solar.start_generator", { device_id, duration: "01:00:00" }),
      actionButton("Stop", "mdi:engine-off", "diy_solar.stop_generator", { device_id })
    );
  }
  if (model !== "State of charge estimator") {
    buttons.push(
      actionButton("Pause 1 h", "mdi:pause", "diy_solar.pause_policy", { device_id, duration: "01:00:00" }),
      actionButton("Resume", "mdi:play", "diy_solar.resume_policy", { device_id })
    );
  }
  return [
    entitiesCard(deviceName(item.device), ids),
    buttons.length && { type: "grid", columns: buttons.length, square: false, cards: buttons },
  ].filter(Boolean);
}

export function generateDashboard(hass) {
  const devices = ourDevices(hass);
  const policies = devices.filter((d) => d.kind === "policy" || d.kind === "estimator");
  const views = [
    plantView(hass, devices),
    batteryView(hass, devices),
    ...devices.filter((d) => d.kind === "inverter").map((d) => deviceView(hass, d)),
    policies.length && {
      title: "Policies",
      path: "policies",
      icon: "mdi:robot-outline",
      cards: policies.flatMap(policyCards),
    },
  ].filter(Boolean);
  return { title: "DIY Solar", views };
}

if (typeof customElements !== "undefined" && !customElements.get("ll-strategy-dashboard-diy-solar")) {
  class DiySolarDashboardStrategy extends HTMLElement {
    static async generate(_config, hass) {
      return generateDashboard(hass);
    }
  }
  customElements.define("ll-strategy-dashboard-diy-solar", DiySolarDashboardStrategy);
}
