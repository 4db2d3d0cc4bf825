// The card area in each of its states, as the pipeline publishes them: empty, pending, waiting
// (with why), the filled card, and each failure with its next step.

import { $, button, el } from "./dom.js";
import { copyButton, renderFields, renderValue } from "./fields.js";
import { dateFormat, refusalText, t } from "./i18n.js";
import { isSensitive } from "./values.js";

/**
 * What the card's buttons do; given by main.js.
 * @typedef {{ retry: (pop: any) => void, trySharedId: (pop: any) => void,
 *   openSettings: () => void, editId: () => void }} Actions
 */

/**
 * A failure card: the title, the words of the next step and what it does.
 * @typedef {{ title: string, body: string, action: "retry" | "settings" | "edit" }} FailureSpec
 */

/** Failure cards by the error's kind. @type {Record<string, FailureSpec>} */
const FAILURES = {
  not_found: { title: "failure.not_found.title", body: "failure.not_found.body", action: "retry" },
  no_key: { title: "failure.no_key.title", body: "failure.no_key.body", action: "settings" },
  key_rejected: { title: "failure.key_rejected.title", body: "failure.key_rejected.body_401", action: "settings" },
  rate_limited: { title: "failure.rate_limited.title", body: "failure.rate_limited.body", action: "retry" },
  unreachable: { title: "failure.unreachable.title", body: "failure.unreachable.body", action: "retry" },
  timeout: { title: "failure.timeout.title", body: "failure.timeout.body", action: "retry" },
  server_error: { title: "failure.server_error.title", body: "failure.server_error.body", action: "retry" },
  malformed_response: { title: "failure.malformed_response.title", body: "failure.malformed_response.body", action: "retry" },
  keychain_unavailable: { title: "failure.keychain_unavailable.title", body: "failure.keychain_unavailable.body", action: "retry" },
  bad_input: { title: "failure.bad_input.title", body: "failure.bad_input.body", action: "edit" },
  bad_configuration: { title: "failure.bad_configuration.title", body: "failure.bad_configuration.body", action: "settings" },
  set_by_policy: { title: "failure.set_by_policy.title", body: "failure.set_by_policy.body", action: "settings" },
  relay_unavailable: { title: "failure.relay_unavailable.title", body: "failure.relay_unavailable.body", action: "settings" },
};
/** @type {FailureSpec} */
const UNKNOWN_FAILURE = { title: "failure.unknown.title", body: "failure.unknown.body", action: "retry" };

/** The next step's button words, by what it does. */
const ACTIONS = { retry: "failure.action_retry", settings: "failure.action_settings", edit: "failure.action_edit" };

/** Why a lookup is still waiting, in words. */
const WAITING = /** @type {Record<string, string>} */ ({
  not_found: "card.waiting_not_found",
  rate_limited: "card.waiting_rate_limited",
  transient: "card.waiting_transient",
});

/**
 * The card element, emptied, in state `kind`.
 * @param {string} kind
 */
function shell(kind) {
  const card = $("card");
  card.className = "card " + kind;
  card.setAttribute("aria-busy", kind === "pending" ? "true" : "false");
  card.replaceChildren();
  return card;
}

/**
 * The id and time line under a card's title.
 * @param {string} by
 * @param {string} shownId the id as Rust shows it (inert, cut short)
 * @param {number} atMs
 */
function meta(by, shownId, atMs) {
  const line = el("p", "meta");
  line.append(el("span", null, t(by === "shared_id" ? "card.meta_shared_id" : "card.meta_id", { id: shownId })));
  line.append(el("span", null, dateFormat("time").format(new Date(atMs))));
  return line;
}

/** The empty card. */
export function renderEmpty() {
  shell("empty").append(el("p", "placeholder", t("card.empty")));
}

/**
 * Looking up, or waiting and why; answers what a screen reader should hear.
 * @param {any} pop
 * @returns {string}
 */
export function renderPending(pop) {
  const card = shell("pending");
  const head = el("header", "card-head");
  const title = t(pop.waiting ? "card.waiting" : "card.looking_up");
  const why = t(pop.waiting ? WAITING[pop.waiting] || WAITING.transient : "card.fetching");
  head.append(el("h1", "caller skeleton", title));
  const status = el("p", "reason", why);
  status.id = "pending-status";
  head.append(status, meta(pop.by, pop.shown_id, pop.at_ms));
  card.append(head);
  for (let i = 0; i < 3; i++) card.append(el("div", "skeleton-line"));
  return pop.waiting ? title + " " + why : title;
}

/**
 * A failure with its next step; answers what a screen reader should hear.
 * @param {any} pop
 * @param {Actions} actions
 * @returns {string}
 */
