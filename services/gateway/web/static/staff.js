"use strict";
// The staff pages: login, the officer's queue and tip page (with tipwork.js), the clerk's
// intake. Each calls the JSON API with the token of the login.
const HOME = { officer: "/can-bo", clerk: "/tiep-nhan", commander: "/chi-huy", admin: "/chi-huy",
  camera_operator: "/camera" };

function loginPage() {
  const form = $("#login");
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = new URLSearchParams({ username: form.elements.username.value.trim(),
      password: form.elements.password.value });
    try {
      const answer = await api("POST", "/api/v1/auth/token", body);
      session.set({ token: answer.access_token, role: answer.role, unit_code: answer.unit_code,
        username: body.get("username") });
      const next = new URLSearchParams(location.search).get("next") || "";
      const safe = next.startsWith("/") && !next.startsWith("//");
      location.assign(safe ? next : `${HOME[answer.role] || "/can-bo"}?lang=${LANG}`);
    } catch (err) {
      if (err.status === 401) say(T.wrong, true); else sayFailure(err, form);
    }
  });
  form.elements.username.focus();
}

function countdown(clock) {
  if (!clock || clock.state === "stopped" || !clock.deadline) return T.stopped;
  let minutes = Math.round((new Date(clock.deadline) - Date.now()) / 60000);
  const late = minutes < 0;
  minutes = Math.abs(minutes);
  const d = Math.floor(minutes / 1440), h = Math.floor((minutes % 1440) / 60), m = minutes % 60;
  const span = d ? `${d} ${T.days} ${h} ${T.hours}` : `${h} ${T.hours} ${m} ${T.minutes}`;
  return `${label("deadline", clock.which)}: ${late ? T.late : T.left} ${span}`;
}

const tipLink = (id) => el("a", { href: `/can-bo/tin/${encodeURIComponent(id)}?lang=${LANG}`, textContent: T.open });
const excerpt = (text) => (text.length > 120 ? text.slice(0, 120) + "…" : text);

// The status line after an action, focused so a screen reader reads it at once
function sayDone(text) {
  say(text);
  const box = $("#status");
  box.tabIndex = -1;
  box.focus();
}

// An API refusal in the page's language, in the box next to the action (focused, announced)
function showRefusal(err, box) {
  let text;
  if (err.status === 409) text = T.err_409;
  else if (err.status === 403 || err.status === 404) text = T["err_" + err.status];
  else if (err.status === 422) {
    const fields = ((err.body && err.body.error && err.body.error.fields) || [])
      .map((f) => T["fld_" + f.field] || f.field).join(", ");
    text = T.err_422.replace("{fields}", fields);
  } else text = failureOf(err).note;
  box.textContent = text;
  box.hidden = false;
  box.tabIndex = -1;
  box.focus();
  box.scrollIntoView({ block: "center" });
}

// A yes/no question in the page's <dialog id="confirm">; `claimNote` adds "you will claim it"
function confirmed(question, claimNote) {
  const dialog = $("#confirm");
  $("#confirm-text").textContent = question;
  $("#confirm-claim").hidden = !claimNote;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes"), { once: true }));
}

// "Case opened: C-…" with the id as a link to the case's page
function sayCase(label, caseId) {
  say(`${label}: `);
  $("#status").append(el("a", { href: `/can-bo/vu-viec/${encodeURIComponent(caseId)}?lang=${LANG}`, textContent: caseId }));
}

