"use strict";
// A page's own messages for the fields the API may report (422 `fields[].field`, e.g. "content",
// "contact.phone", "attachments[0]"): the element each belongs to and its message, shown by
// common.js showFieldErrors.
// And a counter for text areas with a limit: over it, a message says by how much (no silent cut).

const fmtNumber = (n) => n.toLocaleString(LANG === "vi" ? "vi-VN" : "en-GB");
// what the API counts: Unicode code points of the trimmed text
const charCount = (text) => [...text.trim()].length;

// The rule of an API field: its own, else its parent's ("contact.phone" → "contact").
function ruleOf(field, rules) {
  let name = field;
  while (name) {
    if (rules[name]) return rules[name];
    const parent = name.replace(/(\.[^.[\]]*|\[\d+\])$/, "");
    name = parent === name ? "" : parent;
  }
  return null;
}

// rules: {field: (reason) => [input, text]}. The errors an API failure names that the page
// knows; null when it names none (the caller says the failure in the status line).
function apiFieldErrors(err, rules) {
  const fields = (err && err.status === 422 && err.body && err.body.error && err.body.error.fields) || [];
  const errors = [];
  for (const { field, reason } of fields) {
    const rule = ruleOf(field, rules);
    const found = rule && rule(reason || "");
    if (found && !errors.some((e) => e.input === found[0])) errors.push({ input: found[0], text: found[1] });
  }
  return errors.length ? errors : null;
}

// A counter under `area` up to `max` characters; `overText` ("{over}") shown next to it when
// the text is longer. Returns a check: the error to show when sending, or null.
function contentCounter(area, counter, max, overText, countText) {
  const overBy = () => charCount(area.value) - max;
  const message = () => fill(overText, { over: fmtNumber(overBy()), max: fmtNumber(max) });
  const update = () => {
    const over = overBy();
    counter.textContent = fill(countText, { n: fmtNumber(over + max), max: fmtNumber(max) });
    counter.classList.toggle("over", over > 0);
    const note = document.getElementById(`${area.id}-error`);
    if (over > 0) setFieldError(area, message());
    else if (note) clearFieldError(note);  // shortened, or typing after a server error: it no longer holds
  };
  area.addEventListener("input", update);
  update();
  return () => (overBy() > 0 ? { input: area, text: message() } : null);
}
