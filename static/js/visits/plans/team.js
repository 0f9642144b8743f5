// The manager's team views: plan adherence with misses by reason, A-retailer coverage
// and overdue counts per rep (today or a month); overdue retailers; open and overdue
// problems. All figures are the API's (/api/visits/team/…, /api/visits/problems/).
import { startAlpine } from "../../lib/alpine.js";
import { api, withQuery } from "../../lib/api.js";
import { readJson, t } from "../../lib/i18n.js";
import { apiMessage, dayOf, firstOf } from "./common.js";

const config = readJson("team-config");
// The org node the lists are narrowed to (the dashboards' drill-downs pass it), or "".
const node = config.node ? String(config.node.id) : "";

function percent(value) {
  return value === null || value === undefined ? t("none") : `${value}%`;
}

function reasonChips(byReason) {
  return Object.entries(byReason || {}).filter(([, count]) => count > 0)
    .map(([key, count]) => ({ key, count, text: `${(config.reasons || {})[key] || key} ${count}` }));
}

function overdueUrl(rep) {
  return withQuery(config.urls.overdue_page, { rep, node });
}

function decorateSummary(row) {
  return {
    ...row,
    adherenceText: percent(row.adherence_pct),
    doneText: t("of", { part: row.done, whole: row.done + row.missed }),
    coverageText: percent(row.a_coverage_pct),
    coverageSub: t("of", { part: row.a_visited, whole: row.a_total }),
    reasons: reasonChips(row.missed_by_reason),
    overdueUrl: overdueUrl(row.rep || ""),
    noPlan: row.has_approved_plan === false,
  };
}

