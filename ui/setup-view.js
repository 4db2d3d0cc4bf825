// Setup and profiles: the profile form (Studio URL or region and ids, the key), testing the
// connection, the list of profiles, and the switcher in the top bar.

import { call } from "./api.js";
import { $, banner, el, showView, toast } from "./dom.js";
import { refusalText, t } from "./i18n.js";
import { activeProfile, state } from "./state.js";

/** Called when the settings view opens (the preferences load then). */
let onOpen = () => {};

/**
 * Sets what else happens when the settings open.
 * @param {() => void} hook
 */
export function whenSettingsOpen(hook) {
  onOpen = hook;
}

/** Draws the switcher and the list of profiles. */
export function renderProfiles() {
  const select = $("profile");
  select.replaceChildren();
  for (const p of state.profiles.profiles) {
    const o = el("option", null, p.name);
    o.value = p.name;
    o.selected = p.name === state.profiles.active;
    select.append(o);
  }
  select.disabled = state.profiles.profiles.length < 2;
  select.hidden = state.profiles.profiles.length === 0;
  const active = activeProfile();
  if (active) $("by").value = active.lookup_by;

  const list = $("profile-list");
  list.replaceChildren();
  for (const p of state.profiles.profiles) {
    const li = el("li");
    const where = p.region ? t("profiles.where_region", { region: p.region }) : p.base_url;
    li.append(el("strong", null, p.name));
    if (p.managed) li.append(el("span", "tag", t("profiles.managed")));
    // A profile whose key the relay holds needs none here: "no key" would send the agent
    // looking for one they must not have.
    const key = p.key_at_relay ? " " + t("profiles.key_at_relay") : p.has_key === false ? " " + t("profiles.no_key") : "";
    li.append(el("span", "hint", " " + p.account + " / " + p.project + ", " + where + key));
    const keyOnly = p.managed && !p.key_at_relay;
    const edit = el("button", "quiet", t(keyOnly ? "profiles.key" : "profiles.edit"));
    edit.type = "button";
    edit.setAttribute("aria-label", t(keyOnly ? "profiles.key_of" : "profiles.edit_of", { name: p.name }));
    edit.addEventListener("click", () => openSettings(p.name));
    li.append(edit);
    list.append(li);
  }
  $("profiles-section").hidden = state.profiles.profiles.length === 0 || !!state.info?.demo;
  $("p-new").hidden = !state.profiles.can_add;
  const hidden = $("profile-hidden");
  hidden.replaceChildren(...state.profiles.hidden.map((/** @type {string} */ why) => el("li", null, why)));
  if (state.profiles.keychain_error) banner(state.profiles.keychain_error);
}

/** Reloads the profiles from Rust. */
export async function loadProfiles() {
  state.profiles = await call("profiles");
  renderProfiles();
}

/** @param {import("./state.js").Profile | null} p */
function fillForm(p) {
  $("p-name").value = p ? p.name : "";
  $("p-studio").value = "";
  $("p-region").value = p && p.region ? p.region : "";
  $("p-base").value = p && p.base_url ? p.base_url : "";
  $("p-account").value = p ? p.account : "";
  $("p-project").value = p ? p.project : "";
  $("p-advanced").open = !!p;
  $("p-key").value = "";
  $("p-key").placeholder = t(p && p.has_key ? "form.key_stored_placeholder" : "form.key_placeholder");
  $("p-key-state").textContent = p ? (p.has_key ? t("form.key_stored") : p.has_key === false ? t("form.key_missing") : "") : "";
  const atRelay = !!p && p.key_at_relay;
  $("p-key-field").hidden = atRelay;
  $("p-key-relay").hidden = !atRelay;
  $("p-studio-parsed").textContent = "";
  formStatus("", "");
  // A managed profile is the organisation's: only the agent's own key for it can change. While
  // the policy is broken no profile can change (Rust refuses it anyway).
  const managed = !!p && p.managed;
  const broken = !!p && !!state.info?.policy?.error;
  for (const id of ["p-name", "p-studio", "p-region", "p-base", "p-account", "p-project"]) {
    $(id).disabled = managed || broken;
  }
  $("p-managed").hidden = !managed && !broken;
  $("p-managed").textContent = t(managed ? "form.managed" : "form.policy_broken");
  $("p-delete").hidden = !p || managed || broken;
  const refused = !p && !state.profiles.can_add;
  $("profile-form").querySelector("button[type=submit]").disabled = refused;
  $("p-test").disabled = refused;
  if (refused) {
    formStatus(t("form.cannot_add"), "bad");
  }
}

