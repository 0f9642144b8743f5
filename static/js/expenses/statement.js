// The rep's monthly statement: before filing, the month as generated now (per retailer
// purchases and 客情费, the new-customer summary, the deadlines) and the submit button;
// after, its place in the review chain, the late flag, a return's reason and "file again".
// Submitting sends an Idempotency-Key: a double tap or a retry files once.
import { startAlpine } from "../lib/alpine.js";
import {
  allErrors, api, apiAll, config, dateTime, deadlineClass, deadlineText, emptyBody, errorText, fill,
  money, newKey, statementBody, t, visibleRows, MANY_ROWS, withQuery,
} from "./common.js";

function repStatement() {
  return {
    ...emptyBody(),
    months: config.months,
    month: config.month,
    statement: null,
    deadlines: null,
    calendarError: "",
    loading: false,
    loadedBody: false,
    busy: false,
    error: "",
    notice: "",
    submitKey: newKey(),

    get manyRows() {
      return this.rows.length > MANY_ROWS;
    },

    get shownRows() {
      return visibleRows(this.rows, this.onlyClaimed);
    },

    init() {
      if (!this.months.includes(this.month)) this.months = [...this.months, this.month];
      this.load();
    },

    get linesUrl() {
      return withQuery(config.urls.claims_page, { month: this.month });
    },
    get detailUrl() {
      return this.statement ? fill(config.urls.detail_page, this.statement.id) : "#";
    },
    get exportUrl() {
      return this.statement ? `${fill(config.urls.statement, this.statement.id)}export/` : "#";
    },
    get showPreview() {
      return !this.loading && !this.statement && this.loadedBody;
    },
    get returned() {
      return Boolean(this.statement && this.statement.status === "returned");
    },
    get statusClass() {
      return this.statement ? `status-${this.statement.status}` : "";
    },
    get submittedText() {
      return this.statement ? dateTime(this.statement.submitted_at) : "";
    },
    get paidText() {
      return this.statement ? money(this.statement.paid_total) : "";
    },
    get reviewText() {
      const open = this.statement && ["submitted", "clerk_checked", "manager_approved"]
        .includes(this.statement.status);
      return open ? deadlineText(this.statement.review_due) : "";
    },
    get reviewClass() {
      return this.statement ? deadlineClass(this.statement.review_due) : "";
    },
    get submitText() {
      return this.deadlines ? deadlineText(this.deadlines.submit_due) : "";
    },
    get submitClass() {
      return this.deadlines ? deadlineClass(this.deadlines.submit_due) : "";
    },
    get willBeLate() {
      return Boolean(this.deadlines && config.workdays.today > this.deadlines.submit_due);
    },

    signer(step) {
      const s = this.statement;
      if (!s) return "";
      const [name, at] = {
        clerk: [s.clerk_checked_by_name, s.clerk_checked_at],
        manager: [s.manager_approved_by_name, s.manager_approved_at],
        finance: [s.finance_approved_by_name, s.finance_approved_at],
      }[step];
      return name ? `${name} · ${dateTime(at)}` : "—";
    },

    show(body) {
      Object.assign(this, statementBody(body));
      this.loadedBody = true;
    },

    async load() {
      this.loading = true;
      this.error = "";
      this.statement = null;
      this.deadlines = null;
      this.calendarError = "";
      Object.assign(this, emptyBody());
      this.loadedBody = false;
      try {
        const found = await apiAll(withQuery(config.urls.statements, {
          month: this.month, rep: config.user_id }));
        const filed = found.find((item) => item.status !== "draft");
        if (filed) {
          this.statement = await api(fill(config.urls.statement, filed.id));
          this.show(this.statement);
        } else {
          const preview = await api(withQuery(config.urls.preview, { month: this.month }));
          this.deadlines = preview.deadlines;
          this.calendarError = preview.calendar_error || "";
          this.show(preview);
        }
      } catch (error) {
        this.error = errorText(error);
      } finally {
        this.loading = false;
      }
    },

    async submit() {
      this.busy = true;
      this.error = "";
      this.notice = "";
      try {
        this.statement = await api(config.urls.statements, {
          method: "POST", body: { month: this.month },
          headers: { "Idempotency-Key": this.submitKey } });
        this.show(this.statement);
        this.notice = t("submitted");
        this.submitKey = newKey();
      } catch (error) {
        this.error = allErrors(error);
        if (error.status && error.status < 500) this.submitKey = newKey();
      } finally {
        this.busy = false;
      }
    },

    async resubmit() {
      this.busy = true;
      this.error = "";
      try {
        this.statement = await api(`${fill(config.urls.statement, this.statement.id)}resubmit/`, {
          method: "POST", headers: { "Idempotency-Key": newKey() } });
        this.show(this.statement);
        this.notice = t("resubmitted");
      } catch (error) {
        this.error = allErrors(error);
      } finally {
        this.busy = false;
      }
    },
  };
}

startAlpine({ repStatement });
