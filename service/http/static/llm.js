// briefqa page, LLM answerer: offered only when the server has an LLM (GET /v1/answerers); asks through
// POST /v1/ask/stream (server-sent events), shows the draft as it arrives, then the checked answer and
// the sentences the grounding check dropped. Text goes into the page as text nodes only.
"use strict";

async function loadAnswerers() {
  try {
    const body = await call("/v1/answerers", { method: "GET" });
    const hasLlm = body.answerers.includes("llm");
    document.getElementById("answerer-box").hidden = !hasLlm;
    if (!hasLlm) document.getElementById("answerer").value = "extractive";
  } catch (_) {
    document.getElementById("answerer-box").hidden = true; // e.g. a key is needed first: retried after it is saved
  }
}

// "event: name\ndata: {...}" blocks -> [name, parsed data]
function parseEvents(buffer) {
  const blocks = buffer.split("\n\n");
  const rest = blocks.pop();
  const events = blocks.map(block => {
    let name = "message", data = "";
    for (const line of block.split("\n")) {
      if (line.startsWith("event: ")) name = line.slice(7);
      else if (line.startsWith("data: ")) data += line.slice(6);
    }
    return [name, data ? JSON.parse(data) : null];
  });
  return { events, rest };
}

async function askStream(payload) {
  const draft = document.getElementById("draft");
  const response = await fetch("/v1/ask/stream", { method: "POST", headers: headers(), body: JSON.stringify(payload) });
  if (!response.ok) {
    let body = null;
    try { body = await response.json(); } catch (_) { body = null; }
    throw new HttpError(response.status, body && body.detail !== undefined ? describe(body.detail) : response.statusText);
  }
  draft.textContent = "";
  draft.hidden = false;
  document.getElementById("result").hidden = false;
  document.getElementById("answer").replaceChildren();
  document.getElementById("status").textContent = "Retrieving passages…";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    const parsed = parseEvents(buffer);
    buffer = parsed.rest;
    for (const [name, data] of parsed.events) {
      if (name === "passages") document.getElementById("status").textContent = `The LLM is writing from ${data.citations.length} passages…`;
      else if (name === "token") draft.textContent += data.text;
      else if (name === "answer") { draft.hidden = true; return data; }
      else if (name === "error") { draft.hidden = true; throw new HttpError(0, data.detail); }
    }
  }
  draft.hidden = true;
  throw new HttpError(0, "the answer stream ended before the answer");
}

// The note (why an LLM answer fell back) and the generated sentences the grounding check dropped.
function renderChecks(body) {
  const note = document.getElementById("note");
  note.hidden = !body.note;
  note.textContent = body.note ? `Note: ${body.note}.` : "";
  const meta = document.getElementById("meta");
  if (body.answerer) meta.textContent = `${body.answerer === "llm" ? "LLM answer, every sentence checked" : "extractive answer"} · ${meta.textContent}`;
  const dropped = body.dropped || [];
  const box = document.getElementById("dropped-box");
  box.hidden = dropped.length === 0;
  document.getElementById("dropped-summary").textContent = `${dropped.length} generated sentence(s) dropped by the grounding check`;
  document.getElementById("dropped").replaceChildren(...dropped.map(d => {
    const why = d.score === null || d.score === undefined ? d.reason : `${d.reason}, support ${d.score.toFixed(2)}`;
    return el("li", { class: "dropped-sentence" }, el("s", { text: d.text }), ` — ${why}`);
  }));
}