/**
 * Opens the settings on profile `name` (a new profile when null).
 * @param {string | null} name
 */
export function openSettings(name) {
  const p = state.profiles.profiles.find((x) => x.name === name) || null;
  state.editing = p ? p.name : null;
  const first = state.profiles.profiles.length === 0;
  $("settings-title").textContent = first
    ? t("settings.title_setup")
    : p ? t("settings.title_edit", { name: p.name }) : t("settings.title_add");
  $("settings-intro").hidden = !first;
  $("p-cancel").hidden = first;
  fillForm(p);
  renderProfiles();
  onOpen();
  showView("settings");
  $(first || !p ? "p-name" : p.key_at_relay ? "p-test" : "p-key").focus();
}

/** The form as the agent filled it, for Rust to save or test (the key is never sent back). */
function formInput() {
  return {
    editing: state.editing,
    name: $("p-name").value,
    studio_url: $("p-studio").value || null,
    region: $("p-region").value || null,
    base_url: $("p-base").value || null,
    account: $("p-account").value,
    project: $("p-project").value,
    key: $("p-key").value,
  };
}

/**
 * @param {string} text
 * @param {string} kind
 */
function formStatus(text, kind) {
  $("p-status").textContent = text;
  $("p-status").className = "status " + (kind || "");
}

/**
 * Shows the profile `name` as saved: the form on it, the key field cleared.
 * @param {string | null} name
 */
function showSaved(name) {
  state.editing = name;
  renderProfiles();
  fillForm(state.profiles.profiles.find((x) => x.name === name) || null);
  $("settings-title").textContent = t("settings.title_edit", { name: name || "" });
  $("p-cancel").hidden = false;
}

async function saveForm() {
  try {
    state.profiles = await call("save_setup", { form: formInput() });
    showSaved(state.profiles.active);
    formStatus(t("form.saved"), "ok");
  } catch (e) {
    formStatus(/** @type {any} */ (e).message, "bad");
  }
}

async function testConnection() {
  formStatus(t("form.testing"), "");
  try {
    const tested = await call("test_setup", { form: formInput() });
    state.profiles = tested.profiles;
    if (tested.saved) showSaved(tested.profile);
    if (!tested.error) {
      formStatus(t("form.works"), "ok");
      return;
    }
    const hint = tested.error.kind === "key_rejected" ? " " + t("form.paste_right_key") : "";
    const said = tested.error.refusal ? refusalText(tested.error.refusal) : tested.error.message;
    formStatus(said + hint, "bad");
  } catch (e) {
    formStatus(/** @type {any} */ (e).message, "bad");
  }
}

async function deleteProfile() {
  if (!state.editing) return;
  try {
    state.profiles = await call("delete_profile", { name: state.editing });
    renderProfiles();
    if (state.profiles.profiles.length === 0) {
      openSettings(null);
    } else {
      showView("lookup");
    }
    toast(t("toast.profile_deleted"));
  } catch (e) {
    formStatus(/** @type {any} */ (e).message, "bad");
  }
}

async function previewStudioUrl() {
  const url = $("p-studio").value.trim();
  const out = $("p-studio-parsed");
  if (!url) {
    out.textContent = "";
    return;
  }
  try {
    const p = await call("parse_studio_url", { url });
    out.textContent = t("form.studio_parsed", { region: p.region, account: p.account, project: p.project });
    out.className = "hint ok";
    if (!$("p-name").value.trim()) $("p-name").value = p.project;
  } catch (e) {
    out.textContent = /** @type {any} */ (e).message;
    out.className = "hint bad";
  }
}

/** Wires the form, the list and the switcher. */
export function wireSetup() {
  $("profile").addEventListener("change", async () => {
    try {
      state.profiles = await call("use_profile", { name: $("profile").value });
      renderProfiles();
    } catch (e) {
      banner(/** @type {any} */ (e).message);
    }
  });
  $("open-settings").addEventListener("click", () => openSettings(state.profiles.active));
  $("profile-form").addEventListener("submit", (/** @type {Event} */ ev) => { ev.preventDefault(); saveForm(); });
  $("p-test").addEventListener("click", testConnection);
  $("p-delete").addEventListener("click", deleteProfile);
  $("p-cancel").addEventListener("click", () => showView("lookup"));
  $("p-new").addEventListener("click", () => openSettings(null));
  $("p-studio").addEventListener("change", previewStudioUrl);
  $("p-studio").addEventListener("paste", () => setTimeout(previewStudioUrl, 0));
}
