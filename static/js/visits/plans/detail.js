// One version of a monthly plan: the month as a calendar, a day's stops (add, remove,
// move to another day, route order, objective, appointment time), the rule warnings
// inline, submit / approve / return / revise, comments and the version history.
// Every change goes to /api/visits/ and the plan is read again, so the warnings shown
// are always the server's.
import { startAlpine } from "../../lib/alpine.js";
import { api, withQuery } from "../../lib/api.js";
import { debounce } from "../../lib/format.js";
import { readJson, t } from "../../lib/i18n.js";
import { apiMessage, dayOf, hhmm, once } from "./common.js";

const EDITABLE_BY_REP = ["draft", "returned"];

function planPage() {
  const config = readJson("plan-config");
  const days = config.days || [];
  const dayInfo = Object.fromEntries(days.map((d) => [d.date, d]));
  const labels = config.warning_labels || {};
  let searchSequence = 0;

  function warningKey(w, index) {
    return `${w.code}-${w.date || ""}-${w.retailer || ""}-${index}`;
  }

  return {
    plan: null,
    loading: true,
    error: "",
    notice: "",
    actionError: "",
    decisionError: "",
    addError: "",
    commentError: "",
    busy: false,
    selectedDay: "",
    q: "",
    results: [],
    stopErrors: {},
    note: "",
    commentText: "",
    commentOnDay: false,
    weekdays: config.weekdays || [],

    async init() {
      const params = new URLSearchParams(window.location.search);
      if (params.has("proposed")) this.notice = t("proposed");
      if (params.has("revised")) this.notice = t("revised");
      if (params.has("proposed") || params.has("revised")) {
        window.history.replaceState(null, "", window.location.pathname + window.location.hash);
      }
      this.searchSoon = debounce(() => this.search(), 250);
      await this.load();
      if (this.plan) {
        this.selectDay(this.defaultDay(), false);
        this.search();
      }
    },

    async load() {
      this.loading = true;
      this.error = "";
      try {
        this.plan = await api(config.urls.plan);
      } catch (error) {
        this.error = apiMessage(error);
      } finally {
        this.loading = false;
      }
    },

    async reload() {
      try {
        this.plan = await api(config.urls.plan);
      } catch (error) {
        this.actionError = apiMessage(error);
      }
    },

    // --- who may do what (the API decides; these only choose what to offer) ---

    get status() {
      return this.plan ? this.plan.status : "";
    },
    isStatus(status) {
      return this.status === status;
    },
    get statusLabel() {
      return this.plan ? this.plan.status_label : "";
    },
    get statusClass() {
      return `st-${this.status}`;
    },
    get versionText() {
      return this.plan ? t("version_n", { version: this.plan.version }) : "";
    },
    get stopsText() {
      return this.plan ? t("stops_n", { count: this.plan.stops.length }) : "";
    },
    get decidedBy() {
      if (!this.plan || !this.plan.decided_by_name) return "";
      return `${this.plan.decided_by_name} · ${dayOf(this.plan.decided_at)}`;
    },
    get isRep() {
      return Boolean(this.plan) && this.plan.rep === config.user_id;
    },
    get isReviewer() {
      return Boolean(config.can_review) && !this.isRep;
    },
    get editable() {
      if (!this.plan) return false;
      if (this.isRep) return EDITABLE_BY_REP.includes(this.status);
      return this.isReviewer && this.status === "submitted";
    },
    get canSubmit() {
      return this.isRep && EDITABLE_BY_REP.includes(this.status);
    },
    get canDecide() {
      return this.isReviewer && this.status === "submitted";
    },
    get canRevise() {
      return this.status === "approved" && (this.isRep || this.isReviewer);
    },
    get canComment() {
      return this.isRep || Boolean(config.can_review);
    },
    get newestUrl() {
      const newest = this.versions[this.versions.length - 1];
      return newest ? newest.url : "";
    },

    // --- days ---

    get firstPlannable() {
      if (!this.plan) return "";
      return this.plan.starts_on > config.today ? this.plan.starts_on : config.today;
    },

    isPlannable(date) {
      return Boolean(date) && date >= this.firstPlannable;
    },

    defaultDay() {
      const open = days.find((d) => d.working && this.isPlannable(d.date));
      return (open || days[0] || {}).date || "";
    },

    selectDay(date, scroll = true) {
      if (!date) return;
      this.selectedDay = date;
      this.addError = "";
      if (scroll && window.matchMedia("(max-width: 899px)").matches && this.$refs.dayPanel) {
        this.$nextTick(() => this.$refs.dayPanel.scrollIntoView({ block: "start" }));
      }
    },

    get stopsByDay() {
      const map = {};
      for (const stop of this.plan ? this.plan.stops : []) {
        (map[stop.date] = map[stop.date] || []).push(stop);
      }
      for (const list of Object.values(map)) {
        list.sort((a, b) => a.position - b.position || a.id - b.id);
      }
      return map;
    },

    get warnings() {
      return (this.plan ? this.plan.warnings : []).map((w, index) => ({
        ...w, key: warningKey(w, index), label: labels[w.code] || w.code,
      }));
    },

    get warningDays() {
      return new Set(this.warnings.filter((w) => w.date).map((w) => w.date));
    },

    get planWarnings() {
      return this.warnings.filter((w) => !w.date);
    },

    get warningsOpen() {
      return this.planWarnings.length < 6;
    },

    get planWarningsTitle() {
      return `${labels.frequency_not_met || ""} (${this.planWarnings.length})`;
    },

    get cells() {
      const byDay = this.stopsByDay;
      const warned = this.warningDays;
      const offset = days.length ? days[0].weekday : 0;
      const blanks = Array.from({ length: offset }, (_, i) => ({
        key: `blank-${i}`, blank: true, date: "", day: "", countText: "", classes: "cal-cell blank",
        aria: "", pressed: "false",
      }));
      return [...blanks, ...days.map((d) => {
        const count = (byDay[d.date] || []).length;
        const classes = ["cal-cell"];
        if (!d.working) classes.push("off");
        if (!this.isPlannable(d.date)) classes.push("locked");
        if (d.date === config.today) classes.push("today");
        if (d.date === this.selectedDay) classes.push("selected");
        if (warned.has(d.date)) classes.push("warn");
        return {
          key: d.date, blank: false, date: d.date, day: d.day, countText: count ? String(count) : "",
          classes: classes.join(" "), aria: `${d.label} · ${t("day_stops_n", { count })}`,
          pressed: String(d.date === this.selectedDay),
        };
      })];
    },

    get dayTitle() {
      return (dayInfo[this.selectedDay] || {}).label || "";
    },
    get dayOff() {
      const info = dayInfo[this.selectedDay];
      return Boolean(info) && !info.working;
    },
    get dayLocked() {
      return Boolean(this.selectedDay) && !this.isPlannable(this.selectedDay);
    },
    get dayEditable() {
      return this.editable && Boolean(this.selectedDay) && this.isPlannable(this.selectedDay);
    },
    get dayCountText() {
      return t("day_stops_n", { count: (this.stopsByDay[this.selectedDay] || []).length });
    },

    get dayWarnings() {
      const seen = new Set();
      return this.warnings.filter((w) => {
        if (w.date !== this.selectedDay) return false;
        const id = w.code === "non_working_day" ? w.code : w.key;
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
      });
    },

    moveDaysFor(stop) {
      return days.filter((d) => d.date === stop.date || (d.working && this.isPlannable(d.date)))
        .map((d) => ({ date: d.date, label: d.label, current: d.date === stop.date }));
    },

    get dayStops() {
      const list = this.stopsByDay[this.selectedDay] || [];
      const retailerWarnings = this.warnings.filter((w) => w.retailer);
      return list.map((stop, index) => {
        const warnings = retailerWarnings.filter((w) => w.retailer === stop.retailer
          && (!w.date || w.date === stop.date));
        const editable = this.editable && this.isPlannable(stop.date);
        return {
          ...stop,
          number: index + 1,
          isFirst: index === 0,
          isLast: index === list.length - 1,
          fixedTime: hhmm(stop.fixed_time),
          cardUrl: config.urls.card.replace("{id}", stop.retailer),
          gradeClass: `badge grade-${stop.retailer_grade || "none"}`,
          warnings,
          warnClass: warnings.length ? "has-warn" : "",
          editable,
          showObjective: !editable && Boolean(stop.objective),
          moveDays: editable ? this.moveDaysFor(stop) : [],
          error: this.stopErrors[stop.id] || "",
        };
      });
    },

    // --- changing stops ---

    async change(stop, work) {
      this.busy = true;
      this.stopErrors = { ...this.stopErrors, [stop.id]: "" };
      this.notice = "";
      try {
        await work();
      } catch (error) {
        this.stopErrors = { ...this.stopErrors, [stop.id]: apiMessage(error) };
      } finally {
        await this.reload();
        this.busy = false;
      }
    },

    stopUrl(stop) {
      return `${config.urls.stops}${stop.id}/`;
    },

    patch(stop, body) {
      return api(this.stopUrl(stop), { method: "PATCH", body });
    },

    saveObjective(stop, event) {
      const objective = event.target.value.trim();
      if (objective === stop.objective) return Promise.resolve();
      return this.change(stop, () => this.patch(stop, { objective }));
    },

    saveTime(stop, event) {
      const value = event.target.value;
      return this.change(stop, () => this.patch(stop, { fixed_time: value || null }));
    },

    moveStop(stop, event) {
      const date = event.target.value;
      if (date === stop.date) return Promise.resolve();
      return this.change(stop, () => this.patch(stop, { date }));
    },

    removeStop(stop) {
      return this.change(stop, () => api(this.stopUrl(stop), { method: "DELETE" }));
    },

    /** Put the day's stops in a new order: every stop whose position changes is saved. */
    reorder(stop, step) {
      const list = [...(this.stopsByDay[stop.date] || [])];
      const index = list.findIndex((item) => item.id === stop.id);
      const target = index + step;
      if (index < 0 || target < 0 || target >= list.length) return Promise.resolve();
      [list[index], list[target]] = [list[target], list[index]];
      return this.change(stop, async () => {
        for (const [position, item] of list.entries()) {
          if (item.position !== position) await this.patch(item, { position });
        }
      });
    },

    moveUp(stop) {
      return this.reorder(stop, -1);
    },

    moveDown(stop) {
      return this.reorder(stop, 1);
    },

    async addStop(retailer) {
      if (!this.dayEditable || !retailer) return;
      this.busy = true;
      this.addError = "";
      this.notice = "";
      try {
        await api(config.urls.stops, {
          method: "POST",
          body: { plan: this.plan.id, date: this.selectedDay, retailer },
          headers: once(),
        });
      } catch (error) {
        this.addError = apiMessage(error);
      } finally {
        await this.reload();
        this.busy = false;
      }
    },

    async search() {
      if (!this.plan) return;
      const mine = ++searchSequence;
      try {
        const data = await api(withQuery(config.urls.retailers, {
          assigned_rep: this.plan.rep, status: "active", q: this.q.trim(), page_size: 30,
        }));
        if (mine === searchSequence) this.results = data.results || [];
      } catch (error) {
        if (mine === searchSequence) this.addError = apiMessage(error);
      }
    },

    get resultRows() {
      const planned = new Set((this.stopsByDay[this.selectedDay] || []).map((s) => s.retailer));
      return this.results.map((r) => ({
        id: r.id, name: r.name, grade: r.grade, planned: planned.has(r.id),
        gradeClass: `badge grade-${r.grade || "none"}`,
      }));
    },

    // --- the plan's life ---

    async transition(path, body, done, errorField = "actionError") {
      this.busy = true;
      this.actionError = "";
      this.decisionError = "";
      this.notice = "";
      try {
        this.plan = await api(`${config.urls.plan}${path}/`, { method: "POST", body });
        this.notice = t(done);
        return true;
      } catch (error) {
        this[errorField] = apiMessage(error);
        return false;
      } finally {
        this.busy = false;
      }
    },

    submit() {
      return this.transition("submit", undefined, "submitted");
    },

    async approve() {
      if (await this.transition("approve", { note: this.note.trim() }, "approved",
        "decisionError")) this.note = "";
    },

    async returnPlan() {
      if (await this.transition("return", { note: this.note.trim() }, "returned",
        "decisionError")) this.note = "";
    },

    async revise() {
      this.busy = true;
      this.actionError = "";
      try {
        const revision = await api(`${config.urls.plan}revise/`, { method: "POST" });
        window.location.assign(`${config.urls.page.replace("{id}", revision.id)}?revised=1`);
      } catch (error) {
        this.actionError = apiMessage(error);
        this.busy = false;
      }
    },

    // --- comments and versions ---

    get comments() {
      return (this.plan ? this.plan.comments : []).map((c) => {
        const day = c.date ? (dayInfo[c.date] || {}).label || c.date : "";
        const when = String(c.created_at || "").slice(0, 16).replace("T", " ");
        return { ...c, byline: [c.author_name, day, when].filter(Boolean).join(" · ") };
      });
    },

    async comment() {
      this.commentError = "";
      const text = this.commentText.trim();
      if (!text) {
        this.commentError = t("required");
        return;
      }
      this.busy = true;
      try {
        await api(`${config.urls.plan}comment/`, {
          method: "POST",
          body: { text, date: this.commentOnDay && this.selectedDay ? this.selectedDay : null },
        });
        this.commentText = "";
        this.commentOnDay = false;
        this.notice = t("commented");
        await this.reload();
      } catch (error) {
        this.commentError = apiMessage(error);
      } finally {
        this.busy = false;
      }
    },

    get versions() {
      return (this.plan ? this.plan.versions : []).map((v) => ({
        ...v,
        url: config.urls.page.replace("{id}", v.id),
        versionText: t("version_n", { version: v.version }),
        statusClass: `st-${v.status}`,
        rowClass: v.id === this.plan.id ? "current" : "",
        decidedText: v.decided_by ? `${v.decided_by} · ${dayOf(v.decided_at)}` : "",
      }));
    },
  };
}

startAlpine({ planPage });
