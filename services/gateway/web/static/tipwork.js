"use strict";
// The officer's tip page, beyond the facts and the decision (staff.js): the tip's files, the legal clock with its
// countdown and the legal steps (POST /tips/{id}/legal, each with its legal basis), the
// duplicates verification proposes, and the cameras whose footage of the tip's place and time
// will soon be overwritten (GET /cameras/at-risk?tip_id=). staff.js sends "tip-loaded" with the
// tip each time it (re)loads it; a step asks it to reload with "tip-reload". The case page
// (cases.js) loads this file too, for timeLeft().
const STEPS_OPEN = {  // when each step's button is offered (clocks.py has the rules)
  forward: (d) => !d.forwarded && !d.suspended,
  extend: (d) => d.forwarded && !d.extended && !d.suspended,
  procuracy_extend: (d) => d.extended && !d.procuracy_extended && !d.suspended,
  suspend: (d) => !d.suspended,
  resume: (d) => d.suspended,
  prosecute: (d) => !d.suspended,
  not_prosecute: (d) => !d.suspended,
};

function timeLeft(iso) {
  let minutes = Math.round((new Date(iso) - Date.now()) / 60000);
  const late = minutes < 0;
  minutes = Math.abs(minutes);
  const d = Math.floor(minutes / 1440), h = Math.floor((minutes % 1440) / 60), m = minutes % 60;
  return `${late ? T.late : T.left} ${d ? `${d} ${T.days} ${h} ${T.hours}` : `${h} ${T.hours} ${m} ${T.minutes}`}`;
}

function showAttachments(tip) {
  // the files came with the tip (intake keeps them); a download carries the officer's token
  const files = tip.attachments || [];
  $("#files").hidden = !files.length;
  $("#attachments").replaceChildren(...files.map((f) => {
    const button = el("button", { type: "button", className: "secondary", textContent: T.download });
    button.addEventListener("click", async () => {
      try {
        const response = await api("GET", `/api/v1/attachments/${encodeURIComponent(f.attachment_id)}`, null, true);
        const link = el("a", { href: URL.createObjectURL(await response.blob()), download: f.name });
        link.click();
        URL.revokeObjectURL(link.href);
      } catch (err) { sayFailure(err); }
    });
    return el("li", {}, el("strong", { textContent: f.name }), ` · ${f.size} B · `,
      el("code", { className: "mono", textContent: f.sha256 }), " ", button);
  }));
}

function showClock(tip) {
  const clock = tip.clock || { state: "stopped" }, box = $("#clock-now");
  box.className = `clock-box clock-${clock.state}`;
  const decided = tip.legal_decision ? `${T.decided}: ${label("step", tip.legal_decision)}` : null;
  $("#clock-countdown").textContent = decided || (clock.deadline
    ? `${label("deadline", clock.which)}: ${timeLeft(clock.deadline)}` : T.stopped);
  $("#clock-deadline").textContent = clock.deadline ? fmtTime(clock.deadline) : "–";
}

function showSteps(tip) {
  const steps = tip.legal_steps || [];
  $("#legal-steps").replaceChildren(...steps.map((s) => el("li", {},
    el("strong", { textContent: label("step", s.step) }), ` · ${fmtTime(s.at)} · ${s.legal_basis}`,
    s.months ? ` · ${s.months} ${T.months_short}` : null, s.note ? el("small", { textContent: s.note }) : null,
    el("small", { textContent: (s.actor && s.actor.username) || "" }))));
  if (!steps.length) $("#legal-steps").append(el("li", { className: "empty", textContent: T.no_steps }));
  const d = tip.deadlines || {};
  for (const button of document.querySelectorAll("[data-step]")) {
    button.disabled = Boolean(tip.legal_decision) || !STEPS_OPEN[button.dataset.step](d);
  }
  $("#legal-months").disabled = !STEPS_OPEN.procuracy_extend(d) || Boolean(tip.legal_decision);
}

// verification gives each duplicate reason as "Vietnamese / English": the page's half
const inLang = (both) => { const [vi, en] = both.split(" / "); return (LANG === "en" && en) || vi; };