function tipPage() {
  const who = staffHeader();
  if (!who) return;
  const id = encodeURIComponent($("#tip").dataset.tipId);
  let tip = null;
  async function load() {
    try {
      tip = await api("GET", `/api/v1/tips/${id}`);
      const thread = await api("GET", `/api/v1/tips/${id}/messages`);
      const facts = { content: tip.content, status: label("tip_status", tip.status),
        channel: label("channel", tip.channel), received: fmtTime(tip.received_at),
        category: categoryText(tip), priority: priorityText(tip),
        forward: fmtTime(tip.deadlines.forward_by), decide: fmtTime(tip.deadlines.decide_by),
        claim: (tip.claim && tip.claim.username) || "–", case: tip.case_id || "–" };
      for (const [key, value] of Object.entries(facts)) $(key === "content" ? "#tip-content" : `#f-${key}`).textContent = value;
      $("#f-unit").replaceChildren(unitText(tip.unit_path || [tip.unit_code]));
      $("#decide").hidden = tip.status !== "received";
      $("#case-form").hidden = tip.status !== "valuable";
      renderMessages($("#messages"), thread.messages);
      if (tip.just_read) $("#unread-note").hidden = false;  // this opening read the tipster's new message
      $("#tip").hidden = false;
      document.dispatchEvent(new CustomEvent("tip-loaded", { detail: tip }));  // tipwork.js
    } catch (err) { sayFailure(err); }
  }
  document.addEventListener("tip-reload", load);
  // Every action says what happened in the status line (focused, announced); a refusal is
  // shown in Vietnamese next to the action's buttons.
  async function act(method, path, body, done, box) {
    try {
      const answer = await api(method, `/api/v1/tips/${id}${path}`, body);
      box.hidden = true;
      sayDone(done);
      await load();
      return answer;
    } catch (err) {
      showRefusal(err, box);
      await load();
      return null;
    }
  }
  const decideBox = $("#decide-error");
  $("#claim").addEventListener("click", () => act("POST", "/claim", undefined, T.claimed_ok, decideBox));
  $("#release").addEventListener("click", () => act("DELETE", "/claim", undefined, T.released_ok, decideBox));
  // A decision needs the claim: confirmed first, and an unclaimed tip is claimed on the way, visibly.
  async function decide(outcome, duplicateOf) {
    const holder = tip.claim && tip.claim.username;
    if (holder && holder !== who.username) {
      decideBox.textContent = T.held_by_other.replace("{who}", holder);
      decideBox.hidden = false;
      return;
    }
    const outcomeText = label("tip_status", outcome);
    if (!(await confirmed(T.confirm_text.replace("{tip}", tip.tip_id).replace("{outcome}", outcomeText), !holder))) {
      sayDone(T.cancelled);
      return;
    }
    const claimed = holder ? true : await act("POST", "/claim", undefined, T.took_claim, decideBox);
    if (!claimed) return;
    const body = { outcome, note: $("#note").value.trim() || null, version: tip.version };
    if (duplicateOf) body.duplicate_of = duplicateOf;
    const saved = T.decided_ok.replace("{outcome}", outcomeText);
    await act("POST", "/decision", body, holder ? saved : `${T.took_claim} ${saved}`, decideBox);
  }
  for (const button of document.querySelectorAll("[data-outcome]")) {
    button.addEventListener("click", () => decide(button.dataset.outcome));
  }
  document.addEventListener("tip-decide", (e) => decide(e.detail.outcome, e.detail.duplicate_of));  // tipwork.js
  $("#case-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const made = await api("POST", "/api/v1/cases", { title: $("#case-title").value.trim(),
        unit_code: tip.unit_code, tip_ids: [tip.tip_id] });
      sayCase(T.case, made.case_id);
      await load();
    } catch (err) { sayFailure(err, $("#case-form")); }
  });
  $("#reply").addEventListener("submit", async (e) => {
    e.preventDefault();
    if (await act("POST", "/replies", { text: $("#reply-text").value.trim() }, T.replied_ok, $("#reply-error"))) {
      $("#reply-text").value = "";
    }
  });
  load();
}

// The registered programmes of the clerk's unit; a tip may still name any code (imports do).
async function programmePicker(select) {
  const found = await api("GET", "/api/v1/programmes?page_size=200");
  select.append(...found.items.map((p) => el("option", { value: p.code, title: p.code, textContent: p.name })));
}

function intakePage() {
  const who = staffHeader();
  if (!who) return;
  wardPicker(who.unit_code).catch(sayFailure);
  programmePicker($("#programme_code")).catch(sayFailure);
  contactToggle();
  const form = $("#intake");
  const area = form.elements.content;  // fields.js: counted, never cut
  const tooLong = contentCounter(area, $("#content-count"), Number(area.dataset.max), T.fe_content_long, T.counter);
  async function save() {
    const over = tooLong();
    if (over) { showFieldErrors(form, [over]); return; }
    if (!form.reportValidity()) return;
    const tip = { channel: form.elements.channel.value, content: form.elements.content.value.trim(),
      unit_code: form.elements.unit_code.value, anonymous: form.elements.anonymous.checked };
    if (form.elements.received_at.value) tip.received_at = form.elements.received_at.value;
    if (form.elements.programme_code.value) tip.programme_code = form.elements.programme_code.value;
    const contact = tip.anonymous ? null : contactOf(form);
    if (contact) tip.contact = contact;
    try {
      const answer = await api("POST", "/api/v1/tips", tip);
      $("#saved-id").textContent = answer.tip_id;
      $("#receipt-code").textContent = answer.receipt_code;
      $("#saved").hidden = false;
      say(`${T.saved} ${answer.tip_id}`);
      form.elements.content.value = "";
      area.dispatchEvent(new Event("input"));  // the counter back to 0
      form.elements.received_at.value = "";
      clearFieldErrors(form);
      form.elements.content.focus();
    } catch (err) { sayFailure(err, form); }
  }
  form.addEventListener("submit", (e) => { e.preventDefault(); save(); });
  form.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && e.ctrlKey) { e.preventDefault(); save(); }
  });
  form.elements.channel.focus();
}

// The commander's page has its own script (command.js), as the batch import has (batch.js).
// looked up when called: queuePage is in queue.js, which only the queue page loads
({ login: () => loginPage(), queue: () => queuePage(), tipview: () => tipPage(), intake: () => intakePage() })[document.body.dataset.page]();
