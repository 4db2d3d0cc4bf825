// The page's only way out: the app's own commands and events, through Tauri's IPC. Errors come
// back as { kind, message, correlation_id, refusal } from Rust; anything else is normalised to
// { kind, message, correlation_id }, a refusal's message worded in the agent's language.

import { refusalText } from "./i18n.js";

const tauri = /** @type {any} */ (window).__TAURI__;

/**
 * @typedef {{ kind: string, message: string, correlation_id?: string | null }} UiError
 */

/**
 * Calls an app command.
 * @param {string} cmd
 * @param {Record<string, unknown>} [args]
 * @returns {Promise<any>}
 */
export async function call(cmd, args) {
  try {
    return await tauri.core.invoke(cmd, args || {});
  } catch (e) {
    throw asError(e);
  }
}

/**
 * Listens to an app event.
 * @param {string} name
 * @param {(payload: any) => void} handler
 */
export function on(name, handler) {
  return tauri.event.listen(name, (/** @type {{ payload: any }} */ ev) => handler(ev.payload));
}

/**
 * Anything thrown, as an error the page can show.
 * @param {unknown} e
 * @returns {UiError}
 */
export function asError(e) {
  if (e && typeof e === "object" && "message" in e) {
    const o = /** @type {any} */ (e);
    const message = o.refusal ? refusalText(o.refusal) : String(o.message);
    return { kind: String(o.kind || "unknown"), message, correlation_id: o.correlation_id || null };
  }
  return { kind: "unknown", message: String(e) };
}
