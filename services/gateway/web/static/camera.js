"use strict";
// The camera operator's pages: the registry (map and list), the extraction form, one extraction
// with its files and custody log. Files are hashed here, in the browser, before they leave the
// machine: js-sha256 (vendored) in 4 MiB chunks, because crypto.subtle exists only in secure
// contexts and cannot hash a file piece by piece.
const CAMERA_ROLES = ["camera_operator", "officer", "commander", "admin"];
const EXTRACTING_ROLES = ["camera_operator", "officer", "admin"];
const CHUNK = 4 * 1024 * 1024;
const enc = encodeURIComponent;
const pageQuery = new URLSearchParams(location.search);

function cameraHeader() {
  const who = staffHeader();
  if (!who) return null;
  if (!CAMERA_ROLES.includes(who.role)) { say(T.not_allowed, true); return null; }
  return who;
}

function fmtSize(bytes) {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0, n = bytes;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
  return `${i ? n.toFixed(1) : n} ${units[i]}`;
}

const extractionLink = (id) => el("a", { href: `/camera/trich-xuat/${enc(id)}?lang=${LANG}`, textContent: id, className: "mono" });
const shellQuote = (s) => (/^[A-Za-z0-9._+-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);
const hashCode = (sha) => el("code", { className: "hash", textContent: sha });

// --- the registry -------------------------------------------------------------------------

const REGISTERING_ROLES = ["camera_operator", "commander", "admin"];
const PAGE_SIZE = 50;
const byName = (a, b) => a.name.localeCompare(b.name, "vi");

// The wards of the login's unit ({code, name}), by Vietnamese collation.
async function unitWards(unitCode) {
  const { wards } = await api("GET", `/ui/units.json?unit_code=${enc(unitCode)}`);
  return wards.slice().sort(byName);
}

function camerasPage() {
  const who = cameraHeader();
  if (!who) return;
  const registering = REGISTERING_ROLES.includes(who.role);
  $("#new-extraction").hidden = !EXTRACTING_ROLES.includes(who.role);
  const form = $("#filters");
  const markers = new Map();
  let map = null, cameraLayer = null, nearMark = null, wards = [], points = [], page = 1, pages = 1;
  const wardName = (code) => (wards.find((w) => w.code === code) || {}).name || code;

  function popup(cam) {
    const box = el("div", { className: "cam-popup" },
      el("strong", { className: "mono", textContent: cam.camera_id }),
      el("dl", {},
        el("dt", { textContent: T.ward }), el("dd", { textContent: cam.unit_name || wardName(cam.unit_code) }),
        el("dt", { textContent: T.status }), el("dd", { textContent: T["st_" + cam.status] || cam.status }),
        el("dt", { textContent: T.owner_kind }), el("dd", { textContent: T["ok_" + cam.owner.kind] || cam.owner.kind }),
        el("dt", { textContent: T.retention }), el("dd", { textContent: `${cam.retention_days} ${T.days}` }),
        el("dt", { textContent: T.programme }), el("dd", { textContent: cam.programme_code || "–" })));
    if (EXTRACTING_ROLES.includes(who.role)) {
      box.append(el("a", { href: `/camera/trich-xuat?lang=${LANG}&camera=${enc(cam.camera_id)}`, textContent: T.extract_here }));
    }
    return box;
  }

  function showOnMap(cam) {
    const marker = markers.get(cam.camera_id);
    if (!marker || !map) return;
    map.setView(marker.getLatLng(), Math.max(map.getZoom(), 15));
    marker.openPopup();
    $("#map").scrollIntoView({ block: "nearest" });
    const link = document.querySelector(".leaflet-popup-content a, .leaflet-popup-close-button");
    if (link) link.focus();
  }

  function row(cam) {
    const actions = el("td", { className: "actions" },
      el("button", { type: "button", textContent: T.show_on_map, onclick: () => showOnMap(cam),
        ariaLabel: `${T.show_on_map}: ${cam.camera_id}` }));
    if (registering) {
      actions.append(" ", el("button", { type: "button", textContent: T.edit, className: "edit",
        ariaLabel: `${T.edit}: ${cam.camera_id}`, onclick: () => editor.edit(cam.camera_id) }));
    }
    if (EXTRACTING_ROLES.includes(who.role)) {
      actions.append(" ", el("a", { href: `/camera/trich-xuat?lang=${LANG}&camera=${enc(cam.camera_id)}`,
        textContent: T.extract_here, ariaLabel: `${T.extract_here}: ${cam.camera_id}` }));
    }
    return el("tr", { className: `cam-row st-${cam.status}` },
      el("td", { className: "mono", textContent: cam.camera_id }),
      el("td", { textContent: cam.unit_name || wardName(cam.unit_code), title: cam.unit_code }),
      el("td", {}, el("span", { className: `badge badge-${cam.status}`, textContent: T["st_" + cam.status] || cam.status })),
      el("td", { textContent: `${T["ok_" + cam.owner.kind] || cam.owner.kind}: ${cam.owner.name}` +
        (cam.owner.contact ? ` · ${cam.owner.contact}` : "") }),
      el("td", { textContent: cam.programme_code || "–" }),
      el("td", { textContent: `${cam.retention_days} ${T.days}` }),
      el("td", { textContent: cam.distance_m !== undefined ? `${Math.round(cam.distance_m)} m` : "–" }),
      actions);
  }

  let fitted = false;
  function drawCameras(items) {
    markers.clear();
    if (!map) return;
    if (cameraLayer) cameraLayer.remove();
    cameraLayer = L.featureGroup(items.map((cam) => {
      const marker = L.circleMarker([cam.location.lat, cam.location.lon], {
        radius: 9, color: cam.status === "broken" ? "#1a1a1a" : "#fff", weight: 2.5, dashArray: cam.status === "broken" ? "3 2" : null,
        fillColor: STATUS_COLOUR[cam.status] || "#4a4a4a", fillOpacity: 1, className: `cam cam-${cam.status}` })
        .bindPopup(() => popup(cam)).bindTooltip(el("span", { textContent: cam.camera_id }));
      markers.set(cam.camera_id, marker);
      return marker;
    })).addTo(map);
    if (!fitted && items.length) {  // the first time: the unit's cameras, not the whole city
      fitted = true;
      map.fitBounds(cameraLayer.getBounds(), { padding: [40, 40], maxZoom: 16 });
    }
  }

  function near() {
    const lat = form.elements.lat.value, lon = form.elements.lon.value;
    return lat !== "" && lon !== "" ? { lat: Number(lat), lon: Number(lon), radius: Number(form.elements.radius_m.value) } : null;
  }

  function drawNear() {
    if (!map) return;
    if (nearMark) { nearMark.remove(); nearMark = null; }
    const point = near();
    if (point) {
      nearMark = L.circle([point.lat, point.lon], { radius: point.radius, color: "#0b4f9c", weight: 2,
        fillOpacity: 0.08, interactive: false, className: "near-circle" }).addTo(map);
    }
  }

  async function load() {
    const params = new URLSearchParams({ page_size: String(PAGE_SIZE), page: String(page) });
    for (const name of ["status", "owner_kind", "unit_code"]) if (form.elements[name].value) params.set(name, form.elements[name].value);
    for (const name of ["programme_code", "q"]) {
      const value = form.elements[name].value.trim();
      if (value) params.set(name, value);
    }
    const point = near();
    if (point) { params.set("near", `${point.lat},${point.lon}`); params.set("radius_m", String(point.radius)); }
    try {
      const found = await api("GET", `/api/v1/cameras?${params}`);
      $("#cameras tbody").replaceChildren(...found.items.map(row));
      $("#cameras-empty").hidden = found.items.length > 0;
      pages = Math.max(1, Math.ceil(found.total / PAGE_SIZE));
      $("#count").textContent = `(${found.total.toLocaleString(LANG === "vi" ? "vi-VN" : "en-GB")})`;
      $("#page-of").textContent = fill(T.page_of, { page, pages, total: found.total.toLocaleString(LANG === "vi" ? "vi-VN" : "en-GB") });
      $("#page-prev").disabled = page <= 1;
      $("#page-next").disabled = page >= pages;
      drawCameras(found.items);
      drawNear();
      say("");
    } catch (err) { sayFailure(err); }
  }
  const reload = () => { page = 1; return load(); };

  async function loadExtractions() {
    try {
      const found = await api("GET", "/api/v1/extractions?page_size=20");
      $("#extractions tbody").replaceChildren(...found.items.map((x) => el("tr", {},
        el("td", {}, extractionLink(x.extraction_id)),
        el("td", { className: "mono", textContent: x.camera_id }),
        el("td", { className: "mono", textContent: [x.case_id, x.tip_id].filter(Boolean).join(" · ") }),
        el("td", { textContent: `${fmtTime(x.time_from)} – ${fmtTime(x.time_to)}` }),
        el("td", { textContent: String(x.files.length) }),
        el("td", { textContent: fmtTime(x.logged_at) }))));
      $("#extractions-empty").hidden = found.items.length > 0;
    } catch (err) { sayFailure(err); }
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!form.reportValidity()) return;
    if ((form.elements.lat.value === "") !== (form.elements.lon.value === "")) return say(T.near_both, true);
    reload();
  });
  for (const name of ["status", "owner_kind", "unit_code"]) form.elements[name].addEventListener("change", reload);
  $("#near-clear").addEventListener("click", () => {
    form.elements.lat.value = "";
    form.elements.lon.value = "";
    reload();
  });
  $("#page-prev").addEventListener("click", () => { if (page > 1) { page -= 1; load(); } });
  $("#page-next").addEventListener("click", () => { if (page < pages) { page += 1; load(); } });

  const editor = registering ? cameraEditor(wardName, () => points, reload) : null;
  if (registering) registryImport(reload);
  function clicked(lat, lon) {
    if (editor && editor.wantsPlace()) return editor.place(lat, lon);
    form.elements.lat.value = lat;
    form.elements.lon.value = lon;
    reload();
  }
  unitWards(who.unit_code).then((found) => {
    wards = found;
    $("#f-ward").append(...wards.map((w) => el("option", { value: w.code, textContent: w.name, title: w.code })));
    if (editor) editor.wards(wards);
  }).catch(sayFailure);
  if (typeof L !== "undefined") {
    wardMap($("#map"), { unitCode: who.unit_code }).then((made) => {
      map = made.map;
      points = made.wards;
      map.on("click", (e) => clicked(round6(e.latlng.lat), round6(e.latlng.lng)));
      load();
    }).catch((err) => { sayFailure(err); load(); });
  } else {
    $("#map").hidden = true;
    load();
  }
  loadExtractions();
}

