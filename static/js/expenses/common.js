// Shared by the 客情费 pages: multipart uploads, Idempotency-Keys, deadlines counted in
// working days (the page carries the statutory calendar's working days), money display.
import { ApiError, api, apiAll, errorText, withQuery } from "../lib/api.js";
import { money as formatMoney, toCents, centsToString, sumDecimals } from "../lib/format.js";
import { readJson, t } from "../lib/i18n.js";

export { api, apiAll, errorText, withQuery, readJson, t, toCents, centsToString };
export const sumMoney = sumDecimals;

export const config = readJson("expenses-config");

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

/** A fresh key for one logical request; a retry of that request reuses it. */
export function newKey() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") {
    return window.crypto.randomUUID();
  }
  const bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** POST multipart (a receipt photo); the same errors as api(). */
export async function apiForm(url, formData, { method = "POST", headers = {} } = {}) {
  let response;
  try {
    response = await fetch(url, {
      method,
      body: formData,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken(), ...headers },
    });
  } catch (error) {
    throw new ApiError(0, null, t("network_error"));
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    // Reuse api()'s wording by replaying its rules on the body.
    const probe = new ApiError(response.status, data, "");
    probe.message = messageOf(response.status, data);
    throw probe;
  }
  return data;
}

function firstText(value) {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.length) return firstText(value[0]);
  return "";
}

function messageOf(status, data) {
  if (status === 400) {
    return (data && (firstText(data.non_field_errors) || firstText(data.detail)))
      || t("fix_fields");
  }
  if (status === 401) return t("session_ended");
  if (status === 403) return (data && firstText(data.detail)) || t("forbidden");
  if (status === 404) return t("not_found");
  return t("server_error");
}

/** Every field error of an ApiError as one sentence (for places without per-field slots). */
export function allErrors(error) {
  const fields = error && error.fields ? error.fields : {};
  const texts = Object.entries(fields)
    .filter(([field]) => field !== "detail")
    .map(([, text]) => text);
  let general = errorText(error);
  if (texts.length && general === t("fix_fields")) general = "";
  return [...new Set([general, ...texts])].filter(Boolean).join(" ");
}

export function money(value) {
  return formatMoney(value ?? "0");
}

/** "3 working days left", "due today", "overdue", counted on the statutory calendar. */
export function deadlineText(due) {
  if (!due) return "";
  const calendar = config.workdays || { days: [], today: "" };
  const today = calendar.today;
  if (due < today) return t("overdue");
  if (due === today) return t("due_today");
  if (!calendar.until || due > calendar.until) return t("calendar_missing");
  const left = calendar.days.filter((day) => day > today && day <= due).length;
  return left === 1 ? t("one_day_left") : t("days_left", { count: left });
}

export function deadlineClass(due) {
  const today = (config.workdays || {}).today || "";
  if (!due) return "";
  if (due < today) return "deadline overdue";
  const left = (config.workdays.days || []).filter((day) => day > today && day <= due).length;
  return left <= 1 ? "deadline soon" : "deadline";
}

/** A URL template "/x/{id}/" filled. */
export function fill(template, id) {
  return template.replace("{id}", String(id));
}

export function dateTime(value) {
  if (!value) return "";
  const when = new Date(value);
  if (Number.isNaN(when.getTime())) return value;
  return when.toLocaleString(document.documentElement.lang || "zh-CN", {
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  });
}

/**
 * The retailer picker's state and methods, spread into a component: a search over the
 * user's own retailers (the API scopes it), then `onRetailer(retailer)` when picked.
 */
export function retailerPicker() {
  let timer = null;
  let seq = 0;
  return {
    retailer: null,
    retailerQuery: "",
    retailerResults: [],

    searchRetailers() {
      clearTimeout(timer);
      timer = setTimeout(() => this.runRetailerSearch(), 250);
    },

    async runRetailerSearch() {
      const text = this.retailerQuery.trim();
      const mine = ++seq;
      if (!text) {
        this.retailerResults = [];
        return;
      }
      try {
        const data = await api(withQuery(config.urls.retailers, { q: text, page_size: 20 }));
        if (mine === seq) this.retailerResults = data.results || [];
      } catch (error) {
        if (mine === seq) this.retailerResults = [];
      }
    },

    pickRetailer(option) {
      this.retailer = option;
      this.retailerResults = [];
      this.retailerQuery = "";
      if (this.errors) this.errors = { ...this.errors, retailer: "" };
      if (typeof this.onRetailer === "function") this.onRetailer(option);
    },

    clearRetailer() {
      this.retailer = null;
      if (typeof this.onRetailer === "function") this.onRetailer(null);
    },
  };
}

/** Field errors of an ApiError split into those with a slot in `fields` and the rest. */
export function splitErrors(error, fields) {
  const all = error && error.fields ? error.fields : {};
  const shown = {};
  const elsewhere = [];
  for (const [field, text] of Object.entries(all)) {
    if (fields.includes(field)) shown[field] = text;
    else if (field !== "non_field_errors" && field !== "detail") elsewhere.push(text);
  }
  let general = errorText(error);
  if (elsewhere.length && general === t("fix_fields")) general = "";
  return { shown, message: [general, ...elsewhere].filter(Boolean).join(" ") };
}

function percentText(rate) {
  const cents = toCents(String(Number(rate || 0) * 100));
  return `${centsToString(cents)}%`;
}

/**
 * A statement (or the preview of one) shaped for templates/expenses/_statement_rows.html.
 * Totals: the statement's own (statements) or the preview's `totals`.
 */
export function statementBody(data) {
  const totals = data.totals || data;
  const rows = (data.rows || []).map((row) => ({
    ...row,
    retailer: row.retailer ?? row.retailer_id,
    purchaseText: money(row.purchase_amount),
    collectedText: money(row.collected_amount),
    rateText: percentText(row.collection_rate),
    claimedText: money(row.claimed_amount),
    payableText: money(row.payable_amount),
  }));
  const ncRows = (data.new_customer_rows || []).map((row) => ({
    ...row,
    status_label: row.status_label || row.status,
    approvedText: money(row.approved_amount),
    claimedText: money(row.claimed_amount),
    payableText: money(row.payable_amount),
  }));
  return {
    rows,
    ncRows,
    totals: {
      purchase: money(totals.purchase_total),
      collected: money(totals.collected_total),
      claimed: money(totals.claimed_total),
      payable: money(totals.payable_total),
      new_customer: money(totals.new_customer_total),
    },
  };
}

/** The rows to show: all of them, or those with 客情费 (a long month on a phone). */
export const MANY_ROWS = 10;

export function visibleRows(rows, onlyClaimed) {
  return onlyClaimed && rows.length > MANY_ROWS ? rows.filter((row) => toCents(row.claimed_amount) > 0n) : rows;
}

export function emptyBody() {
  return { rows: [], ncRows: [], onlyClaimed: true, totals: { purchase: "", collected: "", claimed: "",
    payable: "", new_customer: "" } };
}