export function renderFailure(pop, actions) {
  const error = pop.error;
  const spec = Object.prototype.hasOwnProperty.call(FAILURES, error.kind) ? FAILURES[error.kind] : UNKNOWN_FAILURE;
  const body = error.kind === "key_rejected" && error.status === 403 ? "failure.key_rejected.body_403" : spec.body;
  const card = shell("failure failure-" + error.kind);
  const head = el("header", "card-head");
  const title = t(spec.title);
  head.append(el("h1", "caller", title), el("p", "reason", t(body, { ...error, seconds: error.seconds || 0 })));
  head.append(meta(pop.by, pop.shown_id, pop.at_ms));
  card.append(head);
  // What the system, the API and its support need stays as they said it.
  const said = el("div", "failure-details");
  const detail = error.refusal ? refusalText(error.refusal) : error.detail;
  if (detail) said.append(el("p", "detail", detail));
  if (error.server_message) said.append(el("p", "server-said", t("failure.server_said", { message: error.server_message })));
  if (error.correlation_id) said.append(el("p", "correlation", t("failure.correlation", { id: error.correlation_id })));
  if (said.childElementCount) card.append(said);
  const tools = el("div", "card-tools");
  const onClick = { retry: () => actions.retry(pop), settings: actions.openSettings, edit: actions.editId }[spec.action];
  const next = button(t(ACTIONS[spec.action]), "primary", onClick);
  next.id = "failure-action";
  tools.append(next);
  if (pop.by === "id" && error.kind === "not_found") {
    tools.append(button(t("failure.try_shared"), null, () => actions.trySharedId(pop)));
  }
  card.append(tools);
  return title + ". " + next.textContent + ".";
}

/**
 * The filled card.
 * @param {any} result a ResultView (screenpop-page)
 * @param {import("./values.js").Ctx} ctx
 */
export function renderFilled(result, ctx) {
  const card = result.card;
  const root = shell("filled");

  const head = el("header", "card-head");
  const title = el("h1", card.title_is_name ? "caller" : "caller unnamed", card.title || t("card.unknown_caller"));
  title.id = "caller-title";
  head.append(title);
  if (card.reason) head.append(el("p", "reason", card.reason));
  head.append(meta(result.by, result.shown_id, result.at_ms));
  root.append(head);

  if (card.highlights.length) {
    const strip = el("dl", "highlights");
    strip.setAttribute("aria-label", t("card.highlights"));
    for (const h of card.highlights) {
      const item = el("div", "hl hl-" + h.group);
      const dd = el("dd");
      dd.append(renderValue(h.value, h.label, ctx, 0));
      if (!isSensitive(h.value)) dd.append(copyButton(() => h.value.text, h.label, ctx));
      item.append(el("dt", null, h.label), dd);
      strip.append(item);
    }
    root.append(strip);
  }

  const tools = el("div", "card-tools");
  const copyAll = button(t("card.copy_all"), null, () => ctx.copy(result.text, t("toast.copied_card")));
  copyAll.id = "copy-all";
  const raw = button(t(ctx.showRaw ? "card.show_card" : "card.raw_json"), null, () => ctx.toggle("showRaw"));
  raw.id = "toggle-raw";
  raw.setAttribute("aria-pressed", String(ctx.showRaw));
  tools.append(copyAll, raw);
  if (card.empty_count > 0) {
    const words = ctx.showEmpty ? t("card.hide_empty") : t("card.show_empty", { count: card.empty_count });
    const empty = button(words, null, () => ctx.toggle("showEmpty"));
    empty.id = "toggle-empty";
    empty.setAttribute("aria-pressed", String(ctx.showEmpty));
    tools.append(empty);
  }
  if (card.studio_url) {
    const studio = button(t("card.open_studio"), "v-link", () => ctx.openLink(card.studio_url));
    studio.title = card.studio_url;
    tools.append(studio);
  }
  root.append(tools);

  if (card.links.length) {
    // The admin's links into the CRM: each button says where it goes.
    const links = el("nav", "card-links");
    links.setAttribute("aria-label", t("card.links"));
    for (const link of card.links) {
      const b = button(link.label, "record-link", () => ctx.openLink(link.url));
      b.append(el("span", "host", link.host));
      b.title = link.url;
      links.append(b);
    }
    root.append(links);
  }

  if (ctx.showRaw) {
    const pre = el("pre", "raw", result.raw_json);
    pre.tabIndex = 0;
    pre.setAttribute("aria-label", t("card.raw_label"));
    root.append(pre);
    return;
  }
  if (card.value_count > 12) {
    const filter = el("input", "filter");
    filter.type = "search";
    filter.id = "field-filter";
    filter.placeholder = t("card.filter");
    filter.setAttribute("aria-label", t("card.filter"));
    filter.value = ctx.filterText || "";
    filter.addEventListener("input", () => ctx.setFilter(filter.value));
    root.append(filter);
  }
  if (card.value_count === 0) {
    root.append(el("p", "placeholder", t("card.no_data")));
  } else {
    const body = el("div", "card-body");
    body.append(renderFields(card.fields, ctx, 0));
    root.append(body);
  }
}
