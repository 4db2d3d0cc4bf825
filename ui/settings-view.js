// The preferences in Settings: what a transfer does, the clipboard shortcut (recorded by
// pressing it), start at login, the language, the Genesys Cloud connection, and the local trigger
// with its token and templates.

import { call } from "./api.js";
import { $, copy, el, toast } from "./dom.js";
import { t } from "./i18n.js";
import { state } from "./state.js";

/** Set before the page loads again in a new language, so Settings open again after it. */
const REOPEN_SETTINGS = "screenpop.reopen-settings";

/** @param {any} view */
function renderTrigger(view) {
  $("t-enabled").checked = view.enabled;
  $("t-port").value = view.port;
  const status = $("t-status");
  if (view.error) {
    status.textContent = view.error;
    status.className = "status bad";
  } else if (view.running) {
    status.textContent = t("trigger.listening", { port: view.listening }) +
      (view.published ? " " + t("trigger.published", { file: view.published }) : "");
    status.className = "status ok";
  } else {
    status.textContent = t(view.enabled ? "trigger.not_listening" : "trigger.off");
    status.className = "status";
  }
  $("t-details").hidden = !view.token;
  if (view.token) {
    const base = "http://127.0.0.1:" + (view.listening || view.port) + "/v1/pop";
    $("t-token").value = view.token;
    $("t-get").value = base + "?id={{conversationId}}&token=" + view.token;
    $("t-post").textContent =
      "curl -X POST " + base + " \\\n" +
      "  -H 'Authorization: Bearer " + view.token + "' \\\n" +
      "  -H 'Content-Type: application/json' \\\n" +
      "  -d '{\"id\": \"{{conversationId}}\"}'";
  }
}

/**
 * The Genesys Cloud connection as Rust sent it (`null`: the active profile has none).
 * @param {any} view
 */
export function renderGenesys(view) {
  $("genesys-section").hidden = !view;
  if (!view) return;
  const status = $("g-status");
  const words = {
    signed_out: () => t("genesys.signed_out"),
    connecting: () => t("genesys.connecting"),
    connected: () => t("genesys.connected", { name: view.signed_in_as || "" }),
    reconnecting: () => t("genesys.reconnecting", { seconds: view.in_secs || 0 }),
    sign_in_again: () => t("genesys.sign_in_again"),
  };
  const said = Object.prototype.hasOwnProperty.call(words, view.state) ? words[/** @type {keyof typeof words} */ (view.state)] : words.connecting;
  status.textContent = said();
  status.className = "status " + (view.state === "connected" ? "ok" : view.state === "sign_in_again" ? "bad" : "");
  $("g-detail").hidden = !view.why;
  $("g-detail").textContent = view.why || "";
  const signedIn = view.state === "connected" || view.state === "connecting" || view.state === "reconnecting";
  $("g-sign-in").hidden = signedIn;
  $("g-sign-out").hidden = view.state === "signed_out";
}

/**
 * Shows the relay connection (or hides the section when the active profile has none).
 * @param {any} view
 */
export function renderRelay(view) {
  $("relay-section").hidden = !view;
  if (!view) return;
  const words = {
    signed_out: () => t("relay.no_password"),
    connecting: () => t("relay.connecting"),
    connected: () => t("relay.connected", { name: view.signed_in_as || "" }),
    reconnecting: () => t("relay.reconnecting"),
    sign_in_again: () => t("relay.refused"),
  };
  const said = Object.prototype.hasOwnProperty.call(words, view.state) ? words[/** @type {keyof typeof words} */ (view.state)] : words.connecting;
  $("r-status").textContent = said();
  $("r-status").className = "status " + (view.state === "connected" ? "ok" : view.state === "sign_in_again" || view.state === "signed_out" ? "bad" : "");
  $("r-detail").hidden = !view.why;
  $("r-detail").textContent = view.why || "";
}

/**
 * Shows the newer version the fleet's manifest offers (or hides the section when there is none).
 * Text only: IT installs it, so the address is shown, not opened.
 * @param {any} found
 */
