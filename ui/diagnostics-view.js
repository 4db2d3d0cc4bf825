// Diagnostics in Settings: the seat's health check (the checks `screenpop doctor` runs), shown
// as the same text, which the agent copies for the helpdesk. It never holds a key or caller data.

import { call } from "./api.js";
import { $, copy } from "./dom.js";

async function run() {
  $("diag-status").textContent = "Checking…";
  $("diag-status").className = "status";
  $("diag-run").disabled = true;
  try {
    const report = await call("diagnostics");
    $("diag-text").textContent = report.text;
    $("diag-text").hidden = false;
    $("diag-copy").hidden = false;
    $("diag-status").textContent = report.ok ? "A pop would work." : "A pop would not work: see the lines marked FAIL.";
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
  $("diag-copy").addEventListener("click", () => copy($("diag-text").textContent, "the report"));
}
