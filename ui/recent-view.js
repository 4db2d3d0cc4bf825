// This session's callers, newest first; picking one shows its card again.

import { call } from "./api.js";
import { $, el, toast } from "./dom.js";
import { dateFormat, t } from "./i18n.js";

/** Reloads the recent list from Rust: a line per caller (a RecentView, screenpop-page). */
export async function loadRecent() {
  const entries = await call("recent");
  const list = $("recent");
  list.replaceChildren();
  entries.forEach((/** @type {any} */ r, /** @type {number} */ index) => {
    const li = el("li");
    const b = el("button", "recent-item");
    b.type = "button";
    b.append(el("span", "recent-name", r.title || t("card.unknown_caller")));
    const when = dateFormat("time").format(new Date(r.at_ms));
    b.append(el("span", "recent-meta", [r.reason, when].filter(Boolean).join(" · ")));
    b.addEventListener("click", () => call("show_recent", { index }).catch((e) => toast(e.message)));
    li.append(b);
    list.append(li);
  });
  $("recent-section").hidden = entries.length === 0;
}