function teamAdherence() {
  let sequence = 0;
  return {
    period: "month",
    month: config.this_month,
    data: null,
    loading: false,
    error: "",

    init() {
      const params = new URLSearchParams(window.location.search);
      if (params.get("period") === "today") this.period = "today";
      if (/^\d{4}-\d{2}$/.test(params.get("month") || "")) this.month = params.get("month");
      this.load();
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

    query() {
      if (this.period === "today") return { period: "today", date: config.today, node };
      return { period: "month", date: firstOf(this.month || config.this_month), node };
    },

    async load() {
      const mine = ++sequence;
      this.loading = true;
      this.error = "";
      const url = withQuery(window.location.pathname, this.period === "today"
        ? { period: "today", node } : { month: this.month, node });
      window.history.replaceState(null, "", url);
      try {
        const data = await api(withQuery(config.urls.summary, this.query()));
        if (mine === sequence) this.data = data;
      } catch (error) {
        if (mine === sequence) this.error = apiMessage(error);
      } finally {
        if (mine === sequence) this.loading = false;
      }
    },

    get rangeText() {
      if (!this.data) return "";
      return this.data.first === this.data.last ? this.data.first
        : `${this.data.first} – ${this.data.last}`;
    },

    get rows() {
      return this.data ? this.data.reps.map(decorateSummary) : [];
    },

    get totals() {
      return this.data ? decorateSummary(this.data.totals) : null;
    },
  };
}

/** A paged list from a DRF endpoint (PageNumberPagination), filters in the query. */
function pagedList(url, params, decorate) {
  let sequence = 0;
  return {
    rows: [],
    next: null,
    count: 0,
    loading: false,
    loaded: false,
    error: "",

    async reload() {
      this.rows = [];
      this.next = null;
      this.loaded = false;
      await this.fetchPage(withQuery(url, params(this)));
    },

    async more() {
      if (this.next && !this.loading) await this.fetchPage(this.next);
    },

    async fetchPage(pageUrl) {
      const mine = ++sequence;
      this.loading = true;
      this.error = "";
      try {
        const data = await api(pageUrl);
        if (mine !== sequence) return;
        this.rows = [...this.rows, ...data.results.map(decorate)];
        this.next = data.next;
        // A cursor-paged list (visits) has no count: the rows read so far, "+" if more.
        this.count = data.count ?? `${this.rows.length}${data.next ? "+" : ""}`;
        this.loaded = true;
      } catch (error) {
        if (mine === sequence) this.error = apiMessage(error);
      } finally {
        if (mine === sequence) this.loading = false;
      }
    },
  };
}

function teamOverdue() {
  const list = pagedList(config.urls.overdue, (self) => ({ rep: self.rep, node }), (row) => ({
    ...row,
    url: config.urls.card.replace("{id}", row.id),
    gradeClass: `badge grade-${row.grade || "none"}`,
    lateText: row.days_overdue === null ? t("never") : t("days_overdue", { days: row.days_overdue }),
    lastText: row.last_on_site || t("never"),
    intervalText: t("every_n_days", { days: row.interval_days }),
  }));
  return {
    ...list,
    rep: "",
    init() {
      this.rep = new URLSearchParams(window.location.search).get("rep") || "";
      this.reload();
    },
  };
}

function monthRange(today) {
  const [year, month] = today.split("-").map(Number);
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return [`${today.slice(0, 7)}-01`, `${today.slice(0, 7)}-${String(last).padStart(2, "0")}`];
}

function problemQuery(self) {
  const open = ["open", "in_progress"];
  const params = { owner: self.owner, node };
  if (self.scope === "overdue") return { ...params, overdue: "true" };
  if (self.scope === "today") {
    return { ...params, status: open, due_from: config.today, due_to: config.today };
  }
  if (self.scope === "month") {
    const [first, last] = monthRange(config.today);
    return { ...params, status: open, due_from: first, due_to: last };
  }
  return { ...params, status: open };
}

function teamProblems() {
  const list = pagedList(config.urls.problems, problemQuery, (row) => ({
    ...row,
    url: config.urls.card.replace("{id}", row.retailer),
    raised: dayOf(row.created_at),
    rowClass: row.overdue ? "is-overdue" : "",
    overdueFlag: String(Boolean(row.overdue)),
  }));
  return {
    ...list,
    scope: "open",
    owner: "",
    init() {
      const params = new URLSearchParams(window.location.search);
      if (["open", "overdue", "today", "month"].includes(params.get("scope"))) {
        this.scope = params.get("scope");
      }
      this.reload();
    },
  };
}

const FLAGS = ["far", "no_gps"];

function flaggedQuery(self) {
  const flags = self.flag === "both" ? FLAGS : [self.flag];
  return { checkin_flag: flags, date_from: self.dateFrom, date_to: self.dateTo, rep: self.rep,
    node, page_size: 100 };
}

function teamFlagged() {
  const list = pagedList(config.urls.visits, flaggedQuery, (row) => ({
    ...row,
    url: config.urls.card.replace("{id}", row.retailer),
    flagTags: FLAGS.filter((flag) => row.flags[flag === "far" ? "far_from_store" : "gps_missing"])
      .map((flag) => ({ key: flag, text: config.flags[flag] })),
  }));
  const [first, last] = monthRange(config.today);
  return {
    ...list,
    flag: "both",
    dateFrom: first,
    dateTo: config.today < last ? config.today : last,
    rep: "",
    init() {
      const params = new URLSearchParams(window.location.search);
      const flags = params.getAll("checkin_flag").filter((flag) => FLAGS.includes(flag));
      if (flags.length === 1) this.flag = flags[0];
      const day = /^\d{4}-\d{2}-\d{2}$/;
      if (day.test(params.get("date_from") || "")) this.dateFrom = params.get("date_from");
      if (day.test(params.get("date_to") || "")) this.dateTo = params.get("date_to");
      this.rep = params.get("rep") || "";
      this.reload();
    },
    changed() {
      window.history.replaceState(null, "", withQuery(window.location.pathname, {
        checkin_flag: this.flag === "both" ? FLAGS : [this.flag], date_from: this.dateFrom,
        date_to: this.dateTo, rep: this.rep, node }));
      this.reload();
    },
  };
}

startAlpine({ teamAdherence, teamOverdue, teamProblems, teamFlagged });
