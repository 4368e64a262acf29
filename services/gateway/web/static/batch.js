"use strict";
// The clerk's batch import: tips (tip boxes, leaflets) or programme activities (patrol
// logbooks), as the kind selector says: upload a CSV or XLSX file to POST /api/v1/tips/import
// or /api/v1/activities/import, follow GET /api/v1/imports/{job_id} until the job ends (a
// progress bar, the counts, the rows in error), then, for tips, take the receipts' CSV once.
// The camera registry's import (camera.js) uses the same upload and progress
// (templates/importjob.html).
const FINISHED = ["done", "failed"];
const sheetKind = () => $("#sheet-kind").value;

async function upload(file, path = `/api/v1/${sheetKind()}/import`) {
  // multipart: the browser sets the boundary, so not through api(), which sends JSON
  const form = new FormData();
  form.append("file", file, file.name);
  const response = await fetch(path, { method: "POST", body: form,
    headers: { Authorization: "Bearer " + session.get().token } });
  const body = await response.json().catch(() => null);
  if (response.status === 401) toLogin();
  if (!response.ok) throw new ApiFailure(response.status, body);
  return body.job_id;
}

function showJob(job) {
  const processed = job.done + job.failed;
  const bar = $("#job-progress");
  if (job.total !== null && job.total !== undefined) {
    bar.max = Math.max(1, job.total);
    bar.value = job.total ? processed : 1;
  } else if (processed) {
    bar.removeAttribute("value");  // the total is known once the whole file was read
  }
  $("#n-total").textContent = job.total ?? "–";
  $("#n-done").textContent = job.done;
  $("#n-failed").textContent = job.failed;
  $("#n-already").textContent = job.already_imported;
  const state = T["st_" + job.status] || job.status;
  $("#job-state").textContent = job.total != null ? `${state}: ${processed}/${job.total} ${T.rows}`
    : `${state}: ${processed} ${T.rows}`;
  $("#errors tbody").replaceChildren(...job.errors.map((e) => {
    const { name, text } = fieldFailure(e);  // the row's error in the page's language, by its code
    return el("tr", {}, el("td", { textContent: e.row }), el("td", { title: e.field, textContent: name }),
      el("td", { textContent: text, title: e.reason }));
  }));
  $("#errors-none").hidden = job.errors.length > 0 || !FINISHED.includes(job.status);
  const more = job.errors_total - job.errors.length;
  $("#errors-more").hidden = more <= 0;
  $("#errors-more").textContent = `${T.errors_more} ${more}`;
  if ($("#receipts-box")) $("#receipts-box").hidden = job.kind !== "tips" || job.status !== "done" || job.done === 0;
  if (job.status === "failed") say(`${T.st_failed}: ${T.failed_file}`, true);
}

async function follow(jobId) {
  for (;;) {
    const job = await api("GET", `/api/v1/imports/${encodeURIComponent(jobId)}`);
    showJob(job);
    if (FINISHED.includes(job.status)) return job;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function downloadReceipts(jobId) {
  const response = await api("GET", `/api/v1/imports/${encodeURIComponent(jobId)}/receipts`, null, true);
  const link = el("a", { href: URL.createObjectURL(await response.blob()), download: `bien-nhan-${jobId}.csv` });
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  say(T.receipts_taken);
}

function kindSelector() {
  const select = $("#sheet-kind");
  const show = () => {
    for (const hint of document.querySelectorAll("[data-kind]")) hint.hidden = hint.dataset.kind !== select.value;
  };
  if (new URLSearchParams(location.search).get("kind") === "activities") select.value = "activities";
  select.addEventListener("change", show);
  show();
}

function batchPage() {
  if (!staffHeader()) return;
  kindSelector();
  const form = $("#upload");
  let jobId = null;
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!form.reportValidity()) return;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    say(T.uploading);
    try {
      jobId = await upload(form.elements.file.files[0]);
      $("#job-id").textContent = jobId;
      $("#job-progress").removeAttribute("value");
      $("#job").hidden = false;
      $("#job").focus();
      say("");
      const job = await follow(jobId);
      const imported = job.kind === "activities" ? T.imported_activities : T.imported;
      if (job.status === "done") say(`${T.finished}: ${job.done} ${imported}, ${job.failed} ${T.in_error}`);
    } catch (err) { sayFailure(err, form); } finally { button.disabled = false; }
  });
  $("#receipts").addEventListener("click", async (e) => {
    e.preventDefault();
    try { await downloadReceipts(jobId); } catch (err) {
      if (err.status === 410 || err.status === 409) say(T.receipts_gone, true); else sayFailure(err);
    }
  });
  form.elements.file.focus();
}

if (document.body.dataset.page === "batch") batchPage();
