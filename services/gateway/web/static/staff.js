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

function queuePage() {
  const who = staffHeader();
  if (!who) return;
  $("#unit").replaceChildren(unitText(who.unit_code));
  async function claim(id) {
    try { await api("POST", `/api/v1/tips/${encodeURIComponent(id)}/claim`); await load(); } catch (err) { sayFailure(err); }
  }
  function row(tip) {
    const holder = tip.claimed_by ? el("span", { textContent: tip.claimed_by })
      : el("button", { type: "button", textContent: T.claim, onclick: () => claim(tip.tip_id) });
    const dupes = tip.duplicates.length ? el("small", { textContent: ` · ${T.duplicates}: ${tip.duplicates.length}` }) : null;
    return el("tr", { className: `clock-${tip.clock.state}` },
      el("td", {}, el("span", { className: `pri pri-${tip.priority}`, textContent: label("priority", tip.priority) })),
      el("td", { className: "countdown", textContent: countdown(tip.clock) }),
      el("td", { textContent: fmtTime(tip.received_at) }),
      el("td", { textContent: label("channel", tip.channel) }),
      el("td", {}, excerpt(tip.content), dupes),
      el("td", {}, holder), el("td", {}, tipLink(tip.tip_id)));
  }
  async function load() {
    try {
      const unit = encodeURIComponent(who.unit_code);
      const [queue, valuable] = await Promise.all([
        api("GET", `/api/v1/queue?unit_code=${unit}&limit=100`),
        api("GET", `/api/v1/tips?unit_code=${unit}&status=valuable&page_size=100`)]);
      $("#queue tbody").replaceChildren(...queue.items.map(row));
      $("#queue-empty").hidden = queue.items.length > 0;
      $("#valuable tbody").replaceChildren(...valuable.items.map((tip) => el("tr", {},
        el("td", {}, el("input", { type: "checkbox", value: tip.tip_id, id: `v-${tip.tip_id}`,
          ariaLabel: `${T.select_tip} ${tip.tip_id}` })),
        el("td", { textContent: fmtTime(tip.received_at) }),
        el("td", {}, excerpt(tip.content), " ", tipLink(tip.tip_id)))));
    } catch (err) { sayFailure(err); }
  }
  $("#refresh").addEventListener("click", load);
  $("#case-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const ids = [...document.querySelectorAll("#valuable input:checked")].map((box) => box.value);
    if (!ids.length) return say(T.none_selected, true);
    try {
      const made = await api("POST", "/api/v1/cases", { title: $("#case-title").value.trim(),
        unit_code: who.unit_code, tip_ids: ids });
      sayCase(T.case_opened, made.case_id);
      $("#case-title").value = "";
      await load();
    } catch (err) { sayFailure(err); }
  });
  load();
  setInterval(() => document.querySelectorAll("#queue tbody tr").length && load(), 60000);
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
      $("#tip").hidden = false;
      document.dispatchEvent(new CustomEvent("tip-loaded", { detail: tip }));  // tipwork.js
    } catch (err) { sayFailure(err); }
  }
  document.addEventListener("tip-reload", load);
  async function act(method, path, body) {
    try {
      await api(method, `/api/v1/tips/${id}${path}`, body);
      say("");
      await load();
    } catch (err) {
      if (err.status === 409) say(T.conflict, true); else sayFailure(err);
      await load();
    }
  }
  $("#claim").addEventListener("click", () => act("POST", "/claim"));
  $("#release").addEventListener("click", () => act("DELETE", "/claim"));
  for (const button of document.querySelectorAll("[data-outcome]")) {
    button.addEventListener("click", () => act("POST", "/decision", { outcome: button.dataset.outcome,
      note: $("#note").value.trim() || null, version: tip.version }));
  }
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
    await act("POST", "/replies", { text: $("#reply-text").value.trim() });
    $("#reply-text").value = "";
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
({ login: loginPage, queue: queuePage, tipview: tipPage, intake: intakePage })[document.body.dataset.page]();
