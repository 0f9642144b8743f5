// 月度巡访计划: a rep's months (open the plan, or have a draft proposed), a manager's
// plans waiting for approval and the team's plans of a month.
import { startAlpine } from "../../lib/alpine.js";
import { api, apiAll, withQuery } from "../../lib/api.js";
import { readJson, t } from "../../lib/i18n.js";
import { apiMessage, once } from "./common.js";

function planList() {
  const config = readJson("plans-config");
  const monthLabels = Object.fromEntries((config.months || []).map((m) => [m.month, m.label]));
  return {
    mine: [],
    waiting: [],
    monthPlans: [],
    month: config.this_month,
    loading: false,
    loaded: false,
    monthLoaded: false,
    busy: false,
    error: "",
    notice: "",
    cardErrors: {},

    init() {
      this.load();
    },

    decorate(row) {
      return {
        ...row,
        url: config.urls.page.replace("{id}", row.id),
        statusClass: `st-${row.status}`,
        monthLabel: monthLabels[row.month] || row.month.slice(0, 7),
        versionText: t("version_n", { version: row.version }),
        stopsText: t("stops_n", { count: row.stop_count ?? 0 }),
      };
    },

    async load() {
      this.loading = true;
      this.error = "";
      try {
        const jobs = [];
        if (config.is_rep) {
          jobs.push(apiAll(withQuery(config.urls.plans, { rep: config.user_id }))
            .then((rows) => { this.mine = rows.map((row) => this.decorate(row)); }));
        }
        if (config.can_review) {
          jobs.push(apiAll(withQuery(config.urls.plans, { status: "submitted" }))
            .then((rows) => {
              this.waiting = rows.filter((row) => row.rep !== config.user_id)
                .map((row) => this.decorate(row));
            }));
          jobs.push(this.loadMonth());
        }
        await Promise.all(jobs);
        this.loaded = true;
      } catch (error) {
        this.error = apiMessage(error);
      } finally {
        this.loading = false;
      }
    },

    async loadMonth() {
      this.monthLoaded = false;
      try {
        const rows = await apiAll(withQuery(config.urls.plans, { month: this.month }));
        this.monthPlans = rows.map((row) => this.decorate(row));
        this.monthLoaded = true;
      } catch (error) {
        this.error = apiMessage(error);
      }
    },

    /** The version a rep works with for a month: the newest one. */
    latest(month) {
      return this.mine.filter((row) => row.month === month)
        .sort((a, b) => b.version - a.version)[0] || null;
    },

    get monthCards() {
      return [[config.this_month, t("this_month")], [config.next_month, t("next_month")]]
        .map(([month, hint]) => {
          const plan = this.latest(month);
          return {
            month,
            hint,
            label: monthLabels[month] || month.slice(0, 7),
            plan,
            url: plan ? plan.url : "",
            statusClass: plan ? plan.statusClass : "",
            statusLabel: plan ? plan.status_label : "",
            versionText: plan ? plan.versionText : "",
            stopsText: plan ? plan.stopsText : "",
            canPropose: this.loaded && !plan,
            error: this.cardErrors[month] || "",
          };
        });
    },

    get olderPlans() {
      const shown = new Set([config.this_month, config.next_month]);
      return this.mine.filter((row) => !shown.has(row.month));
    },

    async propose(month) {
      this.busy = true;
      this.cardErrors = { ...this.cardErrors, [month]: "" };
      try {
        const plan = await api(config.urls.plans, {
          method: "POST", body: { month }, headers: once(),
        });
        window.location.assign(`${config.urls.page.replace("{id}", plan.id)}?proposed=1`);
      } catch (error) {
        this.cardErrors = { ...this.cardErrors, [month]: apiMessage(error) };
        this.busy = false;
      }
    },
  };
}

startAlpine({ planList });
