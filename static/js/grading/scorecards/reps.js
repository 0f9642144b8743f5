// Rep scorecards of a month, read from the nightly table (a rep: their own).
import { startAlpine } from "../../lib/alpine.js";
import { api, errorText, withQuery } from "../../lib/api.js";
import { readJson, t } from "../../lib/i18n.js";

const config = readJson("scorecards-config");
// The dashboards' drill-downs open the page at an org node: every request keeps to it.
const at = config.node ? { node: config.node.id } : {};

function repScorecards() {
  return {
    month: config.month ? config.month.slice(0, 7) : "",
    cards: [],
    loading: true,
    error: "",

    init() {
      this.load();
    },

    get isEmpty() {
      return !this.loading && !this.error && this.cards.length === 0;
    },

    async load() {
      this.loading = true;
      this.error = "";
      try {
        let month = this.month ? `${this.month}-01` : "";
        if (!month) {
          const latest = await api(withQuery(config.urls.reps, { ...at, page_size: 1 }));
          month = latest.results.length ? latest.results[0].month : "";
          this.month = month.slice(0, 7);
        }
        const data = month
          ? await api(withQuery(config.urls.reps, { ...at, month, page_size: 200 }))
          : { results: [] };
        this.cards = data.results || [];
      } catch (error) {
        this.error = errorText(error);
      } finally {
        this.loading = false;
      }
    },

    pct(value) {
      return value === null || value === undefined ? "—" : `${value}%`;
    },

    ofTotal(part, whole) {
      return t("of_total", { part, whole });
    },

    onSite(card) {
      return `${card.on_site} / ${card.visits}`;
    },

    moves(card) {
      return `↑${card.grade_ups} ↓${card.grade_downs}`;
    },

    money(card) {
      return `${card.expense_amount} / ${card.sales_amount}`;
    },

    warning(card) {
      return t("warning_a_to_b", { count: card.a_to_b });
    },
  };
}

startAlpine({ repScorecards });
