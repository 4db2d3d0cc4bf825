// The agent's language on the page. Rust chooses it (the setting, the policy, the system locale)
// and sends its catalogue and locale with `app_info`; this formats the messages and puts the
// words into the page. Messages are ICU MessageFormat, the subset the catalogue tests accept:
// `{name}` placeholders and `{n, plural, =0 {…} one {…} other {…}}` with `#` for the number.

/** @type {Record<string, string>} */
let messages = {};
let tag = "en";
let plurals = new Intl.PluralRules("en");
/** @type {Record<string, Intl.DateTimeFormat | Intl.NumberFormat>} */
let formats = {};

/**
 * Takes the language Rust chose and words the page's fixed text in it.
 * @param {{ language: string, locale: string, messages: Record<string, string> }} language
 */
export function useLanguage(language) {
  messages = language.messages;
  tag = usable(language.locale) || usable(language.language) || "en";
  plurals = new Intl.PluralRules(tag);
  formats = {};
  document.documentElement.lang = tag;
  for (const node of document.querySelectorAll("[data-i18n]")) {
    node.textContent = t(/** @type {HTMLElement} */ (node).dataset.i18n || "");
  }
  for (const attr of ["placeholder", "title", "aria-label"]) {
    for (const node of document.querySelectorAll(`[data-i18n-${attr}]`)) {
      node.setAttribute(attr, t(node.getAttribute(`data-i18n-${attr}`) || ""));
    }
  }
}

/**
 * A locale `Intl` accepts, or null.
 * @param {string} locale
 */
function usable(locale) {
  try {
    return Intl.getCanonicalLocales(locale)[0] || null;
  } catch {
    return null;
  }
}

/** The locale dates, times and numbers follow. */
export function locale() {
  return tag;
}

/**
 * A formatter of the locale, made once per language.
 * @param {"date" | "dateTime" | "time"} kind
 * @returns {Intl.DateTimeFormat}
 */
export function dateFormat(kind) {
  const options = /** @type {Record<string, Intl.DateTimeFormatOptions>} */ ({
    date: { dateStyle: "medium" },
    dateTime: { dateStyle: "medium", timeStyle: "short" },
    time: { timeStyle: "medium" },
  })[kind];
  return /** @type {Intl.DateTimeFormat} */ (formats[kind] ||= new Intl.DateTimeFormat(tag, options));
}

/**
 * The message `key` in the agent's language, its placeholders filled from `args`. Before the
 * catalogue has come (the page could not start), the key and the facts, never nothing.
 * @param {string} key
 * @param {Record<string, unknown>} [args]
 */
export function t(key, args) {
  const message = messages[key];
  if (message === undefined) return [key, ...Object.values(args || {})].join(" ");
  return format(message, args || {}, null);
}

/**
 * What refused the agent's input (Rust's `Message`), in their language: its facts as they are,
 * the things it names worded first, then its hint.
 * @param {{ key: string, args: Record<string, string>, words: Record<string, string>, hint: string | null }} refusal
 */
export function refusalText(refusal) {
  /** @type {Record<string, unknown>} */
  const args = { ...refusal.args };
  for (const [name, key] of Object.entries(refusal.words || {})) args[name] = t(key);
  const said = t(refusal.key, args);
  return refusal.hint ? said + " " + t(refusal.hint, args) : said;
}

/**
 * @param {string} message
 * @param {Record<string, unknown>} args
 * @param {number | null} count the number `#` stands for, inside a plural
 */
function format(message, args, count) {
  let out = "";
  for (let i = 0; i < message.length; i++) {
    const c = message[i];
    if (c === "#" && count !== null) {
      out += count.toLocaleString(tag);
    } else if (c === "{") {
      const end = closing(message, i);
      out += argument(message.slice(i + 1, end), args);
      i = end;
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * Where the brace opened at `open` closes.
 * @param {string} text
 * @param {number} open
 */
function closing(text, open) {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return i;
  }
  return text.length;
}

/**
 * One `{…}`: a placeholder, or a plural picking its branch by the number and the language.
 * @param {string} inner
 * @param {Record<string, unknown>} args
 */
function argument(inner, args) {
  const [name, kind] = inner.split(",", 2).map((s) => s.trim());
  const value = args[name];
  if (kind !== "plural") return value === undefined || value === null ? "" : String(value);
  const n = Number(value);
  const branches = new Map();
  const rest = inner.slice(inner.indexOf(",", inner.indexOf(",") + 1) + 1);
  for (let i = 0; i < rest.length;) {
    const open = rest.indexOf("{", i);
    if (open < 0) break;
    const end = closing(rest, open);
    branches.set(rest.slice(i, open).trim(), rest.slice(open + 1, end));
    i = end + 1;
  }
  const branch = branches.get("=" + n) ?? branches.get(plurals.select(n)) ?? branches.get("other") ?? "";
  return format(branch, args, n);
}
