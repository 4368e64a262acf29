"use strict";
// The informant's contact on the officer's tip page (template contact.html): for an officer or
// commander of the unit, on a tip that is not anonymous, after a stated reason. Intake records
// every release (who, role, unit, why, when: GET /tips/{id}/contact?reason=).
(function informant() {
  const ROLES = ["officer", "commander"];
  const section = $("#informant"), form = $("#informant-form"), reason = $("#informant-reason");
  const who = session.get();
  if (!section || !who || !ROLES.includes(who.role)) return;
  let tipId = null;

  document.addEventListener("tip-loaded", (e) => {
    tipId = e.detail.tip_id;
    section.hidden = e.detail.anonymous !== false;
  });
  $("#informant-open").addEventListener("click", () => {
    form.hidden = false;
    $("#informant-open").setAttribute("aria-expanded", "true");
    reason.focus();
  });
  $("#informant-cancel").addEventListener("click", () => {
    clearFieldErrors(form);
    form.hidden = true;
    $("#informant-open").setAttribute("aria-expanded", "false");
  });
  const rules = { reason: (why) => [reason, /at least/.test(why) ? T.informant_short
    : /at most/.test(why) ? T.informant_long : T.informant_empty] };

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    const text = reason.value.trim();
    if (!text) { showFieldErrors(form, [{ input: reason, text: T.informant_empty }]); return; }
    try {
      const query = new URLSearchParams({ reason: text });
      const released = await api("GET", `/api/v1/tips/${encodeURIComponent(tipId)}/contact?${query}`);
      const contact = released.contact || {};
      for (const key of ["name", "phone", "email"]) $(`#ic-${key}`).textContent = contact[key] || "–";
      $("#ic-released").textContent = `${T.informant_logged} ${fmtTime(released.released_at)}`;
      form.hidden = true;
      reason.value = "";
      const box = $("#informant-contact");
      box.hidden = false;
      box.focus();
      say(T.informant_logged_short);
    } catch (err) {
      const errors = apiFieldErrors(err, rules);
      if (errors) showFieldErrors(form, errors);
      else if (err.status === 404) say(T.informant_none, true);
      else sayFailure(err);
    }
  });
})();
