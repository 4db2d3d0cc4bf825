// Diagnostics in Settings: the seat's health check (the checks `screenpop doctor` runs), shown
// as the same text, which the agent copies for the helpdesk. It never holds a key or caller data.

import { call } from "./api.js";
import { $, copy } from "./dom.js";
import { t } from "./i18n.js";

async function run() {
  $("diag-status").textContent = t("diag.checking");
  $("diag-status").className = "status";
  $("diag-run").disabled = true;
  try {
    const report = await call("diagnostics");
    $("diag-text").textContent = report.text;
    $("diag-text").hidden = false;
    $("diag-copy").hidden = false;
    $("diag-status").textContent = t(report.ok ? "diag.ok" : "diag.fail");
    $("diag-status").className = "status " + (report.ok ? "ok" : "bad");
  } catch (e) {
    $("diag-status").textContent = /** @type {any} */ (e).message;
    $("diag-status").className = "status bad";
  } finally {
    $("diag-run").disabled = false;
  }
}

/** Wires the Diagnostics section. */
export function wireDiagnostics() {
  $("diag-run").addEventListener("click", run);
  $("diag-copy").addEventListener("click", () => copy($("diag-text").textContent, t("toast.copied_report")));
}
