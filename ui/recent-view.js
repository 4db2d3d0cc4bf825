// This session's callers, newest first; picking one shows its card again.

import { call } from "./api.js";
import { $, el, toast } from "./dom.js";

/** Reloads the recent list from Rust. */
export async function loadRecent() {
  const entries = await call("recent");
  const list = $("recent");
  list.replaceChildren();
  entries.forEach((/** @type {any} */ r, /** @type {number} */ index) => {
    const li = el("li");
    const b = el("button", "recent-item");
    b.type = "button";
    b.append(el("span", "recent-name", r.card.title));
    const when = new Date(r.at_ms).toLocaleTimeString();
    b.append(el("span", "recent-meta", [r.card.reason, when].filter(Boolean).join(" · ")));
    b.addEventListener("click", () => call("show_recent", { index }).catch((e) => toast(e.message)));
    li.append(b);
    list.append(li);
  });
  $("recent-section").hidden = entries.length === 0;
}
