// The rep's care reminders: today (and overdue), the coming days, closed. Done logs a
// care call through the API (a client id and an Idempotency-Key, so a retry logs it once);
// skip needs a reason.
import { startAlpine } from "../../lib/alpine.js";
import { api, errorText, withQuery } from "../../lib/api.js";
import { readJson, t } from "../../lib/i18n.js";

const config = readJson("reminders-config");

export function uuid() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") {
    return window.crypto.randomUUID();
  }
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function url(template, id) {
  return template.replace("{id}", String(id));
}

function reminderList() {
  return {
    when: config.when || "today",
    rows: [],
    loading: true,
    error: "",
    notice: "",
    busy: false,
    skipping: null,
    reason: "",
    note: "",
    errors: {},
    reasons: config.skip_reasons || [],

    init() {
      this.load();
    },

    get isEmpty() {
      return !this.loading && !this.error && this.rows.length === 0;
    },

    get emptyText() {
      return t(`none_${this.when}`);
    },

    async load() {
      this.loading = true;
      this.error = "";
      try {
        const data = await api(withQuery(config.urls.list, { when: this.when, page_size: 100 }));
        this.rows = data.results || [];
      } catch (error) {
        this.error = errorText(error);
        this.rows = [];
      } finally {
        this.loading = false;
      }
    },

    isTab(name) {
      return this.when === name ? "true" : "false";
    },

    tabClass(name) {
      return this.when === name ? "tab active" : "tab";
    },

    setWhen(name) {
      if (this.when === name) return;
      this.when = name;
      this.notice = "";
      this.skipping = null;
      const here = new URL(window.location.href);
      here.searchParams.set("when", name);
      window.history.replaceState(null, "", here);
      this.load();
    },

    isOverdue(row) {
      return row.status === "open" && row.due_date < config.today;
    },

    rowClass(row) {
      if (row.status !== "open") return "closed";
      return this.isOverdue(row) ? "overdue" : "";
    },

    dueText(row) {
      return this.isOverdue(row) ? `${row.due_date} · ${t("overdue")}` : row.due_date;
    },

    subtitle(row) {
      if (row.kind === "birthday" && row.key_person_name) {
        return t("birthday_of", { name: row.key_person_name });
      }
      if (row.detail_label) return `${row.detail_label} ${row.event_date || ""}`.trim();
      return "";
    },

    closedText(row) {
      return row.note ? `${row.status_label}: ${row.note}` : row.status_label;
    },

    retailerUrl(row) {
      return url(config.urls.card, row.retailer);
    },

    canAct(row) {
      return row.status === "open" && row.rep === config.user_id && !this.isSkipping(row);
    },

    isSkipping(row) {
      return this.skipping === row.id;
    },

    errorFor(field) {
      return this.errors[field] || "";
    },

    async done(row) {
      this.busy = true;
      this.error = "";
      try {
        await api(url(config.urls.done, row.id), {
          method: "POST",
          body: { client_id: uuid(), note: "" },
          headers: { "Idempotency-Key": uuid() },
        });
        this.notice = t("done_ok", { retailer: row.retailer_name });
        this.rows = this.rows.filter((other) => other.id !== row.id);
      } catch (error) {
        this.error = errorText(error);
      } finally {
        this.busy = false;
      }
    },

    startSkip(row) {
      this.skipping = row.id;
      this.reason = "";
      this.note = "";
      this.errors = {};
    },

    cancelSkip() {
      this.skipping = null;
      this.errors = {};
    },

    async confirmSkip() {
      const id = this.skipping;
      this.busy = true;
      this.errors = {};
      this.error = "";
      try {
        await api(url(config.urls.skip, id), {
          method: "POST", body: { reason: this.reason, note: this.note },
        });
        this.notice = t("skipped_ok");
        this.skipping = null;
        this.rows = this.rows.filter((other) => other.id !== id);
      } catch (error) {
        this.errors = error.fields || {};
        if (!Object.keys(this.errors).length) this.error = errorText(error);
      } finally {
        this.busy = false;
      }
    },
  };
}

startAlpine({ reminderList });
