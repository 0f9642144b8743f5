// The import page: upload an .xlsx, then show the batch's outcome — success counts, or
// every bad row (row, column, reason) with the error report link — and, for files
// imported in the background, a progress bar polled from the API.
const page = document.querySelector(".import-page");
const strings = JSON.parse(document.getElementById("import-strings").textContent);
const form = page.querySelector("[data-import-form]");
const statusBox = page.querySelector("[data-import-status]");
const message = page.querySelector("[data-import-message]");
const progressBox = page.querySelector("[data-import-progress]");
const progressBar = progressBox.querySelector("progress");
const progressText = page.querySelector("[data-import-progress-text]");
const success = page.querySelector("[data-import-success]");
const errorsBox = page.querySelector("[data-import-errors]");
const errorSummary = page.querySelector("[data-import-error-summary]");
const reportLink = page.querySelector("[data-import-report]");
const errorRows = errorsBox.querySelector("tbody");
const submit = form.querySelector("[type=submit]");
const apiUrl = page.dataset.apiUrl;
const POLL_MS = 1000;

function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_match, key) => String(values[key] ?? ""));
}

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

function reset() {
  statusBox.hidden = false;
  message.textContent = "";
  progressBox.hidden = true;
  success.hidden = true;
  errorsBox.hidden = true;
  reportLink.hidden = true;
  errorRows.replaceChildren();
}

function showErrors(summary, errors, reportUrl) {
  errorsBox.hidden = false;
  errorSummary.textContent = summary;
  for (const error of errors) {
    const tr = document.createElement("tr");
    tr.dataset.row = error.row ?? "";
    for (const [text, cls] of [[error.row ?? strings.whole_file, "row-no"], [error.column, ""],
      [error.message, ""]]) {
      const td = document.createElement("td");
      td.textContent = text;
      if (cls) td.className = cls;
      tr.append(td);
    }
    errorRows.append(tr);
  }
  if (reportUrl) {
    reportLink.href = reportUrl;
    reportLink.hidden = false;
  }
}

function showProgress(batch) {
  progressBox.hidden = false;
  const total = batch.progress_total || 0;
  const done = Math.min(batch.progress_done || 0, total);
  progressBar.max = Math.max(total, 1);
  progressBar.value = done;
  progressText.textContent = format(strings.progress, { done, total });
  if (batch.status === "queued") message.textContent = strings.queued;
  else message.textContent = total && done >= total ? strings.writing : strings.running;
}

function showBatch(batch) {
  if (!batch.finished) {
    showProgress(batch);
    return false;
  }
  progressBox.hidden = true;
  message.textContent = "";
  if (batch.status === "succeeded") {
    success.hidden = false;
    success.textContent = format(strings[`${batch.kind}_done`], batch.counts || {});
  } else {
    let summary = batch.status === "failed" ? strings.failed
      : format(strings.refused, { count: batch.error_count });
    if (batch.error_count > batch.errors.length) {
      summary += ` ${format(strings.refused_more, { shown: batch.errors.length })}`;
    }
    showErrors(summary, batch.errors, batch.error_report_url);
  }
  return true;
}

async function poll(id) {
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const response = await fetch(`${apiUrl}${id}/`, {
      credentials: "same-origin", headers: { Accept: "application/json" },
    });
    if (!response.ok) throw new Error(String(response.status));
    if (showBatch(await response.json())) return;
  }
}

function fieldMessages(data) {
  if (!data || typeof data !== "object") return [];
  return Object.values(data).flat().filter((text) => typeof text === "string");
}

async function upload(event) {
  event.preventDefault();
  const file = form.elements.file.files[0];
  reset();
  if (!file) {
    showErrors(strings.choose_file, []);
    return;
  }
  const body = new FormData();
  body.append("kind", form.elements.kind.value);
  body.append("file", file);
  submit.disabled = true;
  message.textContent = strings.uploading;
  try {
    const response = await fetch(apiUrl, {
      method: "POST", body, credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    });
    const data = await response.json().catch(() => null);
    message.textContent = "";
    if (response.status === 400) {
      showErrors(fieldMessages(data).join(" ") || strings.server, []);
    } else if (response.status === 403) {
      showErrors((data && data.detail) || strings.forbidden, []);
    } else if (!response.ok) {
      showErrors(strings.server, []);
    } else if (!showBatch(data)) {
      await poll(data.id);
    }
  } catch (error) {
    message.textContent = "";
    showErrors(strings.network, []);
  } finally {
    submit.disabled = false;
    form.elements.file.value = "";
  }
}

form.addEventListener("submit", upload);
