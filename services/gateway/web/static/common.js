"use strict";
// Shared by every page: strings, the names of codes and units, the JSON API with the token in
// sessionStorage, its failures in the page's language, the ward picker, the receipt box and
// message lists.
const T = JSON.parse(document.getElementById("strings").textContent);
const LABELS = JSON.parse(document.getElementById("labels").textContent);
const LANG = document.body.dataset.lang;
const $ = (sel) => document.querySelector(sel);

const session = {
  get: () => JSON.parse(sessionStorage.getItem("antt") || "null"),
  set: (value) => sessionStorage.setItem("antt", JSON.stringify(value)),
  clear: () => sessionStorage.removeItem("antt"),
};

class ApiFailure extends Error {
  constructor(status, body) {
    super((body && body.error && body.error.message) || String(status));
    this.status = status;
    this.body = body;
  }
}

// fetch + JSON; `body` objects are sent as JSON, URLSearchParams as a form.
async function api(method, path, body, raw) {
  const headers = {};
  const who = session.get();
  if (who) headers.Authorization = "Bearer " + who.token;
  if (body && !(body instanceof URLSearchParams) && !(body instanceof FormData)) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(body);
  }
  const response = await fetch(path, { method, headers, body });
  if (raw && response.ok) return response;
  const data = (response.headers.get("content-type") || "").includes("json") ? await response.json() : null;
  if (response.status === 401 && who) toLogin();
  if (!response.ok) throw new ApiFailure(response.status, data);
  return data;
}

function toLogin() {
  session.clear();
  const next = encodeURIComponent(location.pathname + location.search);
  location.assign(`/dang-nhap?lang=${LANG}&next=${next}`);
}

// The display name of a code of one kind (category, priority, tip_status, case_status, channel,
// step, clock, deadline, role, field, error): strings.json "labels"; a value that is no code
// (a category a clerk typed) shows as it is.
function label(kind, code) {
  if (code === null || code === undefined || code === "") return "–";
  const names = LABELS[kind] || {};
  return Object.hasOwn(names, code) ? names[code] : String(code);
}

// A tip's category, with "uncertain" when the triage that chose it was not sure.
function categoryText(tip) {
  const triage = tip.triage || {};
  const own = !tip.category || tip.category === triage.category;  // not one a clerk chose
  const text = label("category", tip.category || triage.category);
  return own && triage.certain === false ? `${text} (${label("triage", "uncertain")})` : text;
}

// A tip's priority with the situations behind it, e.g. "Cao (đang diễn ra, có người bị
// thương)"; a tip triaged before `reasons` existed shows the priority alone.
function priorityText(tip) {
  const reasons = (tip.triage && tip.triage.reasons) || [];
  const text = label("priority", tip.priority);
  return reasons.length ? `${text} (${reasons.join(", ")})` : text;
}

// Unit names by code, asked for in batches: every code wanted in the same turn of the event
// loop goes in one GET /ui/unit-names.json (up to 200 a request), however many rows show one.
const unitNameCache = new Map();
let unitBatch = null;
function unitNames(codes) {
  for (const code of codes) {
    if (unitNameCache.has(code)) continue;
    if (!unitBatch) {
      const batch = new Set();
      unitBatch = batch;
      batch.answer = new Promise((resolve) => setTimeout(resolve, 0)).then(async () => {
        unitBatch = null;
        const all = [...batch], found = {};
        for (let i = 0; i < all.length; i += 200) {
          const part = all.slice(i, i + 200).join(",");
          Object.assign(found, await api("GET", `/ui/unit-names.json?codes=${part}`).catch(() => ({})));
        }
        return found;
      });
    }
    unitBatch.add(code);
    unitNameCache.set(code, unitBatch.answer.then((found) => found[code] || null));
  }
  return Promise.all(codes.map((code) => unitNameCache.get(code)));
}

