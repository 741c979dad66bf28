// briefqa page, Documents panel: list the documents, upload by picker or drag-and-drop (with an upload
// progress bar), follow the index job until the new version is live, delete with a confirmation.
// Changes need the server's admin key, kept for this browser tab only (sessionStorage).
"use strict";

(function () {
  const ADMIN_STORAGE = "briefqa.adminKey";
  const READ_STORAGE = "briefqa.apiKey";
  const byId = id => document.getElementById(id);

  function keyHeaders() {
    const key = sessionStorage.getItem(ADMIN_STORAGE) || sessionStorage.getItem(READ_STORAGE);
    return key ? { "X-API-Key": key } : {};
  }

  function detailOf(body, status) {
    if (body && typeof body.detail === "string") return body.detail;
    if (body && Array.isArray(body.detail)) return body.detail.map(d => d.msg).join("; ");
    return `HTTP ${status}`;
  }

  async function getJson(url, options) {
    const response = await fetch(url, { ...(options || {}), headers: keyHeaders() });
    let body = null;
    try { body = await response.json(); } catch (_) { body = null; }
    if (!response.ok) throw new Error(detailOf(body, response.status));
    return body;
  }

  function say(text, kind) {
    const line = byId("doc-status");
    line.textContent = text;
    line.className = "status" + (kind ? " " + kind : "");
  }

  function cell(text) { const td = document.createElement("td"); td.textContent = text; return td; }

  function when(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleString();
  }

  async function refresh() {
    const body = byId("doc-rows");
    try {
      const list = await getJson("/v1/documents");
      body.replaceChildren();
      for (const doc of list.documents) {
        const row = document.createElement("tr");
        row.dataset.docId = doc.doc_id;
        row.append(cell(doc.title), cell(doc.format || ""), cell(doc.pages == null ? "" : String(doc.pages)),
                   cell(doc.passages == null ? "" : String(doc.passages)), cell(when(doc.indexed_at)));
        const actions = document.createElement("td");
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "doc-delete secondary";
        remove.textContent = "Delete";
        remove.setAttribute("aria-label", `Delete ${doc.doc_id}`);
        remove.addEventListener("click", () => removeDocument(doc.doc_id));
        actions.append(remove);
        row.append(actions);
        row.title = doc.doc_id;
        body.append(row);
      }
      byId("doc-version").textContent = `index version ${list.index_version}`;
    } catch (err) {
      say(`Could not list the documents: ${err.message}`, "warning");
    }
  }

  function showJob(job) {
    const bar = byId("job-progress");
    bar.hidden = job.status === "published" || job.status === "failed";
    if (bar.hidden) byId("upload-progress").hidden = true;
    bar.max = Math.max(job.total, 1);
    bar.value = job.total ? job.done : 0;
    const eta = job.eta_s != null ? `, about ${Math.ceil(job.eta_s)} s left` : "";
    const counts = job.total ? ` ${job.done}/${job.total}` : "";
    if (job.status === "published") say(`Job ${job.job_id}: published, version ${job.index_version} is live.`, "ok");
    else if (job.status === "failed") say(`Job ${job.job_id} failed: ${job.detail}`, "warning");
    else say(`Job ${job.job_id}: ${job.status}, ${job.step}${counts}${eta}`);
    byId("job-state").textContent = job.status;
  }

  async function follow(jobId) {
    for (;;) {
      const job = await getJson(`/v1/jobs/${encodeURIComponent(jobId)}`);
      showJob(job);
      if (job.status === "published" || job.status === "failed") {
        if (typeof docCache !== "undefined") docCache.clear();  // the question page's document cache
        await refresh();
        return job;
      }
      await new Promise(r => setTimeout(r, 400));
    }
  }

  function send(files) {
    if (!files.length) return;
    const form = new FormData();
    for (const f of files) form.append("files", f, f.name);
    const replace = byId("doc-replace").checked ? "?replace=true" : "";
    const xhr = new XMLHttpRequest();
    const bar = byId("upload-progress");
    bar.hidden = false;
    bar.value = 0;
    xhr.upload.onprogress = e => { if (e.lengthComputable) { bar.max = e.total; bar.value = e.loaded; } };
    xhr.onerror = () => say("The upload failed: the server could not be reached.", "warning");
    xhr.onload = () => {
      bar.value = bar.max;
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (_) { body = null; }
      if (xhr.status !== 202) { say(`Upload refused: ${detailOf(body, xhr.status)}`, "warning"); return; }
      showJob(body);
      follow(body.job_id).catch(err => say(err.message, "warning"));
    };
    xhr.open("POST", "/v1/documents" + replace);
    for (const [k, v] of Object.entries(keyHeaders())) xhr.setRequestHeader(k, v);
    say(`Uploading ${files.map(f => f.name).join(", ")}…`);
    xhr.send(form);
  }

  async function removeDocument(docId) {
    if (!window.confirm(`Delete ${docId}? It will no longer be cited; a copy is kept on the server.`)) return;
    try {
      const job = await getJson("/v1/documents/" + docId.split("/").map(encodeURIComponent).join("/"),
                                { method: "DELETE" });
      showJob(job);
      await follow(job.job_id);
    } catch (err) {
      say(`Delete refused: ${err.message}`, "warning");
    }
  }

  function setUp() {
    const zone = byId("drop-zone");
    const picker = byId("doc-files");
    picker.addEventListener("change", () => { send([...picker.files]); picker.value = ""; });
    ["dragenter", "dragover"].forEach(name => zone.addEventListener(name, e => {
      e.preventDefault();
      zone.classList.add("over");
    }));
    ["dragleave", "drop"].forEach(name => zone.addEventListener(name, () => zone.classList.remove("over")));
    zone.addEventListener("drop", e => { e.preventDefault(); send([...e.dataTransfer.files]); });
    const keyInput = byId("admin-key");
    keyInput.value = sessionStorage.getItem(ADMIN_STORAGE) || "";
    byId("admin-key-save").addEventListener("click", () => {
      if (keyInput.value) sessionStorage.setItem(ADMIN_STORAGE, keyInput.value);
      else sessionStorage.removeItem(ADMIN_STORAGE);
      say(keyInput.value ? "Admin key set for this tab." : "Admin key cleared.");
      refresh();
    });
    refresh();
  }

  document.addEventListener("DOMContentLoaded", setUp);
})();
