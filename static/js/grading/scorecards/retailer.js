// A retailer's scorecard: the three indicators with the points of every part (latest
// month), the monthly trend and the grade history.
import { startAlpine } from "../../lib/alpine.js";
import { api, errorText, withQuery } from "../../lib/api.js";
import { readJson } from "../../lib/i18n.js";

const config = readJson("scorecards-config");

function retailerScorecard() {
  return {
    rows: [],
    history: [],
    loading: true,
    error: "",

    init() {
      this.load();
    },

    get latest() {
      return this.rows.length ? this.rows[0] : null;
    },

    get latestAsOf() {
      return this.latest ? this.latest.as_of : "";
    },

    get breakdown() {
      return this.latest ? this.latest.breakdown : [];
    },

    get isEmpty() {
      return !this.loading && !this.error && this.rows.length === 0;
    },

    async load() {
      try {
        const [cards, history] = await Promise.all([
          api(withQuery(config.urls.scorecards, { retailer: config.retailer, page_size: 12 })),
          api(withQuery(config.urls.history, { retailer: config.retailer })),
        ]);
        this.rows = cards.results || [];
        this.history = (history.results || []).slice(0, 20);
      } catch (error) {
        this.error = errorText(error);
      } finally {
        this.loading = false;
      }
    },

    partPoints(part) {
      return `${part.points}/${part.max}`;
    },

    barClass(part) {
      const tenth = part.max ? Math.round((10 * part.points) / part.max) * 10 : 0;
      return `w${tenth}`;
    },

    monthText(row) {
      return row.month.slice(0, 7);
    },

    moveText(change) {
      return `${change.old_grade || "—"} → ${change.new_grade || "—"}`;
    },
  };
}

startAlpine({ retailerScorecard });
