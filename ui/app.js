// The window: setup, the profile switcher, lookups and their states. All work happens in Rust
// through `invoke`; this page never makes a network request and never sees an API key after
// the agent pastes it.
"use strict";

(function () {
  const { invoke } = window.__TAURI__.core;
  const { listen } = window.__TAURI__.event;
  const { renderCard, el } = window.ScreenpopCard;
  const $ = (id) => document.getElementById(id);

  const state = {
    info: null,
    profiles: { profiles: [], active: null, keychain_error: null },
    editing: null, // name of the profile in the form, null for a new one
    ticket: 0,
    current: null, // the LookupResult on screen
    view: { showEmpty: false, showRaw: false, filterText: "" },
  };

  // ---- Helpers -------------------------------------------------------------------------------

  function toast(text) {
    const t = $("toast");
    t.textContent = text;
    t.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { t.hidden = true; }, 1800);
  }

  async function copy(text, what) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (_) {
      // Older WebKitGTK: fall back to a hidden text area.
      const area = el("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "offscreen";
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    toast("Copied " + what);
  }

  async function openLink(url) {
    try {
      await invoke("open_link", { url });
    } catch (e) {
      toast(e.message || String(e));
    }
  }

  function activeProfile() {
    return state.profiles.profiles.find((p) => p.name === state.profiles.active) || null;
  }

  function showView(name) {
    $("lookup-view").hidden = name !== "lookup";
    $("settings-view").hidden = name !== "settings";
    if (name === "lookup") $("query").focus();
  }

  function banner(text) {
    $("banner").textContent = text || "";
    $("banner").hidden = !text;
  }

  // ---- Profiles ------------------------------------------------------------------------------

  function renderProfiles() {
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
      const where = p.region ? "region " + p.region : p.base_url;
      li.append(el("strong", null, p.name));
      li.append(el("span", "hint", " " + p.account + " / " + p.project + ", " + where + (p.has_key === false ? " (no key)" : "")));
      const edit = el("button", "quiet", "Edit");
      edit.type = "button";
      edit.setAttribute("aria-label", "Edit profile " + p.name);
      edit.addEventListener("click", () => openSettings(p.name));
      li.append(edit);
      list.append(li);
    }
    $("profiles-section").hidden = state.profiles.profiles.length === 0 || !!state.info?.demo;
    if (state.profiles.keychain_error) banner(state.profiles.keychain_error);
  }

  async function loadProfiles() {
    state.profiles = await invoke("profiles");
    renderProfiles();
  }

  function fillForm(p) {
    $("p-name").value = p ? p.name : "";
    $("p-studio").value = "";
    $("p-region").value = p && p.region ? p.region : "";
    $("p-base").value = p && p.base_url ? p.base_url : "";
    $("p-account").value = p ? p.account : "";
    $("p-project").value = p ? p.project : "";
    $("p-advanced").open = !!p;
    $("p-key").value = "";
    $("p-key").placeholder = p && p.has_key ? "A key is stored. Paste a new one to replace it" : "Paste the key";
    $("p-key-state").textContent = p ? (p.has_key ? "A key is stored in the system keychain." : p.has_key === false ? "No key is stored yet." : "") : "";
    $("p-studio-parsed").textContent = "";
    $("p-status").textContent = "";
    $("p-status").className = "status";
    $("p-delete").hidden = !p;
  }

  function openSettings(name) {
    const p = state.profiles.profiles.find((x) => x.name === name) || null;
    state.editing = p ? p.name : null;
    const first = state.profiles.profiles.length === 0;
    $("settings-title").textContent = first ? "Set up screenpop" : p ? "Edit profile " + p.name : "Add a profile";
    $("settings-intro").hidden = !first;
    $("p-cancel").hidden = first;
    fillForm(p);
    renderProfiles();
    $("trigger-section").hidden = !!state.info?.demo;
    if (!state.info?.demo) loadTrigger();
    showView("settings");
    $(first || !p ? "p-name" : "p-key").focus();
  }

  function formInput() {
    return {
      name: $("p-name").value,
      studio_url: $("p-studio").value || null,
      region: $("p-region").value || null,
      base_url: $("p-base").value || null,
      account: $("p-account").value,
      project: $("p-project").value,
    };
  }

  function formStatus(text, kind) {
    $("p-status").textContent = text;
    $("p-status").className = "status " + (kind || "");
  }

  async function saveForm() {
    const key = $("p-key").value;
    try {
      state.profiles = await invoke("save_profile", { original: state.editing, input: formInput() });
      const name = state.profiles.active;
      state.editing = name;
      if (key.trim()) {
        await invoke("store_key", { profile: name, key });
        $("p-key").value = "";
        state.profiles = await invoke("profiles");
      }
      renderProfiles();
      fillForm(activeProfile());
      $("settings-title").textContent = "Edit profile " + name;
      $("p-cancel").hidden = false;
      formStatus("Saved. Test the connection, or go back to lookups.", "ok");
      return true;
    } catch (e) {
      formStatus(e.message || String(e), "bad");
      return false;
    }
  }

  async function testConnection() {
    const typed = $("p-key").value.trim();
    if (!state.editing || typed) {
      if (!(await saveForm())) return;
    }
    formStatus("Testing the connection…", "");
    try {
      await invoke("test_connection", { profile: state.editing });
      formStatus("Connection works: the API accepted the key for this project.", "ok");
    } catch (e) {
      const hint = e.kind === "key_rejected" ? " Paste the right key and save again." : "";
      formStatus((e.message || String(e)) + hint, "bad");
    }
  }

  async function deleteProfile() {
    if (!state.editing) return;
    try {
      state.profiles = await invoke("delete_profile", { name: state.editing });
      renderProfiles();
      if (state.profiles.profiles.length === 0) {
        openSettings(null);
      } else {
        showView("lookup");
      }
      toast("Profile deleted");
    } catch (e) {
      formStatus(e.message || String(e), "bad");
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
      const p = await invoke("parse_studio_url", { url });
      out.textContent = "Region " + p.region + ", account " + p.account + ", project " + p.project + ".";
      out.className = "hint ok";
      if (!$("p-name").value.trim()) $("p-name").value = p.project;
    } catch (e) {
      out.textContent = e.message || String(e);
      out.className = "hint bad";
    }
  }

  // ---- Local trigger ------------------------------------------------------------------------

  function renderTrigger(view) {
    $("t-enabled").checked = view.enabled;
    $("t-port").value = view.port;
    const status = $("t-status");
    if (view.error) {
      status.textContent = view.error;
      status.className = "status bad";
    } else if (view.running) {
      status.textContent = "Listening on 127.0.0.1:" + view.port + ".";
      status.className = "status ok";
    } else {
      status.textContent = view.enabled ? "Not listening." : "Off.";
      status.className = "status";
    }
    const details = $("t-details");
    details.hidden = !view.token;
    if (view.token) {
      const base = "http://127.0.0.1:" + view.port + "/v1/pop";
      $("t-token").value = view.token;
      $("t-get").value = base + "?id={{conversationId}}&token=" + view.token;
      $("t-post").textContent =
        "curl -X POST " + base + " \\\n" +
        "  -H 'Authorization: Bearer " + view.token + "' \\\n" +
        "  -H 'Content-Type: application/json' \\\n" +
        "  -d '{\"id\": \"{{conversationId}}\"}'";
    }
  }

  async function loadTrigger() {
    try {
      renderTrigger(await invoke("trigger_info"));
    } catch (e) {
      $("t-status").textContent = e.message || String(e);
    }
  }

  async function applyTrigger() {
    try {
      const port = Number($("t-port").value);
      renderTrigger(await invoke("set_trigger", { enabled: $("t-enabled").checked, port }));
    } catch (e) {
      $("t-status").textContent = e.message || String(e);
      $("t-status").className = "status bad";
    }
  }

  // ---- Clipboard shortcut --------------------------------------------------------------------

  // "Change…" turns the box into a recorder: the next key pressed with its modifiers becomes
  // the shortcut. Keys are read by position (event.code), so the shortcut means the same keys
  // whatever the keyboard layout.
  const MODIFIER_KEYS = ["Control", "Alt", "AltGraph", "Shift", "Meta", "OS", "Super", "Hyper"];
  let recordingHotkey = false;

  function showHotkey(message, kind) {
    const box = $("hotkey");
    box.value = state.info.hotkey;
    box.placeholder = "Off";
    box.classList.remove("recording");
    $("hotkey-off").disabled = !state.info.hotkey;
    $("hotkey-status").textContent = message || "";
    $("hotkey-status").className = "status" + (kind ? " " + kind : "");
  }

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

  async function saveHotkey(hotkey) {
    try {
      state.info.hotkey = await invoke("set_hotkey", { hotkey });
      showHotkey(state.info.hotkey
        ? state.info.hotkey + " now looks up the clipboard, from any program."
        : "The clipboard shortcut is off.", "ok");
    } catch (e) {
      showHotkey(e.message || String(e), "bad");
    }
  }

  function recordHotkey() {
    recordingHotkey = true;
    const box = $("hotkey");
    box.value = "";
    box.placeholder = "Press the new shortcut (Esc: keep the old one)";
    box.classList.add("recording");
    box.focus();
  }

  function onHotkeyKey(ev) {
    if (!recordingHotkey) return;
    const plain = !(ev.ctrlKey || ev.altKey || ev.shiftKey || ev.metaKey);
    if (ev.key === "Tab" && plain) {
      // Keyboard users leave the box as usual; the blur handler keeps the old shortcut.
      return;
    }
    ev.preventDefault();
    ev.stopPropagation();
    if (ev.key === "Escape" && plain) {
      recordingHotkey = false;
      showHotkey();
      return;
    }
    const accelerator = acceleratorOf(ev);
    if (!accelerator) return;
    recordingHotkey = false;
    saveHotkey(accelerator);
  }

  // ---- Lookups -------------------------------------------------------------------------------

  const FAILURES = {
    not_found: { title: "No handoff state for this id", action: "retry" },
    no_key: { title: "No API key for this profile", action: "settings" },
    key_rejected: { title: "The API key was rejected", action: "settings" },
    rate_limited: { title: "PolyAI is rate limiting requests", action: "retry" },
    unreachable: { title: "PolyAI could not be reached", action: "retry" },
    timeout: { title: "PolyAI did not answer in time", action: "retry" },
    server_error: { title: "PolyAI's API failed", action: "retry" },
    malformed_response: { title: "The answer could not be read", action: "retry" },
    keychain_unavailable: { title: "The system keychain is not available", action: "retry" },
    bad_input: { title: "This id cannot be looked up", action: "edit" },
    bad_configuration: { title: "The profile needs attention", action: "settings" },
  };

  function cardShell(kind) {
    const card = $("card");
    card.className = "card " + kind;
    card.replaceChildren();
    return card;
  }

  function renderPending(by, query, at, waitingReason) {
    const card = cardShell("pending");
    card.setAttribute("aria-busy", "true");
    const head = el("header", "card-head");
    head.append(el("h1", "caller skeleton", waitingReason ? "Waiting for the handoff…" : "Looking up…"));
    const status = el("p", "reason");
    status.id = "pending-status";
    status.textContent = waitingReason === "not_found"
      ? "The voice agent has not saved this call's details yet. Still trying for a few seconds."
      : waitingReason === "rate_limited"
        ? "PolyAI asked to slow down. Trying again shortly."
        : waitingReason
          ? "PolyAI did not answer. Trying again."
          : "Fetching the caller's details from PolyAI.";
    head.append(status);
    const meta = el("p", "meta");
    meta.append(el("span", null, (by === "shared_id" ? "Shared id " : "Conversation id ") + shownId(query)));
    meta.append(el("span", null, at.toLocaleTimeString()));
    head.append(meta);
    card.append(head);
    for (let i = 0; i < 3; i++) card.append(el("div", "skeleton-line"));
  }

  /**
   * An id as typed, safe to show: control and invisible formatting characters (which could
   * reorder what the agent reads) become U+FFFD, and a pasted essay is cut short.
   */
  function shownId(query) {
    // eslint-disable-next-line no-control-regex
    const clean = query.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g, "\ufffd");
    return clean.length > 120 ? clean.slice(0, 120) + "…" : clean;
  }

  function renderFailure(by, query, at, error, retryTransfer) {
    const spec = FAILURES[error.kind] || { title: "Something went wrong", action: "retry" };
    const card = cardShell("failure failure-" + (error.kind || "unknown"));
    card.setAttribute("aria-busy", "false");
    const head = el("header", "card-head");
    head.append(el("h1", "caller", spec.title));
    head.append(el("p", "reason", error.message || String(error)));
    const meta = el("p", "meta");
    meta.append(el("span", null, (by === "shared_id" ? "Shared id " : "Conversation id ") + shownId(query)));
    meta.append(el("span", null, at.toLocaleTimeString()));
    head.append(meta);
    card.append(head);
    const tools = el("div", "card-tools");
    if (spec.action === "settings") {
      const b = el("button", "primary", "Open settings");
      b.type = "button";
      b.id = "failure-action";
      b.addEventListener("click", () => openSettings(state.profiles.active));
      tools.append(b);
    } else if (spec.action === "retry") {
      const b = el("button", "primary", "Try again");
      b.type = "button";
      b.id = "failure-action";
      b.addEventListener("click", () => lookup(by, query, retryTransfer));
      tools.append(b);
    } else {
      const b = el("button", "primary", "Edit the id");
      b.type = "button";
      b.id = "failure-action";
      b.addEventListener("click", () => $("query").focus());
      tools.append(b);
    }
    if (by === "id" && error.kind === "not_found") {
      const b = el("button", null, "Try as shared id");
      b.type = "button";
      b.addEventListener("click", () => { $("by").value = "shared_id"; lookup("shared_id", query); });
      tools.append(b);
    }
    card.append(tools);
  }

  const ctx = {
    get showEmpty() { return state.view.showEmpty; },
    get showRaw() { return state.view.showRaw; },
    get filter() { return state.view.filterText.trim().toLowerCase(); },
    get filterText() { return state.view.filterText; },
    copy,
    openLink,
    toggle(what) {
      state.view[what] = !state.view[what];
      renderResult();
    },
    setFilter(text) {
      state.view.filterText = text;
      renderResult();
      const f = $("field-filter");
      if (f) {
        f.focus();
        f.setSelectionRange(text.length, text.length);
      }
    },
  };

  function renderResult() {
    const result = state.current;
    if (!result) return;
    const card = cardShell("filled");
    card.setAttribute("aria-busy", "false");
    card.append(renderCard(result, ctx));
  }

  function showResult(result) {
    state.current = result;
    state.view = { showEmpty: false, showRaw: false, filterText: "" };
    renderResult();
  }

  /** Looks up a typed or pasted id, or (with `transfer`) a pushed transfer. */
  async function lookup(by, query, transfer) {
    query = (query || "").trim();
    if (!query) {
      $("query").focus();
      return;
    }
    if (state.profiles.profiles.length === 0) {
      openSettings(null);
      return;
    }
    showView("lookup");
    const ticket = ++state.ticket;
    const at = new Date();
    state.current = null;
    renderPending(by, query, at, null);
    try {
      const result = transfer
        ? await invoke("lookup_transfer", { ticket, transfer })
        : await invoke("lookup", { ticket, by, query });
      if (ticket !== state.ticket) return; // a newer lookup owns the card
      const t0 = performance.now();
      showResult(result);
      painted("filled", query, t0);
      await loadRecent();
    } catch (e) {
      if (ticket !== state.ticket) return;
      const t0 = performance.now();
      renderFailure(by, query, at, e, transfer);
      painted(e.kind || "unknown", query, t0);
    }
  }

  /** Reports the card's first paint to the paint log (only kept when a benchmark asks). */
  function painted(card, id, t0) {
    // Only benchmarks and the package check ask for this; an agent's window sends nothing.
    if (!state.info || !state.info.paint_log) return;
    // A timer queued from an animation frame runs once that frame has been painted.
    requestAnimationFrame(() => setTimeout(() => {
      const now = performance.now();
      invoke("card_painted", {
        card, id, atMs: performance.timeOrigin + now, renderMs: now - t0, pageMs: now,
      }).catch(() => {});
    }, 0));
  }

  function popTransfer(t) {
    const by = t.shared_id ? "shared_id" : "id";
    const query = t.shared_id || t.id;
    $("by").value = by;
    $("query").value = query;
    lookup(by, query, t);
  }

  async function loadRecent() {
    const entries = await invoke("recent");
    const list = $("recent");
    list.replaceChildren();
    for (const r of entries) {
      const li = el("li");
      const b = el("button", "recent-item");
      b.type = "button";
      b.append(el("span", "recent-name", r.card.title));
      const why = r.card.highlights.find((h) => h.group === "reason");
      const whyText = why && why.value.node === "value" && why.value.value.kind !== "lines" ? (why.value.value.text || "") : "";
      b.append(el("span", "recent-meta", [whyText, new Date(r.at_ms).toLocaleTimeString()].filter(Boolean).join(" · ")));
      b.addEventListener("click", () => { state.ticket++; showResult(r); });
      li.append(b);
      list.append(li);
    }
    $("recent-section").hidden = entries.length === 0;
  }

  // ---- Wiring --------------------------------------------------------------------------------

  function isTextField(node) {
    return node && (node.tagName === "INPUT" || node.tagName === "TEXTAREA" || node.tagName === "SELECT" || node.isContentEditable);
  }

  function wire() {
    $("lookup-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      lookup($("by").value, $("query").value);
    });
    $("profile").addEventListener("change", async () => {
      try {
        state.profiles = await invoke("use_profile", { name: $("profile").value });
        renderProfiles();
      } catch (e) {
        banner(e.message || String(e));
      }
    });
    $("open-settings").addEventListener("click", () => openSettings(state.profiles.active));
    $("profile-form").addEventListener("submit", (ev) => { ev.preventDefault(); saveForm(); });
    $("p-test").addEventListener("click", testConnection);
    $("p-delete").addEventListener("click", deleteProfile);
    $("p-cancel").addEventListener("click", () => showView("lookup"));
    $("p-new").addEventListener("click", () => openSettings(null));
    $("p-studio").addEventListener("change", previewStudioUrl);
    $("p-studio").addEventListener("paste", () => setTimeout(previewStudioUrl, 0));
    $("simulate").addEventListener("click", async () => {
      try { await invoke("simulate_transfer"); } catch (e) { toast(e.message || String(e)); }
    });

    // Pasting anywhere outside a text field looks the pasted text up.
    document.addEventListener("paste", (ev) => {
      if (isTextField(document.activeElement) || $("lookup-view").hidden) return;
      const text = (ev.clipboardData && ev.clipboardData.getData("text")) || "";
      if (!text.trim()) return;
      ev.preventDefault();
      $("query").value = text.trim();
      lookup($("by").value, text);
    });

    document.addEventListener("keydown", (ev) => {
      const mod = ev.ctrlKey || ev.metaKey;
      if (mod && !ev.shiftKey && ev.key.toLowerCase() === "l") {
        ev.preventDefault();
        showView("lookup");
        $("query").select();
      } else if (mod && ev.shiftKey && ev.key.toLowerCase() === "c" && state.current) {
        ev.preventDefault();
        copy(state.current.text, "the card");
      } else if (ev.key === "Escape" && !$("lookup-view").hidden) {
        $("query").value = "";
        state.ticket++;
        state.current = null;
        const card = cardShell("empty");
        card.append(el("p", "placeholder", "When a call is transferred, the caller appears here."));
        $("query").focus();
      }
    });

    listen("lookup-retry", (event) => {
      const { ticket, reason } = event.payload;
      if (ticket !== state.ticket || state.current) return;
      const title = document.querySelector("#card .skeleton");
      if (title) title.textContent = "Waiting for the handoff…";
      const status = $("pending-status");
      if (status) {
        status.textContent = reason === "not_found"
          ? "The voice agent has not saved this call's details yet. Still trying for a few seconds."
          : reason === "rate_limited"
            ? "PolyAI asked to slow down. Trying again shortly."
            : "PolyAI did not answer. Trying again.";
      }
    });

    // A pushed transfer (deep link, `screenpop pop`, the demo's simulated transfer) takes the
    // same path as a pasted id; the newest one owns the card.
    listen("transfer", (event) => popTransfer(event.payload));
    listen("profiles-changed", () => loadProfiles());
    listen("transfer-refused", (event) => {
      banner(String(event.payload));
      toast("A link was refused");
    });
    $("t-apply").addEventListener("click", applyTrigger);
    $("autostart").addEventListener("change", async () => {
      try {
        $("autostart").checked = await invoke("set_autostart", { enabled: $("autostart").checked });
        toast($("autostart").checked ? "screenpop will start at login" : "screenpop will not start at login");
      } catch (e) {
        $("autostart").checked = !$("autostart").checked;
        toast(e.message || String(e));
      }
    });
    $("t-copy").addEventListener("click", () => copy($("t-token").value, "the token"));
    $("t-regen").addEventListener("click", async () => {
      try {
        renderTrigger(await invoke("regenerate_trigger_token"));
        toast("New token: update the telephony system");
      } catch (e) {
        toast(e.message || String(e));
      }
    });
    $("hotkey-change").addEventListener("click", recordHotkey);
    $("hotkey-off").addEventListener("click", () => saveHotkey(""));
    $("hotkey").addEventListener("keydown", onHotkeyKey);
    $("hotkey").addEventListener("blur", () => {
      if (recordingHotkey) {
        recordingHotkey = false;
        showHotkey();
      }
    });
    $("pop-action").addEventListener("change", async () => {
      try {
        await invoke("set_pop_action", { action: $("pop-action").value });
        toast("Saved");
      } catch (e) {
        toast(e.message || String(e));
      }
    });
  }

  async function start() {
    wire();
    state.info = await invoke("app_info");
    document.body.dataset.ready = "1";
    if (state.info.startup_error) banner(state.info.startup_error);
    $("demo-badge").hidden = !state.info.demo;
    $("simulate").hidden = !state.info.demo;
    $("pop-action").value = state.info.pop_action;
    $("autostart").checked = state.info.autostart;
    $("autostart").closest("label").hidden = state.info.demo;
    showHotkey();
    await loadProfiles();
    if (state.profiles.profiles.length === 0 && !state.info.startup_error) {
      openSettings(null);
    } else {
      showView("lookup");
    }
    document.body.dataset.started = "1";
    // Transfers that arrived while the window was starting (a cold start from a deep link).
    const pending = await invoke("take_pending");
    if (pending.refused.length) banner(pending.refused[pending.refused.length - 1]);
    const last = pending.transfers[pending.transfers.length - 1];
    if (last) popTransfer(last);
  }

  start().catch((e) => banner("screenpop could not start: " + (e.message || String(e))));
})();
