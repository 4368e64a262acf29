"use strict";
// The officer's cases: the unit's list (GET /cases by status, page by page) and one case's page:
// its facts and history, its tips, its status changes (the moves of verification/cases.py), the
// cameras still holding footage of its tips' places and times (GET /cameras/at-risk?case_id=)
// and the footage extracted for it (GET /extractions?case_id=). The case page also loads
// tipwork.js, for timeLeft().
const CASE_STATUSES = ["open", "clarified", "closed"];
const PAGE_SIZE = 20;
const caseHref = (id) => `/can-bo/vu-viec/${encodeURIComponent(id)}?lang=${LANG}`;
const tipAnchor = (id) => el("a", { href: `/can-bo/tin/${encodeURIComponent(id)}?lang=${LANG}`,
  className: "mono", textContent: id });
const statusText = (status) => label("case_status", status);

function casesPage() {
  if (!staffHeader()) return;
  const form = $("#filters"), query = new URLSearchParams(location.search);
  let page = Math.max(1, Number(query.get("page")) || 1);
  form.elements.status.value = CASE_STATUSES.includes(query.get("status")) ? query.get("status") : "";

  async function load() {
    const status = form.elements.status.value;
    const params = new URLSearchParams({ page: String(page), page_size: String(PAGE_SIZE) });
    if (status) params.set("status", status);
    const shown = new URLSearchParams({ lang: LANG, page: String(page) });
    if (status) shown.set("status", status);
    history.replaceState(null, "", `?${shown}`);  // a reload or "back" shows the same page
    try {
      const found = await api("GET", `/api/v1/cases?${params}`);
      $("#cases tbody").replaceChildren(...found.items.map((c) => el("tr", { className: `case-${c.status}` },
        el("td", {}, el("a", { href: caseHref(c.case_id), textContent: c.title }),
          el("small", { className: "mono", textContent: c.case_id })),
        el("td", { textContent: statusText(c.status) }),
        el("td", { textContent: fmtTime(c.opened_at) }),
        el("td", { className: "num", textContent: String((c.tip_ids || []).length) }),
        el("td", {}, unitText(c.unit_code)))));
      const pages = Math.max(1, Math.ceil(found.total / PAGE_SIZE));
      $("#cases-empty").hidden = found.items.length > 0;
      $("#shown").textContent = `${T.shown}: ${found.total}`;
      $("#paging").hidden = pages === 1;
      $("#page-of").textContent = `${T.page} ${page}/${pages}`;
      $("#prev").disabled = page <= 1;
      $("#next").disabled = page >= pages;
      if (!found.items.length && page > 1) { page = pages; await load(); }  // past the end (cases closed meanwhile)
    } catch (err) { sayFailure(err); }
  }
  form.addEventListener("submit", (e) => { e.preventDefault(); page = 1; load(); });
  $("#prev").addEventListener("click", () => { page -= 1; load(); });
  $("#next").addEventListener("click", () => { page += 1; load(); });
  load();
}

// An API failure next to the form that caused it: the message, then each named field's reason.
function showFormFailure(box, err, lead) {
  box.hidden = false;
  const { note, fields } = failureOf(err);
  box.replaceChildren(...[lead && el("p", { textContent: lead }), el("p", { textContent: note }),
    fields.length && el("ul", {}, ...fields.map((f) => el("li", {}, el("strong", { textContent: f.name }), `: ${f.text}`)))]
    .filter(Boolean));
}

function historyItem(entry, index) {
  const what = entry.tip_ids ? (index === 0 ? T.h_opened : T.h_linked) : `${T.h_status}: ${statusText(entry.status)}`;
  const item = el("li", {}, el("strong", { textContent: what }), ` · ${fmtTime(entry.at)}`,
    el("small", { textContent: (entry.actor && entry.actor.username) || "" }));
  if (entry.tip_ids) item.append(" ", ...entry.tip_ids.flatMap((id) => [tipAnchor(id), " "]));
  if (entry.note) item.append(el("small", { className: "note", textContent: entry.note }));
  return item;
}

// The case's tips, as read (null for one that could not be read: it still shows its id and link).
async function showCaseTips(ids) {
  const body = $("#tips-table tbody");
  if (!ids.length) {
    body.replaceChildren(el("tr", {}, el("td", { colSpan: 4, textContent: T.no_tips })));
    return [];
  }
  const tips = await Promise.all(ids.map((id) => api("GET", `/api/v1/tips/${encodeURIComponent(id)}`).catch(() => null)));
  body.replaceChildren(...ids.map((id, i) => {
    const tip = tips[i];
    return el("tr", {}, el("td", {}, tipAnchor(id)),
      el("td", { textContent: tip ? fmtTime(tip.received_at) : "–" }),
      el("td", { textContent: tip ? label("tip_status", tip.status) : "–" }),
      el("td", {}, el("div", { className: "clamp", textContent: tip ? tip.content : "" })));
  }));
  return tips;
}