// Register a camera (POST /cameras) or edit one (PATCH with the version it was read at; a 409
// reloads the latest and says so). The ward follows a place clicked on the map; a place nearer
// another ward's centre is pointed out.
function cameraEditor(wardName, wardPoints, changed) {
  const section = $("#register"), form = $("#camera-form"), f = form.elements;
  const fixed = ["camera_id", "unit_code", "lat", "lon", "installed_at"];
  let editing = null;
  section.hidden = false;

  function checkPlace() {
    const warning = $("#c-place-warning");
    warning.hidden = true;
    if (f.lat.value === "" || f.lon.value === "" || !f.unit_code.value || !wardPoints().length) return;
    const near = nearestWard(wardPoints(), Number(f.lat.value), Number(f.lon.value));
    if (near && near.properties.code !== f.unit_code.value) {
      warning.textContent = fill(T.place_outside, { near: near.properties.name, ward: wardName(f.unit_code.value) });
      warning.hidden = false;
    }
  }
  for (const name of ["lat", "lon", "unit_code"]) f[name].addEventListener("change", checkPlace);

  function mode(camera) {
    editing = camera;
    for (const name of fixed) f[name].disabled = Boolean(camera);
    $("#register-title").textContent = camera ? T.edit_title : T.register_title;
    $("#register-mode").textContent = camera ? fill(T.editing, { id: camera.camera_id, version: camera.version }) : T.register_hint;
    $("#camera-submit").textContent = camera ? T.save : T.register;
    $("#camera-cancel").hidden = !camera;
    clearFieldErrors(form);
  }

  function show(camera) {
    f.camera_id.value = camera.camera_id;
    f.unit_code.value = camera.unit_code;
    f.lat.value = camera.location.lat;
    f.lon.value = camera.location.lon;
    f.installed_at.value = camera.installed_at.slice(0, 10);
    f.owner_kind.value = camera.owner.kind;
    f.owner_name.value = camera.owner.name;
    f.owner_contact.value = camera.owner.contact || "";
    f.programme_code.value = camera.programme_code || "";
    f.retention_days.value = camera.retention_days;
    f.status.value = camera.status;
    mode(camera);
  }

  async function edit(cameraId) {
    try {
      show(await api("GET", `/api/v1/cameras/${enc(cameraId)}`));
      section.scrollIntoView({ block: "start" });
      f.owner_name.focus();
    } catch (err) { sayFailure(err); }
  }

  function owner() {
    const o = { kind: f.owner_kind.value, name: f.owner_name.value.trim() };
    if (f.owner_contact.value.trim()) o.contact = f.owner_contact.value.trim();
    return o;
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!form.reportValidity()) return;
    try {
      if (editing) {
        const body = { version: editing.version, owner: owner(), retention_days: Number(f.retention_days.value),
          status: f.status.value, programme_code: f.programme_code.value.trim() || null };
        const saved = await api("PATCH", `/api/v1/cameras/${enc(editing.camera_id)}`, body);
        say(saved.version === editing.version ? T.unchanged : fill(T.saved, { id: saved.camera_id, version: saved.version }));
        show(saved);
      } else {
        const body = { camera_id: f.camera_id.value.trim(), unit_code: f.unit_code.value,
          location: { lat: Number(f.lat.value), lon: Number(f.lon.value) }, owner: owner(),
          retention_days: Number(f.retention_days.value), status: f.status.value,
          installed_at: `${f.installed_at.value}T00:00:00+07:00` };
        if (f.programme_code.value.trim()) body.programme_code = f.programme_code.value.trim();
        const made = await api("POST", "/api/v1/cameras", body);
        say(`${T.registered}: ${made.camera_id} (${made.unit_name || wardName(made.unit_code)})`);
        form.reset();
        mode(null);
      }
      changed();
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 409 && editing) {
        await edit(editing.camera_id);
        return say(T.conflict, true);
      }
      if (err instanceof ApiFailure && err.status === 409) {
        showFieldErrors(form, [{ input: f.camera_id, text: T.taken }]);
        say(T.err_form, true);
      } else sayFailure(err, form);
    }
  });
  $("#camera-cancel").addEventListener("click", () => { form.reset(); mode(null); });

  return {
    edit,
    wantsPlace: () => !editing,
    place(lat, lon) {
      f.lat.value = lat;
      f.lon.value = lon;
      const near = wardPoints().length ? nearestWard(wardPoints(), lat, lon) : null;
      if (near && [...f.unit_code.options].some((o) => o.value === near.properties.code)) f.unit_code.value = near.properties.code;
      checkPlace();
    },
    wards(list) {
      f.unit_code.append(...list.map((w) => el("option", { value: w.code, textContent: w.name, title: w.code })));
    },
  };
}

