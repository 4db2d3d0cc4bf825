// Small DOM helpers shared by the views. Text only ever goes in through textContent.

/**
 * The element with this id.
 * @param {string} id
 * @returns {any}
 */
export const $ = (id) => document.getElementById(id);

/**
 * Creates an element with a class and optional text.
 * @param {string} tag
 * @param {string | null} [className]
 * @param {unknown} [text]
 * @returns {any}
 */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/**
 * A button with a label.
 * @param {string} label
 * @param {string | null} [className]
 * @param {() => void} [onClick]
 */
export function button(label, className, onClick) {
  const b = el("button", className, label);
  b.type = "button";
  if (onClick) b.addEventListener("click", onClick);
  return b;
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let toastTimer;

/**
 * A short message at the bottom of the window.
 * @param {string} text
 */
export function toast(text) {
  const t = $("toast");
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 1800);
}

/**
 * A message that stays at the top until replaced.
 * @param {string | null} text
 */
export function banner(text) {
  $("banner").textContent = text || "";
  $("banner").hidden = !text;
}

/**
 * Says `text` to screen readers once, through the polite live region: the card itself is not a
 * live region, so a new caller is not read out field by field.
 * @param {string} text
 */
export function announce(text) {
  const region = $("announce");
  // Emptied first, so the same words (the same caller again) are said again.
  region.textContent = "";
  requestAnimationFrame(() => { region.textContent = text; });
}

/**
 * Puts text on the clipboard and says so.
 * @param {string} text
 * @param {string} said what the toast says then, in the agent's language
 */
export async function copy(text, said) {
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
  toast(said);
}

/**
 * Shows one of the two views.
 * @param {"lookup" | "settings"} name
 */
export function showView(name) {
  $("lookup-view").hidden = name !== "lookup";
  $("settings-view").hidden = name !== "settings";
  if (name === "lookup") $("query").focus();
}
