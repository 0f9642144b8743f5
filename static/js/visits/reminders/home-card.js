// The rep's home card: how many care reminders are due today, and the first few.
import { startAlpine } from "../../lib/alpine.js";
import { api, errorText, withQuery } from "../../lib/api.js";

function reminderCard() {
  return {
    rows: [],
    count: 0,
    more: false,
    loading: true,
    error: "",

    init() {
      this.load();
    },

    get isEmpty() {
      return !this.loading && !this.error && this.rows.length === 0;
    },

    get countText() {
      const template = this.$el.dataset.countText || "%(count)s";
      return template.replace("%(count)s", this.more ? `${this.count}+` : String(this.count));
    },

    async load() {
      try {
        const data = await api(withQuery(this.$el.dataset.url, { when: "today", page_size: 5 }));
        this.rows = data.results || [];
        this.count = this.rows.length;
        this.more = Boolean(data.next);
      } catch (error) {
        this.error = errorText(error);
      } finally {
        this.loading = false;
      }
    },
  };
}

startAlpine({ reminderCard });