// The registry from a CSV or XLSX file: POST /cameras/import, then the job's progress and
// rows in error (batch.js's upload, follow and showJob).
function registryImport(changed) {
  const section = $("#import"), form = $("#upload");
  section.hidden = false;
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!form.reportValidity()) return;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    say(T.uploading);
    try {
      const jobId = await upload(form.elements.file.files[0], "/api/v1/cameras/import");
      $("#job-id").textContent = jobId;
      $("#job-progress").removeAttribute("value");
      $("#job").hidden = false;
      $("#job").focus();
      const job = await follow(jobId);
      if (job.status === "done") say(`${T.finished}: ${job.done} ${T.imported}, ${job.failed} ${T.in_error}`, job.failed > 0);
      changed();
    } catch (err) { sayFailure(err); } finally { button.disabled = false; }
  });
}

// --- files: hashed in the browser, then uploaded or registered by hash ---------------------

async function hashFile(file, progress) {
  const digest = sha256.create();
  for (let at = 0; at < file.size; at += CHUNK) {
    digest.update(new Uint8Array(await file.slice(at, at + CHUNK).arrayBuffer()));
    progress(Math.min(file.size, at + CHUNK) / file.size);
  }
  progress(1);
  return digest.hex();
}

// The file input and its table: each chosen file is hashed at once (one at a time, so a large
// file never sits whole in memory) and shown with its SHA-256 and a "stays on my media" box.
function filePicker() {
  const input = $("#files"), table = $("#file-list"), body = table.querySelector("tbody");
  let chosen = [], queue = Promise.resolve();
  function render() {
    body.replaceChildren(...chosen.map((item) => item.row));
    table.hidden = chosen.length === 0;
  }
  input.addEventListener("change", () => {
    for (const file of input.files) {
      const bar = el("progress", { max: 1, value: 0, ariaLabel: `${T.hashing} ${file.name}` });
      const sha = el("span", { className: "sha" }, bar);
      const keep = el("input", { type: "checkbox", ariaLabel: `${T.keep_on_media}: ${file.name}`, className: "keep" });
      const item = { file, keep, sha: null };
      const remove = el("button", { type: "button", textContent: T.remove, ariaLabel: `${T.remove}: ${file.name}`,
        onclick: () => { chosen = chosen.filter((c) => c !== item); render(); input.focus(); } });
      item.row = el("tr", { className: "file-row" }, el("td", { className: "name", textContent: file.name }),
        el("td", { textContent: fmtSize(file.size) }), el("td", {}, sha), el("td", { className: "center" }, keep),
        el("td", {}, remove));
      item.hashed = queue = queue.then(() => hashFile(file, (f) => { bar.value = f; }))
        .then((hex) => { item.sha = hex; sha.replaceChildren(hashCode(hex)); return hex; });
      chosen.push(item);
    }
    input.value = "";  // the same file may be chosen again after removing it
    render();
  });
  return {
    items: () => chosen,
    async ready() { await Promise.all(chosen.map((c) => c.hashed)); return chosen; },
    clear() { chosen = []; render(); },
  };
}

