"use strict";
// The commander's statistics: a unit (theirs or one below) and a period, the totals, bar charts
// by channel, by programme (the registered names) and by month (SVG columns), drawn here without
// a library, and the yearly report (shown here, or downloaded as MD, CSV or XLSX).
const MEASURES = ["received", "valuable", "converted"];
const SVG = "http://www.w3.org/2000/svg";
const PERIODS = { year: [1, 13], h1: [1, 7], h2: [7, 13], q1: [1, 4], q2: [4, 7], q3: [7, 10], q4: [10, 13] };

function bars(box, groups, label) {
  const top = Math.max(1, ...groups.map((g) => g.received));
  box.replaceChildren(...groups.map((g) => el("div", { className: "bar" },
    el("span", { className: "key", textContent: label(g) }),
    el("span", { className: "track", ariaHidden: "true" }, ...MEASURES.map((k) =>
      el("i", { className: `b-${k}`, style: `--v:${(100 * g[k]) / top}%`, title: `${T[k + "_count"]}: ${g[k]}` }))),
    el("span", { className: "num", textContent: `${g.received} / ${g.valuable} / ${g.converted}`,
      ariaLabel: MEASURES.map((k) => `${T[k + "_count"]} ${g[k]}`).join(", ") }))));
  if (!groups.length) box.append(el("p", { textContent: T.empty }));
}

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

// Every month of [from, to), with the figures of those that have tips (others are zero).
function everyMonth(groups, from, to) {
  const found = new Map(groups.map((g) => [g.key, g]));
  const out = [];
  for (let d = new Date(`${from.slice(0, 7)}-01T00:00:00`); day(d) < to && out.length < 120; d.setMonth(d.getMonth() + 1)) {
    const key = day(d).slice(0, 7);
    out.push(found.get(key) || { key, received: 0, valuable: 0, converted: 0 });
  }
  return out;
}

// Columns per month (three measures side by side) and, for screen readers, the same as a table.
function monthChart(box, groups) {
  if (!groups.some((g) => g.received)) return box.replaceChildren(el("p", { textContent: T.empty }));
  const top = Math.max(1, ...groups.map((g) => g.received));
  const slot = 42, height = 180, base = height + 4, width = Math.max(12, groups.length) * slot + 40;
  const chart = svg("svg", { viewBox: `0 -14 ${width} ${height + 54}`, width: "100%", role: "img",
    "aria-labelledby": "by-month-title", class: "months" });
  chart.append(svg("line", { x1: 30, y1: base, x2: width, y2: base, class: "axis" }),
    svg("text", { x: 26, y: 12, "text-anchor": "end", class: "tick" }, String(top)),
    svg("text", { x: 26, y: base, "text-anchor": "end", class: "tick" }, "0"));
  groups.forEach((g, i) => {
    const x = 36 + i * slot;
    MEASURES.forEach((k, j) => {
      const h = Math.max(g[k] ? 1 : 0, (height * g[k]) / top);
      chart.append(svg("rect", { x: x + j * 11, y: base - h, width: 10, height: h, class: `b-${k}` },
        svg("title", {}, `${g.key}: ${T[k + "_count"]} ${g[k]}`)));
    });
    chart.append(svg("text", { x: x + 16, y: base + 16, "text-anchor": "middle", class: "tick" }, g.key.slice(5)),
      svg("text", { x: x + 16, y: base - (height * g.received) / top - 4, "text-anchor": "middle", class: "val" },
        String(g.received)));
  });
  const table = el("table", { className: "sr" }, el("caption", { textContent: T.by_month }),
    el("tr", {}, el("th", { textContent: T.month }), ...MEASURES.map((k) => el("th", { textContent: T[k + "_count"] }))),
    ...groups.map((g) => el("tr", {}, el("td", { textContent: g.key }), ...MEASURES.map((k) => el("td", { textContent: g[k] })))));
  box.replaceChildren(chart, table);
}