async function showCaseAtRisk(caseId, tips) {
  const note = $("#at-risk-note"), table = $("#at-risk-table"), unlocated = $("#at-risk-unlocated");
  if (tips.every((tip) => tip && !tip.location)) {  // asked anyway, the API would answer 422 "no location"
    table.hidden = true;
    note.textContent = T.no_location;
    return;
  }
  try {
    const found = await api("GET", `/api/v1/cameras/at-risk?case_id=${encodeURIComponent(caseId)}`);
    $("#at-risk-table tbody").replaceChildren(...found.items.map((c) => {
      const near = Math.min(...c.covers.map((t) => (t.distance_m === null || t.distance_m === undefined ? Infinity : t.distance_m)));
      const extract = `/camera/trich-xuat?camera=${encodeURIComponent(c.camera_id)}&case=${encodeURIComponent(caseId)}&lang=${LANG}`;
      return el("tr", {},
        el("td", { className: "mono", textContent: c.camera_id }),
        el("td", { textContent: T["owner_" + c.owner.kind] || c.owner.kind }),
        el("td", { className: "num", textContent: Number.isFinite(near) ? `${Math.round(near)} m` : "–" }),
        el("td", { textContent: fmtTime(c.expires_at) }),
        el("td", { className: "countdown", textContent: timeLeft(c.expires_at) }),
        el("td", {}, el("ul", { className: "plain" }, ...c.covers.map((t) => el("li", {}, tipAnchor(t.tip_id),
          el("small", { textContent: `${fmtTime(t.expires_at)}${t.distance_m !== null && t.distance_m !== undefined ? ` · ${Math.round(t.distance_m)} m` : ""}` }))))),
        el("td", {}, el("a", { href: extract, textContent: T.extract, ariaLabel: `${T.extract} ${c.camera_id}` })));
    }));
    table.hidden = !found.items.length;
    note.textContent = found.items.length ? `${T.at_risk_hint} (${found.radius_m} m)` : T.no_cameras;
    const without = found.tips_without_location || [];
    unlocated.hidden = !without.length;
    unlocated.replaceChildren(`${T.unlocated}: `, ...without.flatMap((id) => [tipAnchor(id), " "]));
  } catch (err) {
    table.hidden = true;
    if (err.status === 422) note.textContent = T.no_location;  // no tip of the case has a place: a fact, not an error
    else if (err.status === 403) note.textContent = T.not_allowed;
    else { note.textContent = ""; sayFailure(err); }
  }
}

async function showCaseExtractions(caseId) {
  const note = $("#extractions-note"), table = $("#extractions-table");
  try {
    const found = await api("GET", `/api/v1/extractions?case_id=${encodeURIComponent(caseId)}&page_size=100`);
    $("#extractions-table tbody").replaceChildren(...found.items.map((x) => el("tr", {},
      el("td", {}, el("a", { href: `/camera/trich-xuat/${encodeURIComponent(x.extraction_id)}?lang=${LANG}`,
        className: "mono", textContent: x.extraction_id })),
      el("td", { className: "mono", textContent: x.camera_id }),
      el("td", { textContent: `${fmtTime(x.time_from)} – ${fmtTime(x.time_to)}` }),
      el("td", { textContent: fmtTime(x.extracted_at) }),
      el("td", { textContent: x.extracted_by || "–" }),
      el("td", { className: "num", textContent: String((x.files || []).length) }))));
    table.hidden = !found.items.length;
    note.textContent = found.items.length ? "" : T.no_extractions;
    note.hidden = Boolean(found.items.length);
  } catch (err) {
    note.hidden = false;
    if (err.status === 403) note.textContent = T.not_allowed;
    else { note.textContent = ""; sayFailure(err); }
  }
}

function casePage() {
  if (!staffHeader()) return;
  const caseId = $("#case").dataset.caseId, errors = $("#change-errors");
  let current = null, busy = false;
  async function load() {
    try {
      current = await api("GET", `/api/v1/cases/${encodeURIComponent(caseId)}`);
    } catch (err) { return sayFailure(err); }
    document.title = `${current.title} · ${T.title} · ANTT`;
    $("#case-title").textContent = current.title;
    $("#f-status").textContent = statusText(current.status);
    $("#f-unit").replaceChildren(unitText(current.unit_path || [current.unit_code]));
    $("#f-opened").textContent = fmtTime(current.opened_at);
    $("#f-opened-by").textContent = (current.opened_by && current.opened_by.username) || "–";
    const moves = current.moves || [];  // the server's rules (verification/cases.py)
    for (const button of document.querySelectorAll("[data-to]")) button.hidden = !moves.includes(button.dataset.to);
    $("#change-form").hidden = !moves.length;
    $("#change-final").hidden = moves.length > 0;
    const steps = current.history || [];
    $("#history-list").replaceChildren(...steps.map(historyItem));
    if (!steps.length) $("#history-list").append(el("li", { className: "empty", textContent: T.no_history }));
    $("#case").hidden = false;
    return current;
  }
  for (const button of document.querySelectorAll("[data-to]")) {
    button.addEventListener("click", async () => {
      if (!current || busy) return;
      busy = true;  // not button.disabled: that would take the keyboard's focus away
      errors.hidden = true;
      say("");
      const body = { status: button.dataset.to, note: $("#change-note").value.trim() || null, version: current.version };
      try {
        await api("POST", `/api/v1/cases/${encodeURIComponent(caseId)}/status`, body);
        $("#change-note").value = "";
        say(`${T.status_changed}: ${statusText(body.status)}`);
      } catch (err) { showFormFailure(errors, err, err.status === 409 ? T.conflict : null); }
      await load();
      busy = false;
      if (button.hidden || $("#change-form").hidden) $("#change-title").focus();  // the pressed button went with the old status
    });
  }
  load().then(async (found) => {
    if (!found) return;  // the tips, cameras and footage do not change with the status: read once
    const [tips] = await Promise.all([showCaseTips(found.tip_ids || []), showCaseExtractions(caseId)]);
    await showCaseAtRisk(caseId, tips);
  });
}

({ cases: casesPage, case: casePage })[document.body.dataset.page]();
