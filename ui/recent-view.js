// This session's callers, newest first; picking one shows its card again.

import { call } from "./api.js";
import { $, el, toast } from "./dom.js";
import { dateFormat, t } from "./i18n.js";

/**
 * A line of the list, as Rust sends it (a RecentView, screenpop-page).
 * @typedef {{ title: string, reason: string | null, at_ms: number }} Recent
 */

/** The lines the list shows now, in its order. @type {Recent[]} */
let shown = [];

/**
 * @param {Recent} a
 * @param {Recent} b
 */
function same(a, b) {
  return a.title === b.title && a.reason === b.reason && a.at_ms === b.at_ms;
}

/**
 * How many new lines `entries` has on top of what is shown (the rest being the same lines,
 * moved down), or -1 when it is not that.
 * @param {Recent[]} entries
 * @returns {number}
 */
function newOnTop(entries) {
  for (let added = 0; added <= entries.length; added++) {
    const kept = entries.slice(added);
    if (kept.length <= shown.length && kept.every((r, i) => same(r, shown[i]))) return added;
  }
  return -1;
}

/** @param {Recent} r */
function line(r) {
  const li = el("li");
  const b = el("button", "recent-item");
  b.type = "button";
  b.append(el("span", "recent-name", r.title || t("card.unknown_caller")));
  const when = dateFormat("time").format(new Date(r.at_ms));
  b.append(el("span", "recent-meta", [r.reason, when].filter(Boolean).join(" · ")));
  // Its place when picked, not when drawn: lines above it may have come since.
  b.addEventListener("click", () => {
    const index = Array.prototype.indexOf.call($("recent").children, li);
    call("show_recent", { index }).catch((e) => toast(e.message));
  });
  li.append(b);
  return li;
}

/**
 * Reloads the recent list from Rust. After a pop only the new caller's line is drawn, and the
 * oldest dropped: the page would otherwise build, style and lay out twenty lines again on every
 * pop (measured: a third of what a pop costs the window once its card is painted).
 */
export async function loadRecent() {
  /** @type {Recent[]} */
  const entries = await call("recent");
  const list = $("recent");
  const added = newOnTop(entries);
  if (added < 0) {
    list.replaceChildren(...entries.map(line));
  } else {
    list.prepend(...entries.slice(0, added).map(line));
    while (list.children.length > entries.length) list.lastElementChild?.remove();
  }
  shown = entries;
  $("recent-section").hidden = entries.length === 0;
}