// A unit, or a path of units (province › district › ward), by name; the codes on hover.
function unitText(codes) {
  codes = (Array.isArray(codes) ? codes : [codes]).filter(Boolean).map(String);
  const node = el("span", { className: "unit", title: codes.join(" › "), textContent: T.loading });
  unitNames(codes).then((names) => {
    node.textContent = names.map((name, i) => name || codes[i]).join(" › ");
  });
  return node;
}

function say(text, isError) {
  const box = $("#status");
  box.textContent = text;
  box.className = isError ? "error" : "ok";
}

// One field error of the API ({field, reason, code, value?, limit?}) in the page's language:
// {field, name (the field's label), text (what is wrong)}. The API's English reason stays out.
function fieldFailure(f) {
  const template = (f.code && LABELS.error[f.code]) || LABELS.error.invalid;
  const text = template.replace("{value}", f.value ?? "").replace("{limit}", f.limit ?? "");
  return { field: f.field, name: label("field", f.field.replace("contact.", "contact_").replace("location.", "")), text };
}

// What a failure tells the user, by its HTTP status (strings.json labels.http), and each field
// it names, as fieldFailure gives them.
function failureOf(err) {
  if (!(err instanceof ApiFailure)) return { note: T.err_network, fields: [] };
  const note = LABELS.http[err.status] || LABELS.http.other;
  return { note, fields: ((err.body && err.body.error && err.body.error.fields) || []).map(fieldFailure) };
}

// The control a field error is about, in `form`: by the API's field name, with "_" for ".",
// or its last part ("location.lat" → "lat", "contact.phone" → "contact_phone").
function controlOf(form, field) {
  const names = [field, field.replaceAll(".", "_"), field.split(".").pop()];
  for (const name of names) {
    const control = form.elements[name] || form.querySelector(`#${CSS.escape(name)}`);
    if (control && control.nodeType === 1) return control;
  }
  return null;
}

// Field errors, the one way of every page: a message under its control (`${id}-error`: the
// template's own element if it has one, else one made here), the control aria-invalid and
// described by it.
function setFieldError(input, text) {
  const id = `${input.id}-error`;
  let note = document.getElementById(id);
  if (!note) {
    note = el("small", { id, className: "field-error", role: "alert" });
    note.dataset.made = "1";
    input.insertAdjacentElement("afterend", note);
  }
  note.dataset.for = input.id;
  const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
  if (!described.includes(id)) input.setAttribute("aria-describedby", [...described, id].join(" "));
  note.textContent = text;
  note.hidden = false;
  input.setAttribute("aria-invalid", "true");
  return note;
}

function clearFieldError(note) {
  const input = document.getElementById(note.dataset.for || "");
  if (input) input.removeAttribute("aria-invalid");
  if (note.dataset.made) {
    if (input) {
      const rest = (input.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== note.id);
      if (rest.length) input.setAttribute("aria-describedby", rest.join(" "));
      else input.removeAttribute("aria-describedby");
    }
    note.remove();
  } else { note.textContent = ""; note.hidden = true; }
}

function clearFieldErrors(form) {
  for (const note of form.querySelectorAll(".field-error")) clearFieldError(note);
  for (const control of form.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
}

// errors: [{input, text}]; the form's earlier errors cleared, the first one focused and its
// message in view (a phone's screen too). True if there was one.
function showFieldErrors(form, errors) {
  clearFieldErrors(form);
  const notes = errors.map(({ input, text }) => setFieldError(input, text));
  if (!notes.length) return false;
  errors[0].input.focus({ preventScroll: true });
  notes[0].scrollIntoView({ block: "center" });
  return true;
}

// A failure on the status line and, with the form that caused it, each field's message next to
// its control (showFieldErrors). Fields without a control of the form are named on the status line.
function sayFailure(err, form) {
  const { note, fields } = failureOf(err);
  const placed = [], unplaced = [];
  for (const f of fields) {
    const control = form && controlOf(form, f.field);
    if (control && !placed.some((p) => p.input === control)) placed.push({ input: control, text: `${f.name}: ${f.text}` });
    else if (!control) unplaced.push(`${f.name}: ${f.text}`);
  }
  if (form) showFieldErrors(form, placed);
  say(`${note}${unplaced.length ? " " + unplaced.join("; ") : ""}`, true);
}

// "{n} of {max}" filled from `values` (a missing one stays as written).
const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => (k in values ? values[k] : `{${k}}`));