function uploadFootage(extractionId, file, progress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/v1/extractions/${enc(extractionId)}/files`);
    const who = session.get();
    if (who) xhr.setRequestHeader("Authorization", "Bearer " + who.token);
    xhr.upload.addEventListener("progress", (e) => { if (e.lengthComputable) progress(e.loaded / e.total); });
    xhr.addEventListener("load", () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (_) { body = null; }
      if (xhr.status === 201) return resolve(body);
      if (xhr.status === 401) toLogin();
      reject(new ApiFailure(xhr.status, body));
    });
    xhr.addEventListener("error", () => reject(new TypeError("network")));
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}

function failureText(err) {
  const { note, fields } = failureOf(err);
  return [note, ...fields.map((f) => `${f.name}: ${f.text}`)].join(" ");
}

// Sends the files not yet recorded: those kept on the operator's media are registered by
// hash, the others uploaded, each server hash compared with the browser's.
async function sendFiles(extractionId, items, recorded = new Map()) {
  const body = $("#results tbody");
  body.replaceChildren();
  let allMatch = true;
  for (const item of items) {
    const result = el("td", { className: "result" }), server = el("td", {});
    body.append(el("tr", { className: "result-row" }, el("td", { className: "name", textContent: item.file.name }),
      el("td", {}, hashCode(item.sha)), server, result));
    let serverSha = recorded.get(item.file.name);
    try {
      if (!serverSha && item.keep.checked) {
        const entry = await api("POST", `/api/v1/extractions/${enc(extractionId)}/files/register`,
          { name: item.file.name, size: item.file.size, sha256: item.sha });
        serverSha = entry.details.file.sha256;
      } else if (!serverSha) {
        const bar = el("progress", { max: 1, value: 0, ariaLabel: `${T.uploading} ${item.file.name}` });
        result.replaceChildren(bar);
        const entry = await uploadFootage(extractionId, item.file, (f) => { bar.value = f; });
        serverSha = entry.details.file.sha256;
      }
    } catch (err) {
      allMatch = false;
      result.replaceChildren(el("span", { className: "bad", textContent: failureText(err) }));
      continue;
    }
    server.append(hashCode(serverSha));
    const same = serverSha === item.sha;
    allMatch = allMatch && same;
    result.replaceChildren(el("span", { className: same ? "good" : "bad",
      textContent: same ? (item.keep.checked ? T.match_registered : T.match) : T.mismatch }));
  }
  return allMatch;
}

// --- the extraction form ------------------------------------------------------------------

function nowInVietnam() {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Ho_Chi_Minh", hour: "2-digit", minute: "2-digit",
    second: "2-digit", hourCycle: "h23" }).formatToParts(new Date());
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  return get("hour") * 3600 + get("minute") * 60 + get("second");
}

function extractPage() {
  const who = cameraHeader();
  if (!who) return;
  const form = $("#extract"), picker = filePicker();
  const select = form.elements.camera_id;
  for (const [name, key] of [["case_id", "case"], ["tip_id", "tip"]]) {
    if (pageQuery.get(key)) form.elements[name].value = pageQuery.get(key);
  }

  // The cameras offered: those of the case's (or tip's) ward first, then the others of the
  // unit (the first page, or those the search finds); a camera outside that ward is pointed out.
  const known = new Map();
  let place = null;
  const option = (cam) => {
    known.set(cam.camera_id, cam);
    return el("option", { value: cam.camera_id, textContent: `${cam.camera_id} · ${cam.unit_name || cam.unit_code} · ` +
      `${T["ok_" + cam.owner.kind] || cam.owner.kind}: ${cam.owner.name} · ${T["st_" + cam.status] || cam.status}` });
  };
  function fillGroup(group, items, keep) {
    const chosen = select.value;
    group.replaceChildren(...items.map(option));
    group.hidden = items.length === 0;
    if (keep && chosen && ![...select.options].some((o) => o.value === chosen) && known.has(chosen)) group.prepend(option(known.get(chosen)));
    select.value = chosen;
  }

  function warn() {
    const box = $("#ward-warning"), cam = known.get(select.value);
    box.hidden = !(place && cam && cam.unit_code !== place.unit_code);
    if (!box.hidden) {
      box.textContent = fill(T.outside_ward, { camera: cam.camera_id, camera_ward: cam.unit_name || cam.unit_code,
        ward: place.unit_name, what: T["what_" + place.kind] });
    }
  }

  async function loadOthers() {
    const q = $("#camera-search").value.trim();
    const params = new URLSearchParams({ page_size: "200" });
    if (q) params.set("q", q);
    try {
      const found = await api("GET", `/api/v1/cameras?${params}`);
      const inWard = place ? new Set([...$("#cams-ward").children].map((o) => o.value)) : new Set();
      fillGroup($("#cams-other"), found.items.filter((c) => !inWard.has(c.camera_id)), true);
      warn();
    } catch (err) { sayFailure(err); }
  }

  async function loadWard() {
    const group = $("#cams-ward");
    if (!place) { fillGroup(group, [], false); return; }
    const found = await api("GET", `/api/v1/cameras?unit_code=${enc(place.unit_code)}&page_size=200`);
    group.label = fill(T.in_ward, { ward: place.unit_name });
    fillGroup(group, found.items, false);
  }

  async function findPlace() {
    const caseId = form.elements.case_id.value.trim(), tipId = form.elements.tip_id.value.trim();
    const note = $("#for-place");
    place = null;
    note.textContent = "";
    if (caseId || tipId) {
      const query = caseId ? `case_id=${enc(caseId)}` : `tip_id=${enc(tipId)}`;
      const what = T[caseId ? "what_case" : "what_tip"], id = caseId || tipId;
      try {
        place = await api("GET", `/api/v1/places?${query}`);
        note.textContent = fill(T.place_of, { what, id, ward: place.unit_name });
      } catch (err) {
        if (err instanceof ApiFailure && [403, 404].includes(err.status)) note.textContent = fill(T.place_unknown, { what, id });
        else sayFailure(err);
      }
    }
    try { await loadWard(); } catch (err) { sayFailure(err); }
    await loadOthers();
  }

  async function loadCameras() {
    const wanted = pageQuery.get("camera");
    if (wanted) {
      try {
        const cam = await api("GET", `/api/v1/cameras/${enc(wanted)}`);
        $("#cams-other").append(option(cam));
        select.value = wanted;
      } catch (err) { sayFailure(err); }
    }
    await findPlace();
  }
  select.addEventListener("change", warn);
  for (const name of ["case_id", "tip_id"]) form.elements[name].addEventListener("change", findPlace);
  let searching = null;
  $("#camera-search").addEventListener("input", () => { clearTimeout(searching); searching = setTimeout(loadOthers, 250); });

  async function loadCases() {
    if (!["officer", "commander", "admin"].includes(who.role)) return;  // operators may not list cases
    try {
      const found = await api("GET", "/api/v1/cases?page_size=100");
      $("#cases").replaceChildren(...found.items.map((c) => el("option", { value: c.case_id, textContent: c.title || "" })));
    } catch (err) { sayFailure(err); }
  }

  $("#offset-calc").addEventListener("click", () => {
    const shown = $("#device_time");
    if (!shown.value) { shown.focus(); return say(T.device_time_needed, true); }
    const [h, m, s] = shown.value.split(":").map(Number);
    let offset = h * 3600 + m * 60 + (s || 0) - nowInVietnam();
    if (offset > 43200) offset -= 86400;
    if (offset <= -43200) offset += 86400;
    form.elements.clock_offset_s.value = offset;
    say(`${T.clock_offset}: ${offset} s`);
  });

  function check() {
    const f = form.elements;
    for (const name of ["case_id", "tip_id"]) f[name].setCustomValidity("");
    if (!f.case_id.value.trim() && !f.tip_id.value.trim()) f.case_id.setCustomValidity(T.for_needed);
    f.time_to.setCustomValidity(f.time_from.value && f.time_to.value && f.time_to.value <= f.time_from.value ? T.time_order : "");
    return form.reportValidity();
  }

  let sending = false;
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (sending || !check()) return;
    const names = picker.items().map((c) => c.file.name);
    if (new Set(names).size !== names.length) return say(T.same_name, true);
    const button = form.querySelector("button[type=submit]");
    sending = button.disabled = true;
    try {
      say(T.hashing_wait);
      const items = await picker.ready();
      const f = form.elements;
      const body = { camera_id: f.camera_id.value, time_from: f.time_from.value, time_to: f.time_to.value,
        reason: f.reason.value.trim(), clock_offset_s: Number(f.clock_offset_s.value), export_method: f.export_method.value,
        // files that stay on the operator's media are recorded with the extraction; the others
        // follow as uploads, hashed again by the service as they arrive
        files: items.filter((c) => c.keep.checked).map((c) => ({ name: c.file.name, size: c.file.size, sha256: c.sha })) };
      for (const name of ["case_id", "tip_id"]) if (f[name].value.trim()) body[name] = f[name].value.trim();
      if (f.extracted_at.value) body.extracted_at = f.extracted_at.value;
      const made = await api("POST", "/api/v1/extractions", body);
      const recorded = new Map(made.files.map((file) => [file.name, file.sha256]));
      form.hidden = true;
      $("#done-id").textContent = made.extraction_id;
      $("#open-extraction").href = `/camera/trich-xuat/${enc(made.extraction_id)}?lang=${LANG}`;
      $("#done").hidden = false;
      $("#done").focus();
      say(`${T.logged}: ${made.extraction_id}`);
      const allMatch = await sendFiles(made.extraction_id, items, recorded);
      say(allMatch ? `${T.logged}: ${made.extraction_id}. ${T.all_match}` : T.some_failed, !allMatch);
    } catch (err) {
      sayFailure(err);
      sending = button.disabled = false;
    }
  });
  loadCameras();
  loadCases();
}

// --- one extraction -----------------------------------------------------------------------

function custodyDetails(entry) {
  const d = entry.details || {};
  if (entry.action === "created") return `${T.camera} ${d.camera_id} · ${fmtTime(d.time_from)} – ${fmtTime(d.time_to)}`;
  if (d.file) return `${d.file.name} (${fmtSize(d.file.size)}) · SHA-256 ${d.file.sha256}`;
  return [d.to_person, d.to_unit_code && `${T.unit} ${d.to_unit_code}`, d.note].filter(Boolean).join(" · ") || "–";
}

function extractionPage() {
  const who = cameraHeader();
  if (!who) return;
  const article = $("#extraction"), id = article.dataset.extractionId;
  const path = `/api/v1/extractions/${enc(id)}`;
  const picker = filePicker();

  function renderCustody(entries) {
    const files = entries.filter((e) => e.action === "file_added").map((e) => e.details.file);
    $("#files tbody").replaceChildren(...files.map((file) => el("tr", { className: "file-row" },
      el("td", { className: "name", textContent: file.name }), el("td", { textContent: fmtSize(file.size) }),
      el("td", {}, hashCode(file.sha256)), el("td", { textContent: file.stored ? T.stored : T.on_media }))));
    $("#custody tbody").replaceChildren(...entries.map((e) => el("tr", { className: `custody-row a-${e.action}` },
      el("td", { textContent: String(e.seq) }),
      el("td", { textContent: T["a_" + e.action] || e.action }),
      el("td", { textContent: fmtTime(e.at) }),
      el("td", { textContent: e.actor ? `${e.actor.username} (${label("role", e.actor.role)})` : "–" }),
      el("td", { className: "details", textContent: custodyDetails(e) }),
      el("td", {}, el("code", { className: "hash short", title: `prev ${e.prev_sha256}`, textContent: e.sha256.slice(0, 16) + "…" })))));
    $("#verify-cmd").dataset.files = files.map((f) => shellQuote(f.name)).join(" ");
    return files;
  }

  async function loadCustody() {
    const chain = await api("GET", `${path}/custody`);
    return renderCustody(chain.entries);
  }

  async function load() {
    try {
      const x = await api("GET", path);  // the service records this view in the custody log
      const facts = { camera: x.camera_id, case: x.case_id || "–", tip: x.tip_id || "–",
        footage: `${fmtTime(x.time_from)} – ${fmtTime(x.time_to)}`, extracted: fmtTime(x.extracted_at),
        offset: `${x.clock_offset_s} s`, method: T["em_" + x.export_method] || x.export_method,
        by: x.extracted_by, logged: fmtTime(x.logged_at), reason: x.reason };
      for (const [key, value] of Object.entries(facts)) $(`#f-${key}`).textContent = value;
      $("#f-unit").replaceChildren(unitText(x.unit_code));
      await loadCustody();
      article.hidden = false;
      const key = await api("GET", "/api/v1/extractions/manifest-key");
      $("#verify-cmd").textContent = `python -m services.extraction.verify manifest-${id}.json ${$("#verify-cmd").dataset.files} ` +
        `--public-key ${key.public_key}`;
    } catch (err) { sayFailure(err); }
  }

  $("#manifest").addEventListener("click", async () => {
    try {
      const response = await api("GET", `${path}/manifest`, null, true);
      const link = el("a", { href: URL.createObjectURL(await response.blob()), download: `manifest-${id}.json` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 1000);
      say(T.manifest_saved);
    } catch (err) { sayFailure(err); }
  });

  const custody = $("#custody-form");
  custody.addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = custody.elements;
    f.to_person.setCustomValidity(f.action.value === "transferred" && !f.to_person.value.trim() && !f.to_unit_code.value.trim()
      ? T.to_needed : "");
    if (!custody.reportValidity()) return;
    const body = { action: f.action.value };
    for (const name of ["to_person", "to_unit_code", "note"]) if (f[name].value.trim()) body[name] = f[name].value.trim();
    try {
      await api("POST", `${path}/custody`, body);
      for (const name of ["to_person", "to_unit_code", "note"]) f[name].value = "";
      await loadCustody();
      say(`${T.custody_added}: ${T["a_" + body.action]}`);
    } catch (err) { sayFailure(err); }
  });

  const adding = $("#add-files");
  adding.addEventListener("submit", async (e) => {
    e.preventDefault();
    const items = await picker.ready();
    if (!items.length) { $("#files").focus(); return say(T.no_files, true); }
    $("#done").hidden = false;
    const allMatch = await sendFiles(id, items);
    picker.clear();
    try { await loadCustody(); } catch (err) { sayFailure(err); }
    say(allMatch ? T.all_match : T.some_failed, !allMatch);
  });
  if (!EXTRACTING_ROLES.includes(who.role)) adding.hidden = true;
  load();
}

({ cameras: camerasPage, extract: extractPage, extraction: extractionPage })[document.body.dataset.page]();
