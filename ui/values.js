// One renderer per kind of value the core emits (screenpop_core::card::Scalar). A kind this page
// does not know yet is shown as its text, never as nothing. Caller data only ever goes in as
// text; links open through Rust, which only opens http(s).

import { el } from "./dom.js";
import { dateFormat, locale, t } from "./i18n.js";

/**
 * @typedef {{ kind: string, [field: string]: any }} Scalar
 * @typedef {{ copy: (text: string, what: string) => void, openLink: (url: string) => void,
 *   reveal: (path: string) => Promise<Scalar>, showEmpty: boolean, showRaw: boolean, filter: string, filterText: string,
 *   toggle: (what: "showEmpty" | "showRaw") => void, setFilter: (text: string) => void }} Ctx
 */

/**
 * An ISO date or date-time in the agent's locale; the value as sent if it does not parse.
 * @param {Scalar} value
 */
function formatDate(value) {
  if (value.date_only) {
    const [y, m, d] = String(value.iso).split("-").map(Number);
    const local = new Date(y, m - 1, d);
    return Number.isNaN(local.getTime()) ? value.iso : dateFormat("date").format(local);
  }
  const at = new Date(value.iso);
  return Number.isNaN(at.getTime()) ? value.iso : dateFormat("dateTime").format(at);
}

/** @type {Record<string, (value: Scalar, ctx: Ctx) => any>} */
export const RENDERERS = {
  empty: () => el("span", "v-empty", t("value.empty")),
  bool: (v) => el("span", v.value ? "v-bool yes" : "v-bool no", t(v.value ? "value.yes" : "value.no")),
  number: (v) => el("span", "v-number", v.text),
  text: (v) => el("span", "v-text", v.text),
  // A code (billing_queue) as the core read it ("Billing queue"); the code itself, which copies
  // keep, on hover.
  code: (v) => {
    const c = el("span", "v-text v-code", v.words);
    c.title = v.text;
    return c;
  },
  phone: (v) => {
    const p = el("span", "v-phone", v.text);
    p.title = t("value.phone_title", { dial: v.dial });
    return p;
  },
  email: (v) => el("span", "v-email", v.text),
  link: (v, ctx) => {
    const a = el("button", "v-link", v.url);
    a.type = "button";
    a.title = t("value.link_title", { url: v.url });
    a.addEventListener("click", () => ctx.openLink(v.url));
    return a;
  },
  date_time: (v) => {
    const t = el("time", "v-date", formatDate(v));
    t.dateTime = v.iso;
    t.title = v.iso;
    return t;
  },
  lines: (v) => {
    const ul = el("ul", "v-lines");
    for (const line of v.lines) ul.append(el("li", null, line));
    return ul;
  },
  money: (v) => el("span", "v-money", formatMoney(v)),
  // Masked until the agent asks; the value comes from Rust then, for this card only.
  sensitive: (v, ctx) => {
    const span = el("span", "v-sensitive");
    const hidden = el("span", "v-hidden", "••••");
    hidden.setAttribute("aria-label", t("value.hidden"));
    const reveal = el("button", "reveal", t("value.reveal"));
    reveal.type = "button";
    reveal.addEventListener("click", () => {
      reveal.disabled = true;
      ctx.reveal(v.path).then((value) => {
        span.replaceChildren(renderScalar(value, ctx));
      }, () => {
        reveal.disabled = false;
      });
    });
    span.append(hidden, reveal);
    return span;
  },
};

/**
 * An amount in its currency, in the agent's locale; as sent if the currency is unknown.
 * @param {Scalar} value
 */
function formatMoney(value) {
  const amount = Number(value.amount);
  try {
    if (Number.isFinite(amount)) {
      return new Intl.NumberFormat(locale(), { style: "currency", currency: value.currency }).format(amount);
    }
  } catch {
    // An ISO code this engine does not know: shown as the data has it.
  }
  return value.amount + " " + value.currency;
}

/**
 * The first text a value of an unknown kind carries, so it is never blank.
 * @param {Scalar} value
 */
function fallbackText(value) {
  for (const key of ["text", "url", "iso", "value"]) {
    if (value[key] !== undefined && value[key] !== null) return String(value[key]);
  }
  return JSON.stringify(value);
}

/**
 * A scalar value as an element.
 * @param {Scalar} value
 * @param {Ctx} ctx
 */
export function renderScalar(value, ctx) {
  const render = Object.prototype.hasOwnProperty.call(RENDERERS, value.kind) ? RENDERERS[value.kind] : null;
  return render ? render(value, ctx) : el("span", "v-text", fallbackText(value));
}

/**
 * Whether a node is one sensitive value (copied only once revealed, never with the card).
 * @param {any} node
 */
export function isSensitive(node) {
  return node.node === "value" && node.value.kind === "sensitive";
}