function showDuplicates(tip) {
  const list = $("#dupes-list");
  list.replaceChildren(...(tip.duplicates || []).map((p) => {
    const item = el("li", {}, el("a", { href: `/can-bo/tin/${encodeURIComponent(p.tip_id)}?lang=${LANG}`,
      className: "mono", textContent: p.tip_id }), ` · ${T.score} ${Math.round(p.score * 100)}% · ${p.reasons.map(inLang).join("; ")}`);
    if (tip.status === "received") {
      item.append(" ", el("button", { type: "button", className: "mark-duplicate", textContent: T.mark_duplicate,
        onclick: () => markDuplicate(tip, p.tip_id) }));
    }
    return item;
  }));
  if (!list.children.length) list.append(el("li", { className: "empty", textContent: T.no_duplicates }));
}

function markDuplicate(tip, other) {
  // confirmed, claimed and reported like the other decisions (staff.js)
  document.dispatchEvent(new CustomEvent("tip-decide", { detail: { outcome: "duplicate", duplicate_of: other } }));
}

let riskShownFor = null;
async function showAtRisk(tip) {
  if (riskShownFor === tip.tip_id) return;  // the cameras do not change with a decision or a step
  riskShownFor = tip.tip_id;
  const note = $("#at-risk-note"), table = $("#at-risk-table");
  if (!tip.location) {  // asked anyway, the API would answer 422 "no location"
    note.textContent = T.no_location;
    return;
  }
  try {
    const found = await api("GET", `/api/v1/cameras/at-risk?tip_id=${encodeURIComponent(tip.tip_id)}`);
    $("#at-risk-table tbody").replaceChildren(...found.items.map((c) => el("tr", {},
      el("td", { className: "mono", textContent: c.camera_id }),
      el("td", { textContent: T["owner_" + c.owner.kind] || c.owner.kind }),
      el("td", { className: "num", textContent: c.distance_m !== undefined ? `${Math.round(c.distance_m)} m` : "–" }),
      el("td", { textContent: fmtTime(c.expires_at) }),
      el("td", { className: "countdown", textContent: timeLeft(c.expires_at) }))));
    table.hidden = !found.items.length;
    note.textContent = found.items.length ? `${T.at_risk_hint} (${found.radius_m} m)` : T.no_cameras;
  } catch (err) {
    if (err.status === 422) note.textContent = T.no_location;
    else if (err.status === 403) note.textContent = T.not_allowed;
    else { note.textContent = ""; sayFailure(err); }
  }
}

function showCase(tip) {
  // a converted tip's case (set when "open case" succeeds, and kept in the tip's state)
  if (!tip.case_id) return;
  $("#f-case").replaceChildren(el("a", { href: `/can-bo/vu-viec/${encodeURIComponent(tip.case_id)}?lang=${LANG}`,
    className: "mono", textContent: tip.case_id }));
}

function tipWork() {
  let tip = null;
  document.addEventListener("tip-loaded", (e) => {
    tip = e.detail;
    showCase(tip);
    showAttachments(tip);
    showClock(tip);
    showSteps(tip);
    showDuplicates(tip);
    showAtRisk(tip);
  });
  setInterval(() => tip && showClock(tip), 30000);
  const basis = $("#legal-basis");
  for (const button of document.querySelectorAll("[data-step]")) {
    button.title = `${T.legal_basis}: ${button.dataset.basis}`;
    button.addEventListener("click", async () => {
      if (!tip) return;
      if (basis.value.trim().length < 3) basis.value = button.dataset.basis;  // the usual basis, kept visible
      const body = { step: button.dataset.step, legal_basis: basis.value.trim(),
        note: $("#legal-note").value.trim() || null, version: tip.version };
      if (body.step === "procuracy_extend") body.months = Number($("#legal-months").value);
      try {
        await api("POST", `/api/v1/tips/${encodeURIComponent(tip.tip_id)}/legal`, body);
        $("#legal-error").hidden = true;
        sayDone(`${T.step_done}: ${label("step", body.step)}`);
        basis.value = "";
        $("#legal-note").value = "";
      } catch (err) { showRefusal(err, $("#legal-error")); }
      document.dispatchEvent(new Event("tip-reload"));
    });
  }
}

if (document.body.dataset.page === "tipview") tipWork();
