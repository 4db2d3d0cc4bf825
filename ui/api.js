// The page's only way out: the app's own commands and events, through Tauri's IPC. Errors come
// back as { kind, message, correlation_id } from Rust; anything else is normalised to that.

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
    return { kind: String(o.kind || "unknown"), message: String(o.message), correlation_id: o.correlation_id || null };
  }
  return { kind: "unknown", message: String(e) };
}