async function unitChoices(select, who) {
  const { unit, districts, wards } = await api("GET", `/ui/units.json?unit_code=${encodeURIComponent(who.unit_code)}`);
  select.append(el("option", { value: unit.code, title: unit.code, textContent: unit.name }));
  if (unit.level === "province") {
    select.append(el("optgroup", { label: T.districts },
      ...districts.map((d) => el("option", { value: d.code, title: d.code, textContent: d.name }))));
  }
  if (unit.level !== "ward") {
    select.append(el("optgroup", { label: T.wards },
      ...wards.map((w) => el("option", { value: w.code, title: w.code, textContent: w.name }))));
  }
  select.value = unit.code;
}

const day = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;

// [from, to) as local dates, from the year and the period (custom: the two dates, both included)
function period(form) {
  const year = Number(form.elements.year.value);
  if (form.elements.period.value === "custom") {
    const to = new Date(`${form.elements.to.value}T00:00:00`);
    to.setDate(to.getDate() + 1);
    return [form.elements.from.value, day(to)];
  }
  const [first, last] = PERIODS[form.elements.period.value];
  return [day(new Date(year, first - 1, 1)), day(new Date(year, last - 1, 1))];
}

function commandPage() {
  const who = staffHeader();
  if (!who) return;
  const form = $("#filters");
  form.elements.year.value = new Date().getFullYear();
  const custom = document.querySelectorAll("#filters .custom");
  form.elements.period.addEventListener("change", () => {
    const on = form.elements.period.value === "custom";
    for (const box of custom) box.hidden = !on;
    form.elements.from.required = form.elements.to.required = on;
  });
  const unit = () => form.elements.unit_code.value || who.unit_code;
  async function load() {
    const [from, to] = period(form);
    const query = `unit_code=${encodeURIComponent(unit())}&from=${from}T00:00:00&to=${to}T00:00:00`;
    try {
      const [channels, programmes, months] = await Promise.all(["channel", "programme", "month"].map((by) =>
        api("GET", `/api/v1/stats/tips?${query}&group_by=${by}`)));
      for (const k of MEASURES) $(`#t-${k}`).textContent = channels.total[k];
      const picked = form.elements.unit_code.selectedOptions[0];
      $("#shown").textContent = `${picked ? picked.textContent : unit()} · ${from} → ${to}`;
      bars($("#by-channel"), channels.groups, (g) => label("channel", g.key));
      bars($("#by-programme"), programmes.groups, (g) => (g.key ? g.name || g.key : T.no_programme));
      monthChart($("#by-month"), everyMonth(months.groups, from, to));
      say("");
    } catch (err) { sayFailure(err); }
  }
  const report = (format) => `/api/v1/reports/summary?unit_code=${encodeURIComponent(unit())}&year=${form.elements.year.value}&format=${format}`;
  form.addEventListener("submit", (e) => { e.preventDefault(); if (form.reportValidity()) load(); });
  $("#show-report").addEventListener("click", async () => {
    try {
      const found = await api("GET", report("json"));
      $("#report-title").textContent = found.title;
      $("#report-text").replaceChildren(...found.paragraphs.map((p) => el("p", { textContent: p })));
      $("#report-view").hidden = false;
      $("#report-view").focus();
    } catch (err) { sayFailure(err); }
  });
  for (const button of document.querySelectorAll("[data-format]")) {
    button.addEventListener("click", async () => {
      try {
        const response = await api("GET", report(button.dataset.format), null, true);
        const link = el("a", { href: URL.createObjectURL(await response.blob()),
          download: `bao-cao-${unit()}-${form.elements.year.value}.${button.dataset.format}` });
        link.click();
        setTimeout(() => URL.revokeObjectURL(link.href), 1000);
      } catch (err) { sayFailure(err); }
    });
  }
  unitChoices(form.elements.unit_code, who).catch(sayFailure).finally(load);
}

commandPage();
