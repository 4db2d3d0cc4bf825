// The card area in each of its states, as the pipeline publishes them: empty, pending, waiting
// (with why), the filled card, and each failure with its next step.

import { $, button, el } from "./dom.js";
import { copyButton, renderFields, renderValue } from "./fields.js";
import { isSensitive, nodeText } from "./values.js";

/**
 * What the card's buttons do; given by main.js.
 * @typedef {{ retry: (pop: any) => void, trySharedId: (query: string) => void,
 *   openSettings: () => void, editId: () => void }} Actions
 */

/** Failure cards by the error's kind: a title and the next step. */
const FAILURES = /** @type {Record<string, { title: string, action: string }>} */ ({
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
});

/** Why a lookup is still waiting, in words. */
const WAITING = /** @type {Record<string, string>} */ ({
  not_found: "The voice agent has not saved this call's details yet. Still trying for a few seconds.",
  rate_limited: "PolyAI asked to slow down. Trying again shortly.",
  transient: "PolyAI did not answer. Trying again.",
});

/**
 * An id as sent, safe to show: control and invisible formatting characters (which could
 * reorder what the agent reads) become U+FFFD, and a pasted essay is cut short.
 * @param {string} query
 */
export function shownId(query) {
  // eslint-disable-next-line no-control-regex
  const clean = query.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g, "\ufffd");
  return clean.length > 120 ? clean.slice(0, 120) + "…" : clean;
}

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
 * @param {string} query
 * @param {number} atMs
 */
function meta(by, query, atMs) {
  const line = el("p", "meta");
  line.append(el("span", null, (by === "shared_id" ? "Shared id " : "Conversation id ") + shownId(query)));
  line.append(el("span", null, new Date(atMs).toLocaleTimeString()));
  return line;
}

/** The empty card. */
export function renderEmpty() {
  shell("empty").append(el("p", "placeholder", "When a call is transferred, the caller appears here."));
}

/**
 * Looking up, or waiting and why; answers what a screen reader should hear.
 * @param {any} pop
 * @returns {string}
 */
export function renderPending(pop) {
  const card = shell("pending");
  const head = el("header", "card-head");
  const title = pop.waiting ? "Waiting for the handoff…" : "Looking up…";
  const why = pop.waiting ? WAITING[pop.waiting] || WAITING.transient : "Fetching the caller's details from PolyAI.";
  head.append(el("h1", "caller skeleton", title));
  const status = el("p", "reason", why);
  status.id = "pending-status";
  head.append(status, meta(pop.by, pop.query, pop.at_ms));
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
  const spec = FAILURES[error.kind] || { title: "Something went wrong", action: "retry" };
  const card = shell("failure failure-" + error.kind);
  const head = el("header", "card-head");
  head.append(el("h1", "caller", spec.title), el("p", "reason", error.message));
  head.append(meta(pop.by, pop.query, pop.at_ms));
  card.append(head);
  const tools = el("div", "card-tools");
  const next = spec.action === "settings"
    ? button("Open settings", "primary", actions.openSettings)
    : spec.action === "retry"
      ? button("Try again", "primary", () => actions.retry(pop))
      : button("Edit the id", "primary", actions.editId);
  next.id = "failure-action";
  tools.append(next);
  if (pop.by === "id" && error.kind === "not_found") {
    tools.append(button("Try as shared id", null, () => actions.trySharedId(pop.query)));
  }
  card.append(tools);
  return spec.title + ". " + next.textContent + ".";
}

/**
 * The filled card.
 * @param {any} result a LookupResult
 * @param {import("./values.js").Ctx} ctx
 */
export function renderFilled(result, ctx) {
  const card = result.card;
  const root = shell("filled");

  const head = el("header", "card-head");
  const title = el("h1", card.title_is_name ? "caller" : "caller unnamed", card.title);
  title.id = "caller-title";
  head.append(title);
  if (card.reason) head.append(el("p", "reason", card.reason));
  head.append(meta(result.by, result.query, result.at_ms));
  root.append(head);

  if (card.highlights.length) {
    const strip = el("dl", "highlights");
    strip.setAttribute("aria-label", "Highlights");
    for (const h of card.highlights) {
      const item = el("div", "hl hl-" + h.group);
      const dd = el("dd");
      dd.append(renderValue(h.value, h.label, ctx, 0));
      if (!isSensitive(h.value)) dd.append(copyButton(() => nodeText(h.value), h.label, ctx));
      item.append(el("dt", null, h.label), dd);
      strip.append(item);
    }
    root.append(strip);
  }

  const tools = el("div", "card-tools");
  const copyAll = button("Copy all", null, () => ctx.copy(result.text, "the card"));
  copyAll.id = "copy-all";
  const raw = button(ctx.showRaw ? "Show card" : "Raw JSON", null, () => ctx.toggle("showRaw"));
  raw.id = "toggle-raw";
  raw.setAttribute("aria-pressed", String(ctx.showRaw));
  tools.append(copyAll, raw);
  if (card.empty_count > 0) {
    const empty = button(ctx.showEmpty ? "Hide empty fields" : "Show empty fields (" + card.empty_count + ")", null, () => ctx.toggle("showEmpty"));
    empty.id = "toggle-empty";
    empty.setAttribute("aria-pressed", String(ctx.showEmpty));
    tools.append(empty);
  }
  if (card.studio_url) {
    const studio = button("Open in Agent Studio", "v-link", () => ctx.openLink(card.studio_url));
    studio.title = card.studio_url;
    tools.append(studio);
  }
  root.append(tools);

  if (card.links.length) {
    // The admin's links into the CRM: each button says where it goes.
    const links = el("nav", "card-links");
    links.setAttribute("aria-label", "Open the caller's record");
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
    pre.setAttribute("aria-label", "Raw handoff state");
    root.append(pre);
    return;
  }
  if (card.value_count > 12) {
    const filter = el("input", "filter");
    filter.type = "search";
    filter.id = "field-filter";
    filter.placeholder = "Filter fields";
    filter.setAttribute("aria-label", "Filter fields");
    filter.value = ctx.filterText || "";
    filter.addEventListener("input", () => ctx.setFilter(filter.value));
    root.append(filter);
  }
  if (card.value_count === 0) {
    root.append(el("p", "placeholder", "The voice agent stored no data for this call."));
  } else {
    const body = el("div", "card-body");
    body.append(renderFields(card.fields, ctx, 0));
    root.append(body);
  }
}
