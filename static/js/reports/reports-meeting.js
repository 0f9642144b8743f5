// 早夕会: one day's visits of a team by area and rep, with problems and market information
// (/api/reports/meeting/).
import { startAlpine } from "../lib/alpine.js";
import { withQuery } from "../lib/api.js";
import { t } from "../lib/i18n.js";
import {
  config, flags, infoLines, latestLoader, nodeOptions, param, remember, retailerUrl,
} from "./reports-common.js";

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const ID = /^\d+$/;

function decorateVisit(visit) {
  return {
    ...visit,
    url: retailerUrl(visit.retailer_id),
    gradeClass: `badge grade-${visit.retailer_grade || "none"}`,
    timeText: visit.time,
    durationText: visit.duration_s ? t("minutes", { count: Math.round(visit.duration_s / 60) })
      : "",
    flags: flags(visit),
    info: infoLines(visit),
  };
}

function meetingPage() {
  const loadLatest = latestLoader();
  return {
    date: param("date", DAY) || config.previous_working_day,
    node: param("node", ID) || (config.home_node ? String(config.home_node) : ""),
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

    get nodes() {
      return nodeOptions(this.node);
    },

    changeNode() {
      this.load();
    },

    setToday() {
      this.date = config.today;
      this.load();
    },

    async load() {
      remember({ date: this.date, node: this.node });
      const query = { date: this.date };
      if (!config.rep_only && this.node) query.node = this.node;
      await loadLatest(this, withQuery(config.urls.meeting, query));
    },

    get totals() {
      if (!this.data) return null;
      const totals = this.data.totals;
      return { ...totals, repsText: t("of", { part: totals.reps_visiting, whole: totals.reps }) };
    },

    get notWorkingText() {
      return this.data && !this.data.is_working_day ? t("not_working_day", { day: this.data.date })
        : "";
    },

    get areas() {
      if (!this.data) return [];
      return this.data.areas.map((area) => ({
        ...area,
        summary: `${area.totals.visits} · ${t("problems", { count: area.totals.problems })}`,
        reps: area.reps.map((rep) => ({
          ...rep,
          visits: rep.visits.map(decorateVisit),
          visitCount: String(rep.visits.length),
          idle: rep.visits.length === 0,
          idleText: t("no_visit_that_day"),
        })),
      }));
    },

    get noRepsText() {
      return t("no_reps");
    },
  };
}

startAlpine({ meetingPage });
