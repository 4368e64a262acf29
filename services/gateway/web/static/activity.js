"use strict";
// The clerk's page to log a programme's activity (a patrol, an armed patrol, a mediation...):
// keyboard-first like the tip intake (Tab between fields, Ctrl+Enter saves), each refused field's
// reason shown next to it. Each filled-in form has its own activity_id, so a save repeated after
// a lost answer is logged once (the API answers 200 with the first one).
const FINDINGS = ["traffic", "drugs", "theft", "disputes_settled", "other"];
const newId = () => `ACT-WEB-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`.toUpperCase();

// The API's reasons are English; the page says them in its language where it knows them.
function reasonOf(field, reason) {
  const known = [["before started_at", T.r_before], ["in the future", T.r_future], ["no programme", T.r_programme],
    ["does not cover", T.r_programme_unit], ["outside your unit", T.r_outside], ["greater than or equal to", T.r_min],
    ["is required", T.r_required], ["valid integer", T.r_integer], ["administrative unit", T.r_unit],
    ["is taken", T.r_taken]];
  const hit = known.find(([text]) => reason.includes(text));
  return hit ? hit[1] : reason;
}

// The API's field names (findings.theft, ...) and the page's controls of them.
function activityRules(form) {
  const control = (field) => form.elements[field.replace("findings.", "")];
  const names = ["kind", "programme_code", "unit_code", "started_at", "ended_at", "count", "participants", "note",
    ...FINDINGS.map((f) => `findings.${f}`)];
  return Object.fromEntries(names.map((field) => [field, (reason) => [control(field), reasonOf(field, reason)]]));
}

async function activityPicker(select) {
  const found = await api("GET", "/api/v1/programmes?page_size=200");
  select.append(...found.items.map((p) => el("option", { value: p.code, textContent: `${p.name} (${p.code})` })));
}

function activityPage() {
  const who = staffHeader();
  if (!who) return;
  wardPicker(who.unit_code).catch(sayFailure);
  activityPicker($("#programme_code")).catch(sayFailure);
  const form = $("#activity");
  let activityId = newId();
  form.addEventListener("input", () => { activityId = newId(); });  // another activity from now on
  const int = (name) => Number.parseInt(form.elements[name].value, 10);
  async function save() {
    const missing = ["programme_code", "unit_code", "started_at", "ended_at", "participants"]
      .filter((name) => !form.elements[name].value).map((name) => ({ input: form.elements[name], text: T.r_required }));
    if (showFieldErrors(form, missing)) { say(T.fix_fields, true); return; }
    const body = { activity_id: activityId, kind: form.elements.kind.value,
      programme_code: form.elements.programme_code.value, unit_code: form.elements.unit_code.value,
      started_at: form.elements.started_at.value, ended_at: form.elements.ended_at.value,
      count: int("count"), participants: int("participants"),
      findings: Object.fromEntries(FINDINGS.map((f) => [f, int(f) || 0])),
      note: form.elements.note.value.trim() || null };
    try {
      const saved = await api("POST", "/api/v1/activities", body);
      $("#saved-id").textContent = saved.activity_id;
      $("#saved-summary").textContent = `${T["k_" + saved.kind]}: ${saved.count} ${T.outings}, ` +
        `${saved.participants} ${T.people} · ${(form.elements.unit_code.selectedOptions[0] || {}).textContent || saved.unit_code} · ${fmtTime(saved.started_at)}`;
      $("#saved").hidden = false;
      say(`${T.saved} ${saved.activity_id}`);
      for (const name of ["participants", "note"]) form.elements[name].value = "";
      for (const f of FINDINGS) form.elements[f].value = "0";
      form.elements.count.value = "1";
      activityId = newId();
      form.elements.kind.focus();
    } catch (err) {
      const errors = apiFieldErrors(err, activityRules(form));
      if (errors) { showFieldErrors(form, errors); say(T.fix_fields, true); } else sayFailure(err, form);
    }
  }
  form.addEventListener("submit", (e) => { e.preventDefault(); save(); });
  form.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && e.ctrlKey) { e.preventDefault(); save(); }
  });
  form.elements.kind.focus();
}

activityPage();
