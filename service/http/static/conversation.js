"use strict";
// Follow-up questions on the page. The tab keeps the questions answered so far; the next question is sent
// with them to POST /v1/chat/completions, whose `briefqa` field is the same answer /v1/ask gives, so
// "And Japan?" or "When will it be operational?" is understood in context. "New conversation" forgets them.

const conversation = [];

function askInContext(payload) {
  if (!conversation.length) return null;
  const messages = conversation.map(q => ({ role: "user", content: q }));
  messages.push({ role: "user", content: payload.question });
  const model = payload.answerer === "llm" ? "briefqa-llm" : "briefqa";
  const request = { model, messages, top_k: payload.top_k, mode: payload.mode };
  return call("/v1/chat/completions", { method: "POST", body: JSON.stringify(request) }).then(r => r.briefqa);
}

function showConversation() {
  const box = document.getElementById("conversation");
  box.hidden = conversation.length === 0;
  document.getElementById("earlier").replaceChildren(...conversation.map(q => el("li", { text: q })));
}

function remember(question, body) {
  const answered = document.getElementById("answered");
  answered.hidden = body.question === question;
  answered.textContent = answered.hidden ? "" : `Answered as: ${body.question}`;
  conversation.push(question);
  showConversation();
}

function newConversation() {
  conversation.length = 0;
  showConversation();
  document.getElementById("answered").hidden = true;
  document.getElementById("question").focus();
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("new-conversation").addEventListener("click", newConversation);
});
