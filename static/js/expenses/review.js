// The desk's review queue: statements waiting for the step this user signs (clerk's check,
// the manager's approval, finance's approval), each with its deadline in working days;
// and every statement in scope by month and status, with its Excel export.
import { startAlpine } from "../lib/alpine.js";
import {
  apiAll, config, deadlineClass, deadlineText, errorText, fill, money, withQuery,
} from "./common.js";

function shape(row) {
  return {
    ...row,
    url: fill(config.urls.detail_page, row.id),
    exportUrl: `${fill(config.urls.statement, row.id)}export/`,
    claimedText: money(row.claimed_total),
    payableText: money(row.payable_total),
    paidText: money(row.paid_total),
    dueText: deadlineText(row.review_due),
    dueClass: deadlineClass(row.review_due),
  };
}

function reviewQueue() {
  const sources = config.steps.map((step) => step.source);
  // The dashboards' drill-downs open the page at an org node: both lists keep to it.
  const at = config.node ? { node: config.node.id } : {};
  return {
    months: config.months,
    month: config.months[1] || config.months[0],
    status: "",
    queue: [],
    all: [],
    loading: false,
    loaded: false,
    error: "",

    async init() {
      this.loading = true;
      try {
        if (sources.length) {
          const rows = await apiAll(withQuery(config.urls.statements, { ...at, status: sources }));
          rows.sort((a, b) => String(a.review_due).localeCompare(String(b.review_due)));
          this.queue = rows.map(shape);
        }
        await this.loadAll();
      } catch (error) {
        this.error = errorText(error);
      } finally {
        this.loading = false;
        this.loaded = true;
      }
    },

    async loadAll() {
      try {
        const rows = await apiAll(withQuery(config.urls.statements, {
          ...at, month: this.month, status: this.status }));
        this.all = rows.map(shape);
      } catch (error) {
        this.error = errorText(error);
      }
    },
  };
}

startAlpine({ reviewQueue });
