// The card's body: labelled fields, nested sections, lists and tables, with copy buttons.

import { el } from "./dom.js";
import { t } from "./i18n.js";
import { isSensitive, renderScalar } from "./values.js";

/**
 * A copy button for one value.
 * @param {() => string} getText
 * @param {string} label
 * @param {import("./values.js").Ctx} ctx
 */
export function copyButton(getText, label, ctx) {
  const b = el("button", "copy", t("value.copy"));
  b.type = "button";
  b.setAttribute("aria-label", t("value.copy_label", { label }));
  b.addEventListener("click", () => ctx.copy(getText(), t("toast.copied", { what: label })));
  return b;
}

/**
 * A field's value as an element a screen reader reads: WebKit leaves a bare inline value out of
 * the accessibility tree when a copy button sits beside it, so a one-line value goes in a
 * paragraph (lists, sections and tables are their own elements).
 * @param {any} node
 * @param {string} label
 * @param {import("./values.js").Ctx} ctx
 * @param {number} depth
 */
export function renderValue(node, label, ctx, depth) {
  const shown = renderNode(node, label, ctx, depth);
  if (node.node !== "value" || node.value.kind === "lines") return shown;
  const p = el("p", "value");
  p.append(shown);
  return p;
}

/**
 * A node (value, section, list, table) as an element.
 * @param {any} node
 * @param {string} label
 * @param {import("./values.js").Ctx} ctx
 * @param {number} depth
 * @returns {any}
 */
export function renderNode(node, label, ctx, depth) {
  switch (node.node) {
    case "value":
      return renderScalar(node.value, ctx);
    case "section": {
      const details = el("details", "section");
      details.append(el("summary", null, label));
      const fill = () => {
        if (details.dataset.filled) return;
        details.dataset.filled = "1";
        details.append(renderFields(node.fields, ctx, depth + 1));
      };
      // Deep or collapsed sections are built only when opened, so huge data stays quick.
      if (!node.collapsed) {
        details.open = true;
        fill();
      } else {
        details.addEventListener("toggle", fill);
      }
      return details;
    }
    case "list": {
      const ul = el("ul", "v-list");
      node.items.forEach((/** @type {any} */ item, /** @type {number} */ i) => {
        if (item.empty && !ctx.showEmpty) return;
        const li = el("li");
        li.append(renderNode(item, label + " " + (i + 1), ctx, depth + 1));
        ul.append(li);
      });
      return ul;
    }
    case "table": {
      const wrap = el("div", "table-wrap");
      const table = el("table", "v-table");
      const head = el("tr");
      for (const c of node.columns) head.append(el("th", null, c));
      const thead = el("thead");
      thead.append(head);
      const tbody = el("tbody");
      for (const row of node.rows) {
        const tr = el("tr");
        for (const cell of row) {
          const td = el("td");
          if (cell) td.append(renderScalar(cell, ctx));
          tr.append(td);
        }
        tbody.append(tr);
      }
      table.append(thead, tbody);
      wrap.append(table);
      return wrap;
    }
    default:
      return el("span", "v-text", node.text);
  }
}

/**
 * @param {any} field
 * @param {string} filter
 */
function matches(field, filter) {
  const words = field.value.node === "value" && field.value.value.kind === "code" ? field.value.value.words : "";
  return (field.label + " " + field.value.text + " " + words).toLowerCase().includes(filter);
}

/**
 * A list of labelled fields; empty ones only when asked, filtered by `ctx.filter`.
 * @param {any[]} fields
 * @param {import("./values.js").Ctx} ctx
 * @param {number} depth
 */
export function renderFields(fields, ctx, depth) {
  const dl = el("dl", "fields");
  for (const field of fields) {
    if (!ctx.showEmpty && field.value.empty) continue;
    if (ctx.filter && !matches(field, ctx.filter)) continue;
    const row = el("div", "field");
    row.dataset.path = field.path;
    const dt = el("dt", null, field.label);
    const dd = el("dd");
    dd.append(renderValue(field.value, field.label, ctx, depth));
    if (field.value.node === "section") {
      row.classList.add("has-section");
      row.append(dd);
    } else {
      if (!field.value.empty && !isSensitive(field.value)) {
        dd.append(copyButton(() => field.value.text, field.label, ctx));
      }
      row.append(dt, dd);
    }
    dl.append(row);
  }
  return dl;
}
