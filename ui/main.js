// The window's controller: wires the views to the app's commands and renders each state the
// pop pipeline publishes. Lookups happen in Rust; this page asks for them and shows what it
// is told, newest first.

import { call, on } from "./api.js";
import { $, announce, banner, copy, showView, toast } from "./dom.js";
import { t, useLanguage } from "./i18n.js";
import { renderEmpty, renderFailure, renderFilled, renderPending } from "./card-view.js";
import { loadRecent } from "./recent-view.js";
import { wireDiagnostics } from "./diagnostics-view.js";
import { loadPreferences, renderGenesys, renderRelay, renderUpdate, reopenSettings, showHotkey, showLanguage, showPolicy, wireSettings } from "./settings-view.js";
import { loadProfiles, openSettings, whenSettingsOpen, wireSetup } from "./setup-view.js";
import { state } from "./state.js";

/** @param {string} url */
async function openLink(url) {
  try {
    await call("open_link", { url });
  } catch (e) {
    toast(/** @type {any} */ (e).message);
  }
}

/** @type {import("./values.js").Ctx} */
const ctx = {
  get showEmpty() { return state.view.showEmpty; },
  get showRaw() { return state.view.showRaw; },
  get filter() { return state.view.filterText.trim().toLowerCase(); },
  get filterText() { return state.view.filterText; },
  copy,
  openLink,
  reveal(path) {
    return call("reveal", { version: state.pop.version, path }).catch((e) => {
      toast(e.message);
      throw e;
    });
  },
  toggle(what) {
    state.view[what] = !state.view[what];
    renderFilled(state.pop.result, ctx);
  },
  setFilter(text) {
    state.view.filterText = text;
    renderFilled(state.pop.result, ctx);
    const f = $("field-filter");
    if (f) {
      f.focus();
      f.setSelectionRange(text.length, text.length);
    }
  },
};

/** @type {import("./card-view.js").Actions} */
const actions = {
  retry: (pop) => call("retry", { seq: pop.seq }).catch((e) => banner(e.message)),
  trySharedId: (pop) => {
    $("by").value = "shared_id";
    call("retry", { seq: pop.seq, by: "shared_id" }).catch((e) => banner(e.message));
  },
  openSettings: () => openSettings(state.profiles.active),
  editId: () => $("query").focus(),
};

/**
 * Asks the pipeline to look an id up with the active profile; the card follows as `pop` events.
 * @param {string} by
 * @param {string} query
 */
function lookUp(by, query) {
  if (!query.trim()) {
    $("query").focus();
    return;
  }
  if (state.profiles.profiles.length === 0) {
    openSettings(null);
    return;
  }
  call("look_up", { by, query, profile: null }).catch((e) => banner(e.message));
}

/**
 * Shows a state the pipeline published, unless a newer one is already shown.
 * @param {any} pop
 */
function render(pop) {
  if (state.pop && pop.version <= state.pop.version) return;
  const newPop = !state.pop || state.pop.seq !== pop.seq;
  const newCard = newPop || state.pop.stage !== "card";
  const newStage = newPop || state.pop.stage !== pop.stage || state.pop.waiting !== pop.waiting;
  state.pop = pop;
  if (newPop && pop.stage !== "empty" && pop.pushed) {
    // A pushed caller: the box shows what is being looked up, in the lookup view.
    $("by").value = pop.by;
    $("query").value = pop.query;
    if ($("lookup-view").hidden) showView("lookup");
  }
  // Which pop the card shows, for the window tests and the benchmark to wait on.
  $("card").dataset.seq = String(pop.seq);
  const t0 = performance.now();
  switch (pop.stage) {
    case "empty":
      renderEmpty();
      return;
    case "pending":
    case "waiting": {
      const said = renderPending(pop);
      if (newStage) announce(said);
      return;
    }
    case "card":
      if (newCard) state.view = { showEmpty: false, showRaw: false, filterText: "" };
      renderFilled(pop.result, ctx);
      if (newCard) announce([pop.result.card.title || t("card.unknown_caller"), pop.result.card.reason].filter(Boolean).join(". "));
      painted("filled", pop.query, t0);
      // The recent list waits until the card is on screen: the card comes first.
      afterPaint(() => loadRecent().catch(() => {}));
      return;
    default: {
      const said = renderFailure(pop, actions);
      if (newStage) announce(said);
      painted(pop.error.kind, pop.query, t0);
    }
  }
}

/**
 * Runs `then` once the frame being prepared has been painted.
 * @param {() => void} then
 */
function afterPaint(then) {
  // A timer queued from an animation frame runs once that frame has been painted.
  requestAnimationFrame(() => setTimeout(then, 0));
}

/**
 * Reports the card's first paint to the paint log (only kept when a benchmark asks): how long
 * building its elements took, then their style and layout, and when the frame with them was
 * painted.
 * @param {string} card
 * @param {string} id
 * @param {number} t0
 */