function fmtTime(iso) {
  return iso ? new Date(iso).toLocaleString(LANG === "vi" ? "vi-VN" : "en-GB",
    { timeZone: "Asia/Ho_Chi_Minh", dateStyle: "short", timeStyle: "short" }) : "–";
}

function el(tag, props, ...children) {
  const node = Object.assign(document.createElement(tag), props || {});
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

// Folds case and Vietnamese diacritics so "dong linh" finds "Phường Đông Lĩnh".
const fold = (s) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/gi, "d").toLowerCase();

// The wards at or below `unitCode` (staff: their login's unit), else the public form's city.
async function wardPicker(unitCode) {
  const search = $("#ward-search"), select = $("#ward");
  const query = unitCode ? `?unit_code=${encodeURIComponent(unitCode)}` : "";
  const { wards } = await api("GET", `/ui/units.json${query}`);
  const districts = new Set(wards.map((w) => w.district)).size;
  // in the server's Vietnamese order (collation.py); the code on hover and in the search
  const options = wards.map((w) => el("option", { value: w.code, title: w.code,
    textContent: districts > 1 ? `${w.name}, ${w.district}` : w.name }));
  select.append(...options);
  if (options.length === 1) select.value = options[0].value;
  search.addEventListener("input", () => {
    const needle = fold(search.value.trim());
    let first = null;
    for (const option of options) {
      option.hidden = !fold(option.textContent).includes(needle) && !option.value.startsWith(needle);
      if (!option.hidden && !first) first = option;
    }
    if (first) select.value = first.value;
  });
  search.addEventListener("keydown", (e) => {
    // Enter must not submit the whole form from the search box
    if (e.key === "ArrowDown" || e.key === "Enter") { e.preventDefault(); select.focus(); }
  });
}

function contactToggle() {
  const box = $("#anonymous"), contact = $("#contact");
  box.addEventListener("change", () => { contact.hidden = box.checked; });
}

function contactOf(form) {
  const contact = {};
  for (const name of ["name", "phone", "email"]) {
    const value = form.elements[name] && form.elements[name].value.trim();
    if (value) contact[name] = value;
  }
  return Object.keys(contact).length ? contact : null;
}

function renderMessages(list, messages) {
  list.replaceChildren(...messages.map((m) => el("li", { className: m.from },
    el("strong", { textContent: m.from === "police" ? T.from_police : T.from_tipster }), " ",
    el("time", { textContent: fmtTime(m.at) }), el("p", { textContent: m.text }))));
  if (!messages.length) list.append(el("li", { className: "empty", textContent: T.no_messages }));
}

async function showReceipt(code) {
  $("#receipt-code").textContent = code;
  const box = $("#receipt");
  box.hidden = false;
  box.focus();
  $("#copy").addEventListener("click", async () => {
    await navigator.clipboard.writeText(code).catch(() => null);
    $("#copy").textContent = T.copied;
  });
  // the code goes in the fragment, which browsers never send to a server
  const target = `${location.origin}/theo-doi?lang=${LANG}#${encodeURIComponent(code)}`;
  const svg = await api("POST", "/ui/qr", { text: target }, true).then((r) => r.text()).catch(() => "");
  $("#qr").innerHTML = svg;
}

function staffHeader() {
  const who = session.get();
  if (!who) return toLogin();
  $("#who").replaceChildren(`${who.username} · ${label("role", who.role)} · `, unitText(who.unit_code));
  for (const link of document.querySelectorAll("nav [data-roles]")) {  // the menu: the pages of the role
    link.hidden = !link.dataset.roles.split(" ").includes(who.role);
    if (link.pathname === location.pathname) link.setAttribute("aria-current", "page");
  }
  $("#logout").addEventListener("click", () => { session.clear(); location.assign(`/dang-nhap?lang=${LANG}`); });
  return who;
}
