"use strict";
// The public pages: the tip form and the follow-up by receipt code (no login).
function tipPage() {
  wardPicker().catch(sayFailure);
  contactToggle();
  const place = placePicker();  // map.js: a tap on the map sets the tip's location
  const form = $("#tip-form");
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!form.reportValidity()) return;
    const tip = { channel: "web", content: form.elements.content.value.trim(),
      unit_code: form.elements.unit_code.value, anonymous: form.elements.anonymous.checked };
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
        tip.attachments = [(await api("POST", "/api/v1/attachments", upload)).attachment_id];
      }
      const answer = await api("POST", "/api/v1/tips", tip);
      form.hidden = true;
      say(T.sent);
      $("#after").hidden = false;
      $("#go-followup").href += "#" + answer.receipt_code;
      await showReceipt(answer.receipt_code);
    } catch (err) {
      sayFailure(err);
      form.querySelector("button[type=submit]").disabled = false;
    }
  });
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