export function renderUpdate(found) {
  $("update-section").hidden = !found;
  if (!found) return;
  $("update-status").textContent = t("update.available", { version: found.version });
  $("update-where").textContent = t("update.where", { url: found.url });
}

async function genesysSignIn() {
  $("g-status").textContent = t("genesys.waiting");
  $("g-status").className = "status";
  $("g-sign-in").disabled = true;
  try {
    await call("genesys_sign_in");
  } catch (e) {
    $("g-status").textContent = /** @type {any} */ (e).message;
    $("g-status").className = "status bad";
  } finally {
    $("g-sign-in").disabled = false;
  }
}

/**
 * @param {string} cmd
 * @param {Record<string, unknown>} [args]
 */
async function trigger(cmd, args) {
  try {
    renderTrigger(await call(cmd, args));
    return true;
  } catch (e) {
    $("t-status").textContent = /** @type {any} */ (e).message;
    $("t-status").className = "status bad";
    return false;
  }
}

/**
 * Shows what the organisation's policy decides: each locked setting's controls are disabled
 * with "Set by your organisation" beside them (Rust refuses a change anyway), and a policy that
 * cannot be used is named with its place and reason.
 */
export function showPolicy() {
  const policy = state.info?.policy;
  if (!policy) return;
  /** @type {string[]} */
  const locked = policy.locked;
  for (const node of document.querySelectorAll("[data-setting]")) {
    const control = /** @type {any} */ (node);
    control.disabled = locked.includes(control.dataset.setting);
  }
  for (const node of document.querySelectorAll("[data-lock-for]")) {
    const note = /** @type {HTMLElement} */ (node);
    note.hidden = !locked.includes(note.dataset.lockFor || "");
  }
  $("t-apply").disabled = locked.includes("trigger_enabled") && locked.includes("trigger_port");
  const status = $("policy-status");
  status.hidden = !policy.error && !policy.present;
  if (policy.error) {
    status.textContent = t("settings.policy_broken", { error: policy.error });
    status.className = "status bad";
  } else {
    status.textContent = t("settings.some_managed");
    status.className = "status";
  }
}

/** Loads what the settings show each time they open. */
export function loadPreferences() {
  showPolicy();
  $("trigger-section").hidden = !!state.info?.demo;
  if (!state.info?.demo) trigger("trigger_info");
  call("genesys_status").then(renderGenesys).catch(() => renderGenesys(null));
  call("relay_status").then(renderRelay).catch(() => renderRelay(null));
  call("update_available").then(renderUpdate).catch(() => renderUpdate(null));
}

// "Change…" turns the box into a recorder: the next key pressed with its modifiers becomes the
// shortcut. Keys are read by position (event.code), so the shortcut means the same keys
// whatever the keyboard layout.
const MODIFIER_KEYS = ["Control", "Alt", "AltGraph", "Shift", "Meta", "OS", "Super", "Hyper"];
let recording = false;

/**
 * @param {string} [message]
 * @param {string} [kind]
 */
export function showHotkey(message, kind) {
  const box = $("hotkey");
  box.value = state.info.hotkey;
  box.placeholder = t("prefs.hotkey_off");
  box.classList.remove("recording");
  $("hotkey-off").disabled = !state.info.hotkey || state.info.policy.locked.includes("hotkey");
  $("hotkey-status").textContent = message || "";
  $("hotkey-status").className = "status" + (kind ? " " + kind : "");
}

/** @param {KeyboardEvent} ev */
function acceleratorOf(ev) {
  if (MODIFIER_KEYS.includes(ev.key)) return null;
  let key = ev.code;
  if (/^Key[A-Z]$/.test(key)) key = key.slice(3);
  else if (/^Digit[0-9]$/.test(key)) key = key.slice(5);
  const parts = [];
  if (ev.ctrlKey) parts.push("Ctrl");
  if (ev.altKey) parts.push("Alt");
  if (ev.shiftKey) parts.push("Shift");
  if (ev.metaKey) parts.push("Super");
  parts.push(key);
  return parts.join("+");
}

