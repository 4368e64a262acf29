"use strict";
// The public pages: the tip form and the follow-up by receipt code (no login).
// The API's fields on this form: the element each belongs to and its message.
function tipFieldRules(form) {
  const on = (input, text) => () => [input, text];
  return {
    content: (reason) => [form.elements.content, /at most/.test(reason) ? T.fe_content_long_api : T.fe_content_empty],
    unit_code: on($("#ward"), T.fe_unit),
    location: on($("#ward"), T.fe_location),
    occurred_at: (reason) => [form.elements.occurred_at, /future/.test(reason) ? T.fe_occurred_future : T.fe_occurred_bad],
    contact: on(form.elements.anonymous, T.fe_contact),
    "contact.name": on(form.elements.name, T.fe_name),
    "contact.phone": on(form.elements.phone, T.fe_phone),
    "contact.email": on(form.elements.email, T.fe_email),
    attachments: on(form.elements.photo, T.fe_photo),
    file: on(form.elements.photo, T.fe_photo),
  };
}

function tipPage() {
  wardPicker().catch(sayFailure);
  contactToggle();
  const place = placePicker();  // map.js: a tap on the map sets the tip's location
  const form = $("#tip-form");
  const content = form.elements.content;
  const tooLong = contentCounter(content, $("#content-count"), Number(content.dataset.max), T.fe_content_long, T.counter);
  const rules = tipFieldRules(form);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    const over = tooLong();  // the API is the judge of every other rule; this one must never cut the text
    if (over) { showFieldErrors(form, [over]); say(T.fe_summary, true); return; }
    const tip = { channel: "web", content: content.value.trim(),
      unit_code: form.elements.unit_code.value, anonymous: form.elements.anonymous.checked };
    if (!tip.unit_code) delete tip.unit_code;  // the API says what is missing (a ward, or a place on the map)
    if (form.elements.occurred_at.value) tip.occurred_at = form.elements.occurred_at.value;
    if (place.location) tip.location = place.location;
    const contact = tip.anonymous ? null : contactOf(form);
    if (contact) tip.contact = contact;
    const photo = form.elements.photo.files[0];
    form.querySelector("button[type=submit]").disabled = true;
    try {
      if (photo) {  // stored by intake first; the tip then names it
        say(T.photo_sending);
        const upload = new FormData();
        upload.append("file", photo, photo.name);
        tip.attachments = [(await api("POST", "/api/v1/attachments", upload).catch((err) => {
          throw err instanceof ApiFailure && [413, 422].includes(err.status) ? photoFailure(err) : err;
        })).attachment_id];
      }
      const answer = await api("POST", "/api/v1/tips", tip);
      form.hidden = true;
      say(T.sent);
      $("#after").hidden = false;
      $("#go-followup").href += "#" + encodeURIComponent(answer.receipt_code);
      await showReceipt(answer.receipt_code);
    } catch (err) {
      const errors = apiFieldErrors(err, rules);
      if (errors) { say(T.fe_summary, true); showFieldErrors(form, errors); } else sayFailure(err);
      form.querySelector("button[type=submit]").disabled = false;
    }
  });
}

// A refused photo (too large, empty, not a picture) is an error of the photo field.
function photoFailure(err) {
  return new ApiFailure(422, { error: { message: err.message, fields: [{ field: "file", reason: err.message }] } });
}

function followupPage() {
  const lookup = $("#lookup"), input = $("#code");
  const code = () => encodeURIComponent(input.value.trim().toUpperCase());
  async function load() {
    try {
      const view = await api("GET", `/api/v1/receipts/${code()}`);
      $("#status-text").textContent = view.status_text[LANG];
      $("#sent-at").textContent = fmtTime(view.received_at);
      renderMessages($("#messages"), view.messages);
      $("#view").hidden = false;
      say("");
    } catch (err) {
      $("#view").hidden = true;
      if (err.status === 404) say(T.not_found, true);
      else if (err.status === 429) say(T.locked, true);
      else sayFailure(err);
    }
  }
  lookup.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  $("#reply").addEventListener("submit", async (e) => {
    e.preventDefault();
    const text = $("#reply-text");
    try {
      await api("POST", `/api/v1/receipts/${code()}/messages`, { text: text.value.trim() });
      text.value = "";
      await load();
    } catch (err) { sayFailure(err); }
  });
  if (location.hash.length > 1) {
    input.value = decodeURIComponent(location.hash.slice(1));
    history.replaceState(null, "", location.pathname + location.search);  // not left in history
    load();
  }
}

({ tip: tipPage, followup: followupPage })[document.body.dataset.page]();
