"use strict";
// Shared by every page: strings, the JSON API with the token in sessionStorage, the ward
// picker, the receipt box and message lists.
const T = JSON.parse(document.getElementById("strings").textContent);
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

function say(text, isError) {
  const box = $("#status");
  box.textContent = text;
  box.className = isError ? "error" : "ok";
}

// What a failure tells the user: a network or "busy" note, or the API's message and the fields it names.
function failureOf(err) {
  if (!(err instanceof ApiFailure)) return { note: T.err_network, fields: [] };
  if (err.status === 429 || err.status === 503) return { note: T.err_busy, fields: [] };
  return { note: `${T.error} ${err.status}: ${err.message}`, fields: (err.body && err.body.error && err.body.error.fields) || [] };
}

function sayFailure(err) {
  const { note, fields } = failureOf(err);
  const named = fields.map((f) => `${f.field}: ${f.reason}`).join("; ");
  say(`${note}${named ? " (" + named + ")" : ""}`, true);
}

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
  const options = wards.map((w) => el("option", { value: w.code,
    textContent: districts > 1 ? `${w.name}, ${w.district} (${w.code})` : `${w.name} (${w.code})` }));
  select.append(...options);
  if (options.length === 1) select.value = options[0].value;
  search.addEventListener("input", () => {
    const needle = fold(search.value.trim());
    let first = null;
    for (const option of options) {
      option.hidden = !fold(option.textContent).includes(needle);
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
  $("#who").textContent = `${who.username} · ${who.unit_code}`;
  $("#logout").addEventListener("click", () => { session.clear(); location.assign(`/dang-nhap?lang=${LANG}`); });
  return who;
}
