// The exports page: request an export (kind + filters, with an Idempotency-Key), then
// follow my jobs — a progress bar with the job's percentage, polled while any job is
// queued or writing — download a finished file, run a failed or expired one again.
import { api, errorText, fieldErrors } from "../lib/api.js";
import { readJson, t } from "../lib/i18n.js";

const config = readJson("exports-config");
const page = document.querySelector(".exports-page");
const form = page.querySelector("[data-export-form]");
const formError = page.querySelector("[data-form-error]");
const notice = page.querySelector("[data-notice]");
const tbody = page.querySelector("[data-testid=export-jobs] tbody");
const empty = page.querySelector("[data-empty]");
const submit = form.querySelector("[type=submit]");
const POLL_MS = 1000;
let polling = null;

function newKey() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function fillSelect(select, options, blank) {
  const rows = blank === undefined ? options : [{ value: "", label: blank }, ...options];
  select.replaceChildren(...rows.map(({ value, label }) => new Option(label, value)));
}

function setUp() {
  fillSelect(form.elements.kind, config.kinds);
  form.elements.kind.value = config.kind;
  fillSelect(form.elements.grade, config.grades, "—");
  fillSelect(form.elements.status, config.statuses, "—");
  for (const select of form.querySelectorAll("select[data-reps]")) {
    fillSelect(select, config.reps, t("any_rep"));
  }
  form.elements.month.value = config.this_month;
  form.elements.month_from.value = config.last_month;
  form.elements.month_to.value = config.last_month;
  form.elements.date_from.value = config.month_ago;
  form.elements.date_to.value = config.today;
  showFilters();
}

function filterLabels() {
  return form.querySelectorAll(".filters [data-for]");
}

function showFilters() {
  const kind = form.elements.kind.value;
  for (const label of filterLabels()) {
    label.hidden = !label.dataset.for.split(" ").includes(kind);
  }
}

function filters() {
  const values = {};
  for (const label of filterLabels()) {
    if (label.hidden) continue;
    const field = label.querySelector("input, select");
    if (field.value !== "") values[field.name] = field.value;
  }
  return values;
}

function showError(text) {
  formError.textContent = text;
  formError.hidden = !text;
}

async function request(event) {
  event.preventDefault();
  showError("");
  notice.hidden = true;
  submit.disabled = true;
  try {
    await api(config.api_url, {
      method: "POST",
      body: { kind: form.elements.kind.value, filters: filters() },
      headers: { "Idempotency-Key": newKey() },
    });
    notice.textContent = t("requested");
    notice.hidden = false;
    await refresh();
  } catch (error) {
    const fields = error && error.status === 400 ? Object.values(fieldErrors(error.data)) : [];
    showError(fields.length ? fields.join(" ") : errorText(error));
  } finally {
    submit.disabled = false;
  }
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "";
}

function summary(job) {
  const reps = new Map(config.reps.map(({ value, label }) => [value, label]));
  return Object.entries(job.filters || {})
    .map(([name, value]) => (name === "rep" || name === "assigned_rep"
      ? reps.get(String(value)) || value : value))
    .join(" · ");
}

function cell(...children) {
  const td = document.createElement("td");
  td.append(...children);
  return td;
}

function text(value, className = "") {
  const span = document.createElement("span");
  span.textContent = value;
  if (className) span.className = className;
  return span;
}

function progressCell(job) {
  const bar = document.createElement("progress");
  bar.max = 100;
  bar.value = job.percent;
  bar.dataset.testid = "export-progress";
  bar.setAttribute("aria-label", `${job.percent}%`);
  const figures = job.status === "succeeded" || job.status === "expired"
    ? t("rows_done", { count: job.row_count })
    : t("rows", { done: job.progress_done, total: job.progress_total });
  const td = cell(bar, text(`${job.percent}% · ${figures}`, "muted"));
  td.className = "progress-cell";
  return td;
}

function actionsCell(job) {
  const td = cell();
  td.className = "actions";
  if (job.download_url) {
    const link = document.createElement("a");
    link.href = job.download_url;
    link.textContent = t("download");
    link.dataset.testid = "export-download";
    link.setAttribute("download", job.file_name || "");
    td.append(link, text(` ${t("expires", { time: when(job.expires_at) })}`, "muted"));
  }
  if (job.can_retry) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = t("retry");
    button.dataset.testid = "export-retry";
    button.addEventListener("click", () => retry(job, button));
    td.append(button);
  }
  return td;
}

function row(job) {
  const tr = document.createElement("tr");
  tr.dataset.testid = "export-job";
  tr.dataset.id = job.id;
  tr.dataset.status = job.status;
  const status = text(job.status_label, `status-${job.status}`);
  status.dataset.testid = "export-status";
  const statusCell = cell(status);
  if (job.error) statusCell.append(document.createElement("br"), text(job.error, "muted"));
  tr.append(cell(text(job.kind_label), document.createElement("br"),
    text(summary(job), "muted")), cell(text(when(job.created_at))), statusCell,
  progressCell(job), actionsCell(job));
  return tr;
}

async function retry(job, button) {
  button.disabled = true;
  try {
    await api(`${job.url}retry/`, { method: "POST", headers: { "Idempotency-Key": newKey() } });
    await refresh();
  } catch (error) {
    showError(errorText(error));
    button.disabled = false;
  }
}

function render(jobs) {
  tbody.replaceChildren(...jobs.map(row));
  empty.hidden = jobs.length > 0;
}

async function refresh() {
  clearTimeout(polling);
  let jobs = [];
  try {
    const data = await api(config.api_url);
    jobs = data.results || data;
    render(jobs);
  } catch (error) {
    showError(errorText(error));
  }
  if (jobs.some((job) => !job.finished)) polling = setTimeout(refresh, POLL_MS);
}

form.elements.kind.addEventListener("change", showFilters);
form.addEventListener("submit", request);
setUp();
refresh();
