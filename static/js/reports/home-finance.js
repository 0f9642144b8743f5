// Finance's home: the statement cycle by status and deadline, advances against the cap,
// failed spot checks, from one request (/api/reports/home/finance/).
import { startAlpine } from "../lib/alpine.js";
import { money } from "../lib/format.js";
import { barClass, fill, loadInto } from "./home-common.js";

function financeHome() {
  return {
    data: null,
    loading: true,
    error: "",

    init() {
      loadInto(this, this.$el.dataset.url);
    },

    text(name, params = {}) {
      return fill(this.$root.dataset[name], params);
    },

    get cycle() {
      if (!this.data) return null;
      const cycle = this.data.cycle;
      const left = cycle.review_days_left;
      let leftText = this.text("passed");
      if (left === 0) leftText = this.text("dueToday");
      else if (left !== null && left !== undefined) leftText = this.text("daysLeft", { count: left });
      return {
        ...cycle,
        title: this.text("cycleText", { month: cycle.month }),
        leftText,
        leftClass: left === null || left === undefined || left <= 1 ? "warn" : "",
        rows: cycle.by_status.filter((row) => row.count > 0),
      };
    },

    get deadline() {
      if (!this.data) return null;
      const deadline = this.data.by_deadline;
      return { ...deadline, lateClass: deadline.overdue ? "is-late" : "" };
    },

    get waiting() {
      if (!this.data) return [];
      return this.data.waiting.map((row) => ({
        ...row, payable_total: money(row.payable_total),
        rowClass: row.overdue ? "is-overdue" : "",
        dueClass: row.overdue ? "overdue-text" : "muted",
        dueText: row.status === "approved" ? this.text("payFrom", { date: row.payout_from })
          : this.text("reviewBy", { date: row.review_due }),
      }));
    },

    get toPayText() {
      if (!this.data) return "";
      const pay = this.data.to_pay;
      return `${pay.count} · ${money(pay.amount)}`;
    },

    get advances() {
      if (!this.data) return null;
      const advances = this.data.advances;
      return {
        ...advances,
        cap: money(advances.cap),
        outstanding: money(advances.outstanding),
        rows: advances.rows.map((row) => ({
          ...row, outstanding: money(row.outstanding),
          barClass: row.at_cap ? "bar full" : "bar", fillClass: barClass(row.used_pct),
        })),
      };
    },

    get spotFailed() {
      return this.data ? this.data.spot_checks.failed : 0;
    },

    get spotRows() {
      return this.data ? this.data.spot_checks.rows : [];
    },

    get spotNone() {
      return Boolean(this.data) && this.spotFailed === 0;
    },
  };
}

startAlpine({ financeHome });