/** @param {string} hotkey */
async function saveHotkey(hotkey) {
  try {
    state.info.hotkey = await call("set_hotkey", { hotkey });
    showHotkey(state.info.hotkey
      ? t("prefs.hotkey_now", { hotkey: state.info.hotkey })
      : t("prefs.hotkey_is_off"), "ok");
  } catch (e) {
    showHotkey(/** @type {any} */ (e).message, "bad");
  }
}

function recordHotkey() {
  recording = true;
  const box = $("hotkey");
  box.value = "";
  box.placeholder = t("prefs.hotkey_recording");
  box.classList.add("recording");
  box.focus();
}

/** @param {KeyboardEvent} ev */
function onHotkeyKey(ev) {
  if (!recording) return;
  const plain = !(ev.ctrlKey || ev.altKey || ev.shiftKey || ev.metaKey);
  // Keyboard users leave the box as usual; the blur handler keeps the old shortcut.
  if (ev.key === "Tab" && plain) return;
  ev.preventDefault();
  ev.stopPropagation();
  if (ev.key === "Escape" && plain) {
    recording = false;
    showHotkey();
    return;
  }
  const accelerator = acceleratorOf(ev);
  if (!accelerator) return;
  recording = false;
  saveHotkey(accelerator);
}

/**
 * The language picker: the system's language first (named in its own words, as every choice
 * is, so an agent can find theirs whatever the window speaks now).
 */
export function showLanguage() {
  const language = state.info.language;
  const select = $("language");
  const system = el("option", null, t("prefs.language_auto", { language: language.system }));
  system.value = "system";
  const options = [system];
  for (const item of language.languages) {
    const option = el("option", null, item.name);
    option.value = item.tag;
    option.lang = item.tag;
    options.push(option);
  }
  select.replaceChildren(...options);
  select.value = language.choice;
}

/** Whether the page was loaded again from Settings, for a new language (then they reopen). */
export function reopenSettings() {
  const reopen = sessionStorage.getItem(REOPEN_SETTINGS) === "1";
  sessionStorage.removeItem(REOPEN_SETTINGS);
  return reopen;
}

async function changeLanguage() {
  try {
    await call("set_language", { choice: $("language").value });
    sessionStorage.setItem(REOPEN_SETTINGS, "1");
    location.reload();
  } catch (e) {
    $("language").value = state.info.language.choice;
    toast(/** @type {any} */ (e).message);
  }
}

/** Wires the preferences. */
export function wireSettings() {
  $("language").addEventListener("change", changeLanguage);
  $("t-apply").addEventListener("click", () => trigger("set_trigger", { enabled: $("t-enabled").checked, port: Number($("t-port").value) }));
  $("t-copy").addEventListener("click", () => copy($("t-token").value, t("toast.copied_token")));
  $("t-regen").addEventListener("click", async () => {
    if (await trigger("regenerate_trigger_token")) toast(t("toast.new_token"));
  });
  $("autostart").addEventListener("change", async () => {
    try {
      $("autostart").checked = await call("set_autostart", { enabled: $("autostart").checked });
      toast(t($("autostart").checked ? "toast.autostart_on" : "toast.autostart_off"));
    } catch (e) {
      $("autostart").checked = !$("autostart").checked;
      toast(/** @type {any} */ (e).message);
    }
  });
  $("g-sign-in").addEventListener("click", genesysSignIn);
  $("g-sign-out").addEventListener("click", () => call("genesys_sign_out").catch((e) => toast(e.message)));
  $("hotkey-change").addEventListener("click", recordHotkey);
  $("hotkey-off").addEventListener("click", () => saveHotkey(""));
  $("hotkey").addEventListener("keydown", onHotkeyKey);
  $("hotkey").addEventListener("blur", () => {
    if (recording) {
      recording = false;
      showHotkey();
    }
  });
  $("pop-action").addEventListener("change", async () => {
    try {
      await call("set_pop_action", { action: $("pop-action").value });
      toast(t("toast.saved"));
    } catch (e) {
      toast(/** @type {any} */ (e).message);
    }
  });
}
