// The rep's home: today's route, care reminders due, open problems and the month so far,
// all from one request (/api/reports/home/rep/).
import { startAlpine } from "../lib/alpine.js";
import { barClass, fill, loadInto, percent } from "./home-common.js";

function repHome() {
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

    retailerUrl(id) {
      return this.$root.dataset.retailerUrl.replace("/0/", `/${id}/`);
    },

    get route() {
      if (!this.data) return null;
      const route = this.data.route;
      return {
        ...route,
        noPlan: !route.plan,
        draft: Boolean(route.plan && route.plan.status !== "approved"),
        next: route.next.map((stop) => ({
          ...stop, url: this.retailerUrl(stop.retailer),
          gradeClass: `badge grade-${stop.grade || "none"}`,
        })),
      };
    },

    get reminders() {
      if (!this.data) return [];
      return this.data.reminders.rows.map((row) => ({
        ...row, tagClass: row.overdue ? "warn" : "",
      }));
    },

    get reminderCount() {
      return this.data ? this.data.reminders.count : 0;
    },

    get reminderCountText() {
      return this.text("countText", { count: this.reminderCount });
    },

    get noReminders() {
      return Boolean(this.data) && this.reminderCount === 0;
    },

    get problems() {
      if (!this.data) return [];
      return this.data.problems.rows.map((row) => ({
        ...row, url: this.retailerUrl(row.retailer),
        rowClass: row.overdue ? "is-overdue" : "",
        dueClass: row.overdue ? "overdue-text" : "muted",
        dueText: this.text("dueText", { date: row.due_date }),
      }));
    },

    get problemCount() {
      return this.data ? this.data.problems.open : 0;
    },

    get problemOverdue() {
      return this.data ? this.data.problems.overdue : 0;
    },

    get problemOverdueText() {
      return `${this.problemOverdue} ${this.$root.dataset.overdue || ""}`.trim();
    },

    get noProblems() {
      return Boolean(this.data) && this.problemCount === 0;
    },

    get month() {
      if (!this.data) return null;
      const month = this.data.month;
      const none = this.$root.dataset.none;
      return {
        ...month,
        barClass: barClass(month.progress_pct),
        progressText: this.text("of", { part: month.done, whole: month.planned }),
        adherenceText: percent(month.adherence_pct, none),
        coverageText: percent(month.a_coverage_pct, none),
        coverageSub: this.text("of", { part: month.a_visited, whole: month.a_total }),
      };
    },
  };
}

startAlpine({ repHome });