function painted(card, id, t0) {
  // Only benchmarks and the package check ask for this; an agent's window sends nothing.
  if (!state.info || !state.info.paint_log) return;
  const built = performance.now();
  // Style and layout now rather than just before the paint, to time them apart from it: the
  // same work, done once either way.
  document.body.getBoundingClientRect();
  const laidOut = performance.now();
  afterPaint(() => {
    const now = performance.now();
    call("card_painted", {
      painted: {
        card, id, atMs: performance.timeOrigin + now, renderMs: now - t0, buildMs: built - t0,
        layoutMs: laidOut - built, pageMs: now,
      },
    }).catch(() => {});
  });
}

/** @param {any} node */
function isTextField(node) {
  return node && (node.tagName === "INPUT" || node.tagName === "TEXTAREA" || node.tagName === "SELECT" || node.isContentEditable);
}

function wire() {
  wireSetup();
  wireSettings();
  wireDiagnostics();
  whenSettingsOpen(loadPreferences);
  $("lookup-form").addEventListener("submit", (/** @type {Event} */ ev) => {
    ev.preventDefault();
    lookUp($("by").value, $("query").value);
  });
  $("simulate").addEventListener("click", () => call("simulate_transfer").catch((e) => toast(e.message)));

  // Pasting anywhere outside a text field looks the pasted text up.
  document.addEventListener("paste", (ev) => {
    if (isTextField(document.activeElement) || $("lookup-view").hidden) return;
    const text = (ev.clipboardData && ev.clipboardData.getData("text")) || "";
    if (!text.trim()) return;
    ev.preventDefault();
    $("query").value = text.trim();
    lookUp($("by").value, text);
  });

  document.addEventListener("keydown", (ev) => {
    const mod = ev.ctrlKey || ev.metaKey;
    if (mod && !ev.shiftKey && ev.key.toLowerCase() === "l") {
      ev.preventDefault();
      showView("lookup");
      $("query").select();
    } else if (mod && ev.shiftKey && ev.key.toLowerCase() === "c" && state.pop?.stage === "card") {
      ev.preventDefault();
      copy(state.pop.result.text, t("toast.copied_card"));
    } else if (ev.key === "Escape" && !$("lookup-view").hidden) {
      $("query").value = "";
      call("clear_card").catch(() => {});
      $("query").focus();
    }
  });
}

/** Reads the app's settings and the policy, and shows them. */
async function loadInfo() {
  const before = state.info;
  state.info = await call("app_info");
  if (before && before.language.language !== state.info.language.language) {
    // The policy changed the language: every word on the page is drawn again in it.
    location.reload();
    return;
  }
  if (!before) useLanguage(state.info.language);
  $("pop-action").value = state.info.pop_action;
  $("autostart").checked = state.info.autostart;
  $("autostart").closest("label").hidden = state.info.demo;
  $("diag-section").hidden = state.info.demo;
  showHotkey();
  showLanguage();
  showPolicy();
  $("card-numbers-shown").hidden = !state.info.policy.card_numbers_shown;
  // Which policy the page shows, for the window tests to wait on.
  document.body.dataset.locked = state.info.policy.locked.join(" ");
}

async function start() {
  wire();
  // The app's settings first: a card rendered before them would not know to report its paint
  // (the paint log benchmarks and window tests wait on).
  await loadInfo();
  // Listening starts before the board is read, so nothing published meanwhile is missed.
  await on("pop", render);
  await on("refused", (message) => {
    banner(String(message));
    toast(t("toast.link_refused"));
  });
  await on("profiles-changed", () => loadProfiles());
  await on("genesys", renderGenesys);
  await on("relay", renderRelay);
  await on("update", renderUpdate);
  // The organisation's policy changed while the window runs: Settings show it at once.
  await on("settings-changed", () => loadInfo().then(loadProfiles).then(() => {
    if (!$("settings-view").hidden) loadPreferences();
  }).catch((e) => banner(e.message)));
  document.body.dataset.ready = "1";
  if (state.info.startup_error) banner(state.info.startup_error);
  else if (state.info.policy.error) banner(t("banner.policy_broken", { error: state.info.policy.error }));
  $("demo-badge").hidden = !state.info.demo;
  $("simulate").hidden = !state.info.demo;
  await loadProfiles();
  const reopen = reopenSettings();
  if (state.profiles.profiles.length === 0 && !state.info.startup_error) {
    openSettings(null);
  } else {
    showView("lookup");
  }
  document.body.dataset.started = "1";
  // What popped before this page listened (a cold start from a deep link, a reload).
  const board = await call("board");
  // What had happened before the page looked, for the window tests.
  document.body.dataset.boardStage = board.current ? board.current.stage : "none";
  if (board.refused) banner(board.refused);
  if (board.current) render(board.current);
  // Loaded again for a new language from Settings: back there, over the card shown before.
  if (reopen && state.profiles.profiles.length > 0) openSettings(state.profiles.active);
}

start().catch((e) => banner(t("banner.cannot_start", { error: e.message || String(e) })));
