// The managers' dashboard: one request per dashboard (/api/reports/dashboards/…/<node>/),
// figures as links to the lists behind them, charts drawn from the same answer.
import { startAlpine } from "../lib/alpine.js";
import { api, errorText, withQuery } from "../lib/api.js";
import { readJson, t } from "../lib/i18n.js";
import { drawDaily, drawGrades, drawOffices, drawReps, resizeAll } from "./dashboard-charts.js";

const config = readJson("dashboard-config");

function percent(value) {
  return value === null || value === undefined ? t("none") : `${value}%`;
}

function decorateRow(row) {
  return {
    ...row,
    adherenceText: percent(row.adherence_pct),
    doneText: t("of", { part: row.done, whole: row.planned }),
    flagged: row.flagged || 0,
    overdueText: row.overdue === undefined ? t("none") : row.overdue,
  };
}

function decorateFigures(f) {
  return {
    ...f,
    adherenceText: percent(f.adherence_pct),
    doneText: t("of", { part: f.done, whole: f.planned }),
    visitsSub: `${t("on_site")} ${f.on_site} · ${t("phone")} ${f.phone ?? 0} · ${t("care")} ${f.care ?? 0}`,
    coverageText: percent(f.a_coverage_pct),
    coverageSub: t("of", { part: f.a_visited, whole: f.a_total }),
    solvedText: `+${f.problems_raised ?? 0} / ✓${f.problems_solved ?? 0}`,
    overdueProblemsClass: f.problems_overdue > 0 ? "is-warning" : "",
    flagged: f.flagged,
    flaggedSub: `${t("far")} ${f.far} · ${t("no_gps")} ${f.no_gps}`,
    warningClass: f.a_to_b > 0 ? "is-warning" : "",
    movesSub: `↑${f.grade_ups} ↓${f.grade_downs}`,
    expenseText: percent(f.expense_pct),
    expenseSub: `${t("expense")} ${f.expense_amount} / ${t("sales")} ${f.sales_amount}`,
  };
}

function dashboard() {
  let sequence = 0;
  let charts = [];
  return {
    nodes: config.nodes,
    node: String(config.node),
    period: config.period === "today" ? "today" : "month",
    month: /^\d{4}-\d{2}$/.test(config.period) ? config.period : config.this_month,
    thisMonth: config.this_month,
    data: null,
    loading: false,
    error: "",

    init() {
      this.load();
      window.addEventListener("resize", () => resizeAll(charts));
    },

    get state() {
      if (this.loading) return "loading";
      return this.data ? "ready" : "empty";
    },

    get isMonth() {
      return this.period === "month";
    },

    pressed(period) {
      return String(this.period === period);
    },

    setPeriod(period) {
      this.period = period;
      this.load();
    },

    periodParam() {
      if (this.period === "today") return "today";
      return this.month === config.this_month ? "month" : this.month;
    },

    async load() {
      const mine = ++sequence;
      this.loading = true;
      this.error = "";
      const period = this.periodParam();
      window.history.replaceState(null, "", withQuery(window.location.pathname,
        { node: this.node, period }));
      try {
        const data = await api(withQuery(config.urls.dashboard.replace("{id}", this.node),
          { period }));
        if (mine !== sequence) return;
        this.data = data;
        this.$nextTick(() => this.draw());
      } catch (error) {
        if (mine === sequence) this.error = errorText(error);
      } finally {
        if (mine === sequence) this.loading = false;
      }
    },

    async draw() {
      const labels = {
        planned: t("planned"), done: t("done"), visits: t("visits"), flagged: t("flagged"),
        adherence: t("adherence"), start: t("start_of_month"), now: t("now"),
        grade: (grade) => t("grade", { grade }),
      };
      const refs = this.$refs;
      charts = await Promise.all([
        refs.reps ? drawReps(refs.reps, this.reps, labels) : null,
        refs.daily ? drawDaily(refs.daily, this.data.daily, labels) : null,
        this.showOffices && refs.offices ? drawOffices(refs.offices, this.offices, labels) : null,
        this.showGrades && refs.grades ? drawGrades(refs.grades, this.data.grades, labels) : null,
      ]);
      resizeAll(charts);
    },

    get f() {
      return this.data ? decorateFigures(this.data.figures) : null;
    },

    get drill() {
      return this.data ? this.data.drill : {};
    },

    get reps() {
      return this.data ? this.data.reps.map(decorateRow) : [];
    },

    get offices() {
      return this.data && this.data.offices ? this.data.offices.map(decorateRow) : [];
    },

    get showOffices() {
      return Boolean(config.regional && this.offices.length);
    },

    get showGrades() {
      return Boolean(this.data && this.data.grades.length);
    },

    get periodText() {
      if (!this.data) return "";
      const p = this.data.period;
      const range = p.first === p.last ? p.first : `${p.first} – ${p.last}`;
      if (p.kind === "today") return `${range} · ${t("today_live")}`;
      return p.as_of ? `${range} · ${t("as_of", { day: p.as_of })}` : range;
    },
  };
}

startAlpine({ dashboard });
