// briefqa page: ask, show the answer with [n] links, show each cited passage highlighted in its document.
// All document and answer text goes into the page as text nodes (textContent), never as HTML.
"use strict";

const CONTEXT_CHARS = 300;
const KEY_STORAGE = "briefqa.apiKey";
const docCache = new Map(); // doc_id -> Promise of the document JSON

function $(id) { return document.getElementById(id); }

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) {
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

function headers() {
  const h = { "content-type": "application/json" };
  const key = sessionStorage.getItem(KEY_STORAGE);
  if (key) h["X-API-Key"] = key;
  return h;
}

class HttpError extends Error {
  constructor(status, detail) { super(detail); this.status = status; }
}

function describe(detail) {
  if (Array.isArray(detail)) {
    return detail.map(d => `${(d.loc || []).slice(1).join(".") || "request"}: ${d.msg}`).join("; ");
  }
  return typeof detail === "string" ? detail : JSON.stringify(detail);
}

async function call(url, options) {
  const response = await fetch(url, { ...options, headers: headers() });
  let body = null;
  try { body = await response.json(); } catch (_) { body = null; }
  if (!response.ok) {
    const detail = body && body.detail !== undefined ? describe(body.detail) : response.statusText;
    throw new HttpError(response.status, detail || `HTTP ${response.status}`);
  }
  return body;
}

function docUrl(docId) {
  return "/v1/documents/" + docId.split("/").map(encodeURIComponent).join("/");
}

function getDocument(docId) {
  if (!docCache.has(docId)) {
    const p = call(docUrl(docId), { method: "GET" });
    p.catch(() => docCache.delete(docId));
    docCache.set(docId, p);
  }
  return docCache.get(docId);
}

// A document's own **emphasis** as <strong>, the markers hidden: text nodes for `text`, starting in
// bold when `state.bold`; `state` carries on to the next piece of the same document text.
function emphasised(text, state) {
  const out = [];
  text.split("**").forEach((piece, i) => {
    if (i > 0) state.bold = !state.bold;
    if (piece) out.push(state.bold ? el("strong", { class: "emphasis", text: piece }) : document.createTextNode(piece));
  });
  return out;
}

// The short answer (factoid questions), highlighted, with its [n]
function renderShort(body) {
  const box = $("short");
  const s = body.short_answer;
  box.hidden = !s;
  if (!s) return;
  box.replaceChildren(el("span", { class: "label", text: "Short answer: " }), el("mark", { class: "short", text: s.text }),
                      document.createTextNode(" "), el("a", { href: `#passage-${s.citation}`, class: "cite", text: `[${s.citation}]` }));
}

// Why the documents do not answer: the server's explanation of its reason (one definition, in core/records.py)
function abstentionNote(a) {
  if (!a) return "";
  const missing = a.reason === "missing_terms" && (a.missing_terms || []).length ? ": " + a.missing_terms.join(", ") : "";
  return `Reason: ${a.explanation || a.reason}${missing}.`;
}

// A list answer: its introducing sentence, then the items as bullets (nested under their parent), each with its [n]
function renderList(body) {
  const box = $("answer");
  box.replaceChildren();
  const cites = s => s.citations.flatMap(n => [document.createTextNode(" "),
    el("a", { href: `#passage-${n}`, class: "cite", "data-n": String(n), text: `[${n}]` })]);
  const lists = [];
  for (const s of body.sentences) {
    if (!s.depth) { box.append(el("p", { class: "intro" }, s.text, ...cites(s))); lists.length = 0; continue; }
    while (lists.length < s.depth) {
      const ul = el("ul", { class: "items" });
      (lists.length ? lists[lists.length - 1].lastElementChild || lists[lists.length - 1] : box).append(ul);
      lists.push(ul);
    }
    lists.length = s.depth;
    lists[s.depth - 1].append(el("li", {}, s.text, ...cites(s)));
  }
  if (body.list_note) box.append(el("p", { class: "list-note", text: `Note: ${body.list_note}.` }));
}

// "text **bold** [1][2] more" -> text nodes, <strong> for **…**, <a href="#passage-n"> for [n]
function renderAnswer(text, count, short) {
  const box = $("answer");
  box.replaceChildren();
  const parts = text.split(/(\[\d+\])/);
  let bold = false;
  for (const part of parts) {
    const marker = part.match(/^\[(\d+)\]$/);
    if (marker && Number(marker[1]) >= 1 && Number(marker[1]) <= count) {
      const n = marker[1];
      box.append(el("a", { href: `#passage-${n}`, class: "cite", "data-n": n, text: `[${n}]` }));
      continue;
    }
    part.split("**").forEach((piece, i) => {
      if (i > 0) bold = !bold;
      if (!piece) return;
      const at = short ? piece.indexOf(short) : -1;
      const nodes = at < 0 ? [document.createTextNode(piece)]
        : [document.createTextNode(piece.slice(0, at)), el("mark", { class: "short", text: short }),
           document.createTextNode(piece.slice(at + short.length))];
      if (at >= 0) short = null;  // highlight its first occurrence only
      box.append(...(bold ? [el("strong", {}, ...nodes)] : nodes));
    });
  }
}

function contextOf(text, start, end) {
  let from = Math.max(0, start - CONTEXT_CHARS);
  let to = Math.min(text.length, end + CONTEXT_CHARS);
  // start and stop the context at whitespace, not inside a word
  if (from > 0) { const ws = text.slice(from, start).search(/\s/); if (ws >= 0) from += ws + 1; }
  if (to < text.length) { const ws = text.slice(end, to).search(/\s\S*$/); if (ws >= 0) to = end + ws; }
  return {
    before: (from > 0 ? "…" : "") + text.slice(from, start),
    span: text.slice(start, end),
    after: text.slice(end, to) + (to < text.length ? "…" : ""),
  };
}

function passageItem(c, cited) {
  const where = [c.section || "(before the first heading)"];
  if (c.page !== null && c.page !== undefined) where.push(`page ${c.page}`);
  if (c.ocr) where.push(`read by OCR, confidence ${Math.round((c.ocr_confidence || 0) * 100)}%`);
  where.push(`characters ${c.start}–${c.end}`);
  const body = el("blockquote", { class: "context" }, el("mark", { text: c.text }));
  const item = el("li", { id: `passage-${c.n}`, class: cited ? "passage cited" : "passage" },
    el("div", { class: "passage-head" },
      el("span", { class: "num", text: `[${c.n}]` }),
      el("span", { class: "title", text: c.title || c.doc_id })),
    el("div", { class: "where", text: where.join(" · ") }),
    ...(c.table ? [rowTable(c.table)] : []),
    body);
  fillContext(c, body);
  return item;
}

// A cited table row (or rows) as a table, its column headers above it
function rowTable(table) {
  return el("table", { class: "cited-rows" },
    el("thead", {}, el("tr", {}, ...table.headers.map(h => el("th", { scope: "col", text: h })))),
    el("tbody", {}, ...table.rows.map(row => el("tr", {}, ...row.map(cell => el("td", { text: cell }))))));
}

async function fillContext(c, body) {
  try {
    const doc = await getDocument(c.doc_id);
    const ctx = contextOf(doc.text, c.start, c.end);
    const state = { bold: false };
    body.replaceChildren(...emphasised(ctx.before, state), markSpan(ctx.span, c.quoted || [], state),
                         ...emphasised(ctx.after, state));
    if (ctx.span !== c.text) {
      body.after(el("p", { class: "warning", text: "The document's text at these offsets differs from the passage." }));
    }
  } catch (err) {
    body.after(el("p", { class: "hint", text: `Surrounding text unavailable: ${err.message}` }));
  }
}

// The passage in <mark>; inside it, the answer sentences copied from it in <strong> (matched ignoring
// whitespace and ** emphasis, since answer sentences are cleaned copies).
function markSpan(span, sentences, state = { bold: false }) {
  const found = [];
  for (const sentence of sentences) {
    if (!sentence.trim()) continue;
    const m = sentencePattern(sentence).exec(span);
    if (m) found.push([m.index, m.index + m[0].length]);
  }
  found.sort((a, b) => a[0] - b[0]);
  const mark = el("mark");
  let at = 0;
  for (const [s, e] of found) {
    if (s < at) continue;
    mark.append(...emphasised(span.slice(at, s), state), el("strong", { class: "quoted" }, ...emphasised(span.slice(s, e), state)));
    at = e;
  }
  mark.append(...emphasised(span.slice(at), state));
  return mark;
}

// A sentence as a pattern that lets `**` appear anywhere and any whitespace stand for any whitespace.
function sentencePattern(sentence) {
  const chars = [...sentence.replace(/\*\*/g, "").trim()];
  const parts = chars.map(ch => /\s/.test(ch) ? "[\\s*]+" : ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "(?:\\*\\*)?");
  return new RegExp(parts.join("").replace(/(\[\\s\*\]\+)+/g, "[\\s*]+"), "u");
}

// answer text -> {n: [sentence, ...]}: which answer sentences cite passage n
function quotedBy(answer) {
  const out = {};
  for (const m of answer.matchAll(/(.+?)\s((?:\[\d+\])+)(?=\s|$)/g)) {
    for (const n of m[2].match(/\d+/g)) (out[n] = out[n] || []).push(m[1].trim());
  }
  return out;
}

function quotedBySentences(sentences) {
  const out = {};
  for (const s of sentences) for (const n of s.citations) (out[n] = out[n] || []).push(s.text);
  return out;
}

function citedNumbers(answer) {
  return new Set([...answer.matchAll(/\[(\d+)\]/g)].map(m => Number(m[1])));
}

function renderResult(body) {
  $("result").hidden = false;
  const box = $("answer");
  box.classList.toggle("abstained", body.abstained);
  if (body.abstained) {
    box.replaceChildren(el("strong", { text: "No answer. " }), document.createTextNode(body.answer),
                        el("span", { class: "reason", text: " " + abstentionNote(body.abstention) }));
  } else if ((body.sentences || []).some(s => s.depth > 0)) {
    renderList(body);
  } else {
    renderAnswer(body.answer, body.citations.length, body.short_answer && body.short_answer.text);
  }
  renderShort(body);
  const t = body.timings_ms || {};
  const total = Object.values(t).reduce((a, b) => a + b, 0);
  const sure = body.abstained || body.confidence === undefined ? "" : `confidence ${body.confidence.toFixed(2)} · `;
  $("meta").textContent = `${sure}index ${body.index_version} · ${total.toFixed(0)} ms`;
  const cited = citedNumbers(body.answer);
  const quotes = body.abstained ? {} : (body.sentences && body.sentences.length ? quotedBySentences(body.sentences)
                                                                               : quotedBy(body.answer));
  const shown = (body.abstained ? body.citations : body.citations.filter(c => cited.has(c.n)))
    .map(c => ({ ...c, quoted: quotes[c.n] || [] }));
  $("passages-heading").textContent = body.abstained ? "Closest passages (none answers the question)" : "Cited passages";
  $("passages").replaceChildren(...shown.map(c => passageItem(c, !body.abstained)));
}

function askForKey(message) {
  $("key-box").hidden = false;
  $("api-key").focus();
  $("status").textContent = message;
}

async function ask(event) {
  event.preventDefault();
  const question = $("question").value.trim();
  if (!question) { $("status").textContent = "Type a question first."; return; }
  const typed = $("api-key").value.trim(); // Enter in the key field submits the form: use what was typed
  if (typed && typed !== sessionStorage.getItem(KEY_STORAGE)) { sessionStorage.setItem(KEY_STORAGE, typed); docCache.clear(); }
  const payload = { question, mode: $("mode").value, top_k: Number($("top-k").value) || 5, answerer: $("answerer").value };
  $("status").textContent = "Asking…";
  $("ask-button").disabled = true;
  try {
    const inContext = askInContext(payload);  // conversation.js: a follow-up goes with the earlier questions
    const body = inContext ? await inContext : payload.answerer === "llm" ? await askStream(payload)  // llm.js
      : await call("/v1/ask", { method: "POST", body: JSON.stringify(payload) });
    $("status").textContent = "";
    renderResult(body);
    renderChecks(body);
    remember(question, body);
  } catch (err) {
    if (err.status === 401) askForKey("This server needs an API key: enter it above, then ask again.");
    else if (err.status === 403) askForKey(`The key was refused: ${err.message}`);
    else $("status").textContent = `Error${err.status ? " " + err.status : ""}: ${err.message}`;
  } finally {
    $("ask-button").disabled = false;
  }
}

function saveKey() {
  const key = $("api-key").value.trim();
  if (key) sessionStorage.setItem(KEY_STORAGE, key); else sessionStorage.removeItem(KEY_STORAGE);
  docCache.clear();
  loadAnswerers();
  $("status").textContent = key ? "Key saved for this tab; ask again." : "Key cleared.";
}

document.addEventListener("DOMContentLoaded", () => {
  $("ask-form").addEventListener("submit", ask);
  $("key-save").addEventListener("click", saveKey);
  if (sessionStorage.getItem(KEY_STORAGE)) $("key-box").hidden = false;
  loadAnswerers();
  const q = new URLSearchParams(location.search).get("q");
  if (q) { $("question").value = q; $("ask-form").requestSubmit(); }
});
