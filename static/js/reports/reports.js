// 日报 / 周报 / 月报 and a custom range, of a team (one row per rep, the total) or of one
// rep (their days and visits). Figures are the API's (/api/reports/report/).
import { startAlpine } from "../lib/alpine.js";
import { withQuery } from "../lib/api.js";
import { money } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import {
  config, flags, infoLines, latestLoader, nodeOptions, param, percent, remember, retailerUrl,
} from "./reports-common.js";

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MONTH = /^\d{4}-\d{2}$/;
const ID = /^\d+$/;

function decorate(row) {
  const state = row.state ? {
    ...row.state,
    coverageText: percent(row.state.a_coverage_pct),
    coverageSub: t("of", { part: row.state.a_visited, whole: row.state.a_total }),
    expenseText: percent(row.state.expense_pct),
    moneyText: `${money(row.state.expense_amount)} / ${money(row.state.sales_amount)}`,
  } : null;
  return {
    ...row,
    state,
    adherenceText: percent(row.adherence_pct),
    doneText: t("of", { part: row.done, whole: row.done + row.missed }),
    flagged: row.flagged,
    problemsText: `${row.problems_raised} / ${row.problems_solved}`,
    coverageText: state ? state.coverageText : "",
    overdueText: state ? String(state.overdue) : "",
  };
}

function decorateVisit(visit) {
  return {
    ...visit,
    url: retailerUrl(visit.retailer_id),
    gradeClass: `badge grade-${visit.retailer_grade || "none"}`,
    timeText: `${visit.visit_date} ${visit.time}`,
    durationText: visit.duration_s ? t("minutes", { count: Math.round(visit.duration_s / 60) })
      : "",
    problemsText: t("problems", { count: visit.problems }),
    flags: flags(visit),
    info: infoLines(visit),
  };
}

function reportPage() {
  const loadLatest = latestLoader();
  return {
    kind: config.period,
    date: param("date", DAY) || config.today,
    month: param("month", MONTH) || config.today.slice(0, 7),
    first: param("first", DAY) || `${config.today.slice(0, 7)}-01`,
    last: param("last", DAY) || config.today,
    node: param("node", ID) || (config.home_node ? String(config.home_node) : ""),
    rep: param("rep", ID),
    data: null,
    loading: false,
    error: "",
    errors: {},

    init() {
      this.load();
    },

    get showNodes() {
      return !config.rep_only && (config.nodes || []).length > 1;
    },

    get showReps() {
      return !config.rep_only && (config.reps || []).length > 0;
    },

    get nodes() {
      return nodeOptions(this.node);
    },

    get reps() {
      return (config.reps || []).map((r) => ({ ...r, selected: String(r.id) === this.rep }));
    },

    query() {
      const query = { period: this.kind };
      if (this.kind === "month") query.date = `${this.month}-01`;
      else if (this.kind === "range") Object.assign(query, { first: this.first, last: this.last });
      else query.date = this.date;
      if (this.rep) query.rep = this.rep;
      else if (!config.rep_only && this.node) query.node = this.node;
      return query;
    },

    changeNode() {
      this.rep = "";
      this.load();
    },

    openRep(id) {
      this.rep = String(id);
      this.load();
    },

    print() {
      window.print();
    },

    async load() {
      const state = this.kind === "month" ? { month: this.month }
        : this.kind === "range" ? { first: this.first, last: this.last } : { date: this.date };
      remember({ ...state, node: this.rep ? "" : this.node, rep: this.rep });
      await loadLatest(this, withQuery(config.urls.report, this.query()));
    },

    get report() {
      return this.data;
    },

    get isTeam() {
      return Boolean(this.data) && this.data.scope === "team";
    },

    get isRep() {
      return Boolean(this.data) && this.data.scope === "rep";
    },

    get title() {
      if (!this.data) return "";
      return this.data.scope === "team" ? this.data.node.name
        : `${this.data.rep.name} · ${this.data.rep.area_name}`;
    },

    get rangeText() {
      if (!this.data) return "";
      const period = this.data.period;
      if (period.first === period.last) return t("one_day", { day: period.first });
      return t("through", { first: period.first, last: period.last, until: period.until });
    },

    get total() {
      return this.data ? decorate(this.data.total) : null;
    },

    get asOfText() {
      const state = this.data && this.data.total.state;
      return state ? t("as_of", { date: state.as_of }) : "";
    },

    get hasState() {
      return Boolean(this.data && this.data.total.state);
    },

    get rows() {
      return this.isTeam ? this.data.reps.map(decorate) : [];
    },

    get noRepsText() {
      return t("no_reps");
    },

    get showDays() {
      return this.isRep && this.data.days.length > 1;
    },

    get days() {
      return this.isRep ? this.data.days.map(decorate) : [];
    },

    get visits() {
      return this.isRep ? this.data.visits.map(decorateVisit) : [];
    },

    get noVisitsText() {
      return t("no_visits");
    },

    get truncatedText() {
      return this.isRep && this.data.visits_truncated
        ? t("truncated", { count: this.data.visits.length }) : "";
    },
  };
}

startAlpine({ reportPage });
