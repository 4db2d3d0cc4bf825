// Renders the caller card computed by the core (screenpop_core::card). Every piece of caller
// data goes in through textContent or a text node: never as HTML, never as a link target the
// page itself follows. Links open through Rust, which only opens http(s).
"use strict";

(function () {
  /** Creates an element with a class and optional text. */
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
  const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

  /** An ISO date or date-time in the agent's locale; the value as sent if it does not parse. */
  function formatDate(value) {
    if (value.date_only) {
      const [y, m, d] = value.iso.split("-").map(Number);
      const local = new Date(y, m - 1, d);
      return Number.isNaN(local.getTime()) ? value.iso : dateFormat.format(local);
    }
    const at = new Date(value.iso);
    return Number.isNaN(at.getTime()) ? value.iso : dateTimeFormat.format(at);
  }

  /** Plain text of a scalar, as it is copied. */
  function plain(value) {
    switch (value.kind) {
      case "empty": return "";
      case "bool": return value.value ? "yes" : "no";
      case "phone": return value.dial;
      case "link": return value.url;
      case "date_time": return value.iso;
      case "lines": return value.lines.join("\n");
      default: return value.text;
    }
  }

  /** A scalar value as an element. `ctx.openLink(url)` opens http(s) links via Rust. */
  function renderScalar(value, ctx) {
    switch (value.kind) {
      case "empty":
        return el("span", "v-empty", "empty");
      case "bool": {
        const b = el("span", value.value ? "v-bool yes" : "v-bool no", value.value ? "Yes" : "No");
        return b;
      }
      case "number":
        return el("span", "v-number", value.text);
      case "phone": {
        const p = el("span", "v-phone", value.text);
        p.title = "Copy gives " + value.dial;
        return p;
      }
      case "email":
        return el("span", "v-email", value.text);
      case "link": {
        const a = el("button", "v-link", value.url);
        a.type = "button";
        a.title = "Open in the browser: " + value.url;
        a.addEventListener("click", () => ctx.openLink(value.url));
        return a;
      }
      case "date_time": {
        const t = el("time", "v-date", formatDate(value));
        t.dateTime = value.iso;
        t.title = value.iso;
        return t;
      }
      case "lines": {
        const ul = el("ul", "v-lines");
        for (const line of value.lines) ul.append(el("li", null, line));
        return ul;
      }
      default:
        return el("span", "v-text", value.text);
    }
  }

  function isEmptyNode(node) {
    switch (node.node) {
      case "value": return node.value.kind === "empty";
      case "section": return node.fields.every((f) => isEmptyNode(f.value));
      case "list": return node.items.every(isEmptyNode);
      default: return false;
    }
  }

  function copyButton(getText, label, ctx) {
    const b = el("button", "copy", "Copy");
    b.type = "button";
    b.setAttribute("aria-label", "Copy " + label);
    b.addEventListener("click", () => ctx.copy(getText(), label));
    return b;
  }

  function nodeText(node) {
    switch (node.node) {
      case "value": return plain(node.value);
      case "section": return node.fields.map((f) => f.label + ": " + nodeText(f.value)).join("\n");
      case "list": return node.items.map(nodeText).join("\n");
      case "table":
        return node.rows.map((r) => r.map((c, i) => (c ? node.columns[i] + ": " + plain(c) : "")).filter(Boolean).join(", ")).join("\n");
      default: return "";
    }
  }

  /** A node (value, section, list, table) as an element. */
  function renderNode(node, label, ctx, depth) {
    switch (node.node) {
      case "value":
        return renderScalar(node.value, ctx);
      case "section": {
        const details = el("details", "section");
        const summary = el("summary", null, label);
        details.append(summary);
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
        node.items.forEach((item, i) => {
          if (isEmptyNode(item) && !ctx.showEmpty) return;
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
        return el("span", "v-text", "");
    }
  }

  /** A list of labelled fields; empty ones only when asked, filtered by `ctx.filter`. */
  function renderFields(fields, ctx, depth) {
    const dl = el("dl", "fields");
    for (const field of fields) {
      if (!ctx.showEmpty && isEmptyNode(field.value)) continue;
      if (ctx.filter && !matches(field, ctx.filter)) continue;
      const row = el("div", "field");
      row.dataset.path = field.path;
      const dt = el("dt", null, field.label);
      const dd = el("dd");
      if (field.value.node === "section") {
        row.classList.add("has-section");
        dd.append(renderNode(field.value, field.label, ctx, depth));
        row.append(dd);
      } else {
        dd.append(renderNode(field.value, field.label, ctx, depth));
        if (!isEmptyNode(field.value)) dd.append(copyButton(() => nodeText(field.value), field.label, ctx));
        row.append(dt, dd);
      }
      dl.append(row);
    }
    return dl;
  }

  function matches(field, filter) {
    const text = (field.label + " " + nodeText(field.value)).toLowerCase();
    return text.includes(filter);
  }

  /** The whole card. */
  function renderCard(result, ctx) {
    const card = result.card;
    const frag = document.createDocumentFragment();

    const head = el("header", "card-head");
    const title = el("h1", card.title_is_name ? "caller" : "caller unnamed", card.title);
    title.id = "caller-title";
    head.append(title);
    const reason = card.highlights.find((h) => h.group === "reason");
    if (reason) {
      const r = el("p", "reason");
      r.append(renderNode(reason.value, reason.label, ctx, 0));
      head.append(r);
    }
    const meta = el("p", "meta");
    meta.append(el("span", null, (result.by === "shared_id" ? "Shared id " : "Conversation id ") + result.query));
    meta.append(el("span", null, new Date(result.at_ms).toLocaleTimeString()));
    head.append(meta);
    frag.append(head);

    const others = card.highlights.filter((h) => h !== reason);
    if (others.length) {
      const strip = el("dl", "highlights");
      strip.setAttribute("aria-label", "Highlights");
      for (const h of others) {
        const item = el("div", "hl hl-" + h.group);
        item.append(el("dt", null, h.label));
        const dd = el("dd");
        dd.append(renderNode(h.value, h.label, ctx, 0));
        dd.append(copyButton(() => nodeText(h.value), h.label, ctx));
        item.append(dd);
        strip.append(item);
      }
      frag.append(strip);
    }

    const tools = el("div", "card-tools");
    const copyAll = el("button", null, "Copy all");
    copyAll.type = "button";
    copyAll.id = "copy-all";
    copyAll.addEventListener("click", () => ctx.copy(result.text, "the card"));
    tools.append(copyAll);
    const raw = el("button", null, ctx.showRaw ? "Show card" : "Raw JSON");
    raw.type = "button";
    raw.id = "toggle-raw";
    raw.setAttribute("aria-pressed", String(ctx.showRaw));
    raw.addEventListener("click", () => ctx.toggle("showRaw"));
    tools.append(raw);
    if (card.empty_count > 0) {
      const empty = el("button", null, ctx.showEmpty ? "Hide empty fields" : "Show empty fields (" + card.empty_count + ")");
      empty.type = "button";
      empty.id = "toggle-empty";
      empty.setAttribute("aria-pressed", String(ctx.showEmpty));
      empty.addEventListener("click", () => ctx.toggle("showEmpty"));
      tools.append(empty);
    }
    if (card.studio_url) {
      const studio = el("button", "v-link", "Open in Agent Studio");
      studio.type = "button";
      studio.title = card.studio_url;
      studio.addEventListener("click", () => ctx.openLink(card.studio_url));
      tools.append(studio);
    }
    frag.append(tools);

    if (ctx.showRaw) {
      const pre = el("pre", "raw", result.raw_json);
      pre.tabIndex = 0;
      pre.setAttribute("aria-label", "Raw handoff state");
      frag.append(pre);
      return frag;
    }

    if (card.value_count > 12) {
      const filter = el("input", "filter");
      filter.type = "search";
      filter.id = "field-filter";
      filter.placeholder = "Filter fields";
      filter.setAttribute("aria-label", "Filter fields");
      filter.value = ctx.filterText || "";
      filter.addEventListener("input", () => ctx.setFilter(filter.value));
      frag.append(filter);
    }

    if (card.value_count === 0) {
      frag.append(el("p", "placeholder", "The voice agent stored no data for this call."));
    } else {
      const body = el("div", "card-body");
      body.append(renderFields(card.fields, ctx, 0));
      frag.append(body);
    }
    return frag;
  }

  window.ScreenpopCard = { renderCard, el };
})();
