// The page's only way out: the app's own commands, through Tauri's IPC, and the app's messages
// as the answers to one of them. Errors come back as { kind, message, correlation_id } from
// Rust; anything else is normalised to that.

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

/** @type {Map<string, (payload: any) => void>} */
const handlers = new Map();

/**
 * Handles the app's messages named `name` (`pop`, `refused`, `profiles-changed`,
 * `settings-changed`) once {@link listen} has started.
 * @param {string} name
 * @param {(payload: any) => void} handler
 */
export function on(name, handler) {
  handlers.set(name, handler);
}

/**
 * Starts taking the app's messages: from now on, in order. One `page_events` call is always
 * open; Rust answers it with the next messages as soon as there are any (or with none after a
 * while), and the page asks again. Messages come as a command's answers rather than as Tauri
 * events, which would start a script engine in the window's process just to deliver them.
 * Resolves once listening, so what happens after it is heard.
 */
export async function listen() {
  let after = (await call("page_events", { after: null })).next;
  (async () => {
    for (;;) {
      try {
        const batch = await call("page_events", { after });
        after = batch.next;
        for (const event of batch.events) deliver(event);
      } catch {
        // Not expected (the command cannot fail); a pause keeps a broken call from spinning.
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  })();
}

/**
 * One message to its handler; a handler's failure does not stop the ones after it.
 * @param {{ kind: string, payload?: any }} event
 */
function deliver(event) {
  const handler = handlers.get(event.kind);
  if (!handler) return;
  try {
    handler(event.payload);
  } catch (e) {
    console.error(e);
  }
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
