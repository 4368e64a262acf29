"use strict";
// The officer's queue (GET /api/v1/queue): the buckets with their counts, the filters and the
// search, pages by cursor (the API's `next`; "previous" goes back along the cursors already
// used), the unread marker of a tipster's message, and claiming from the list. Strings come
// from strings.json (section "queue", codes by label()); a refusal goes through sayFailure;
// staff.js calls queuePage().
function nextDay(date) {  // the API's `to` is exclusive; the form's "to" day is included
  const day = new Date(`${date}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + 1);
  return day.toISOString().slice(0, 10);
}

function queueQuery(form, bucket, unitCode) {
  const params = new URLSearchParams({ bucket, page_size: "50" });
  for (const [name, value] of new FormData(form)) {
    const text = String(value).trim();
    if (text) params.set(name, name === "to" ? nextDay(text) : text);
  }
  if (!params.get("unit_code")) params.set("unit_code", unitCode);
  return params;
}

function queuePage() {
  const who = staffHeader();
  if (!who) return;
  $("#unit").replaceChildren(unitText(who.unit_code));
  const form = $("#filters");
  let bucket = "action", cursors = [null], shown = null;
  wardOptions($("#f-ward"), who.unit_code).catch(sayFailure);

  async function claim(id) {
    try {
      await api("POST", `/api/v1/tips/${encodeURIComponent(id)}/claim`);
      say(`${T.claimed_ok}: ${id}`);
      await load();
    } catch (err) { sayFailure(err); }
  }
  function row(tip) {
    const holder = tip.claimed_by ? el("span", { textContent: tip.claimed_by })
      : el("button", { type: "button", textContent: T.claim, onclick: () => claim(tip.tip_id) });
    const unread = tip.unread ? el("strong", { className: "unread", textContent: ` ✉ ${T.unread}` }) : null;
    const tr = el("tr", { className: `clock-${tip.clock.state}${tip.unread ? " has-unread" : ""}` },
      el("td", {}, el("span", { className: `pri pri-${tip.priority}`, textContent: label("priority", tip.priority) })),
      el("td", { textContent: categoryText(tip) }),
      el("td", { className: "countdown", textContent: countdown(tip.clock) }),
      el("td", { textContent: fmtTime(tip.received_at) }),
      el("td", { textContent: label("channel", tip.channel) }),
      el("td", {}, excerpt(tip.content), unread),
      el("td", {}, holder), el("td", {}, tipLink(tip.tip_id)));
    tr.dataset.tipId = tip.tip_id;
    return tr;
  }
  async function load() {
    const params = queueQuery(form, bucket, who.unit_code);
    const after = cursors[cursors.length - 1];
    if (after) params.set("after", after);
    params.set("page", String(cursors.length));
    try {
      const queue = await api("GET", `/api/v1/queue?${params}`);
      clearFieldErrors(form);
      shown = queue;
      $("#count-action").textContent = queue.counts.action;
      $("#count-overdue").textContent = queue.counts.overdue;
      $("#queue tbody").replaceChildren(...queue.items.map(row));
      $("#queue-empty").hidden = queue.items.length > 0;
      $("#queue-total").textContent = T.total_line.replace("{total}", queue.total).replace("{page}", queue.page);
      $("#page-no").textContent = `${T.page} ${queue.page}`;
      $("#prev").disabled = cursors.length === 1;
      $("#next").disabled = !queue.next;
    } catch (err) { sayFailure(err, form); }  // the note on the status line, a filter's error next to it
  }
  async function loadValuable() {
    try {
      const valuable = await api("GET", `/api/v1/tips?unit_code=${encodeURIComponent(who.unit_code)}&status=valuable&page_size=100`);
      $("#valuable tbody").replaceChildren(...valuable.items.map((tip) => el("tr", {},
        el("td", {}, el("input", { type: "checkbox", value: tip.tip_id, id: `v-${tip.tip_id}`,
          ariaLabel: `${T.select_tip} ${tip.tip_id}` })),
        el("td", { textContent: fmtTime(tip.received_at) }),
        el("td", {}, excerpt(tip.content), " ", tipLink(tip.tip_id)))));
    } catch (err) { sayFailure(err); }
  }
  const first = () => { cursors = [null]; return load(); };
  for (const tab of document.querySelectorAll("[data-bucket]")) {
    tab.addEventListener("click", () => {
      bucket = tab.dataset.bucket;
      for (const other of document.querySelectorAll("[data-bucket]")) other.setAttribute("aria-pressed", String(other === tab));
      first();
    });
  }
  form.addEventListener("submit", (e) => { e.preventDefault(); first(); });
  form.addEventListener("reset", () => setTimeout(first));
  $("#next").addEventListener("click", () => { if (shown && shown.next) { cursors.push(shown.next); load(); } });
  $("#prev").addEventListener("click", () => { if (cursors.length > 1) { cursors.pop(); load(); } });
  $("#refresh").addEventListener("click", () => { load(); loadValuable(); });
  $("#case-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const ids = [...document.querySelectorAll("#valuable input:checked")].map((box) => box.value);
    if (!ids.length) return say(T.none_selected, true);
    try {
      const made = await api("POST", "/api/v1/cases", { title: $("#case-title").value.trim(),
        unit_code: who.unit_code, tip_ids: ids });
      sayCase(T.case_opened, made.case_id);
      $("#case-title").value = "";
      await Promise.all([load(), loadValuable()]);
    } catch (err) { sayFailure(err); }
  });
  load();
  loadValuable();
  setInterval(() => cursors.length === 1 && load(), 60000);  // the first page follows new tips
}

async function wardOptions(select, unitCode) {
  const { wards } = await api("GET", `/ui/units.json?unit_code=${encodeURIComponent(unitCode)}`);
  select.append(...wards.map((w) => el("option", { value: w.code, textContent: w.name, title: w.code })));
}
