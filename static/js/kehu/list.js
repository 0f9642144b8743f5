// "我的客户" / Retailers: search (name, code, address, pinyin initials), filters, cursor
// paging with infinite scroll, and for managers a multi-select to reassign to a rep.
import { startAlpine } from "../lib/alpine.js";
import { api, apiAll, errorText, withQuery } from "../lib/api.js";
import { debounce } from "../lib/format.js";
import { readJson, t } from "../lib/i18n.js";
import { retailerForm } from "./retailer-form.js";

const FILTERS = ["grade", "business_type", "trade_area", "status", "relationship_level"];

function emptyFilters() {
  return Object.fromEntries(FILTERS.map((name) => [name, ""]));
}

function retailerList() {
  const config = readJson("kehu-config");
  let sequence = 0; // answers to superseded searches are dropped
  let observer = null;
  return {
    config,
    q: "",
    filters: emptyFilters(),
    showFilters: false,
    rows: [],
    next: null,
    loading: false,
    loaded: false,
    error: "",
    selected: [],
    reps: [],
    repsError: "",
    toRep: "",
    reason: "",
    reassigning: false,
    notice: "",
    reassignError: "",

    init() {
      const params = new URLSearchParams(window.location.search);
      this.q = params.get("q") || "";
      for (const name of FILTERS) this.filters[name] = params.get(name) || "";
      this.showFilters = this.filterCount > 0 && window.matchMedia("(min-width: 768px)").matches;
      this.searchSoon = debounce(() => this.reload(), 300);
      this.reload();
      if (config.is_manager) this.loadReps();
      this.$nextTick(() => this.watchSentinel());
    },

    destroy() {
      if (observer) observer.disconnect();
    },

    watchSentinel() {
      const sentinel = this.$refs.sentinel;
      if (!sentinel || !("IntersectionObserver" in window)) return;
      observer = new IntersectionObserver((entries) => {
        if (entries.some((entry) => entry.isIntersecting) && this.next && !this.loading) {
          this.loadMore();
        }
      }, { rootMargin: "300px" });
      observer.observe(sentinel);
    },

    query() {
      return { q: this.q.trim(), ...this.filters };
    },

    rememberInUrl() {
      const url = withQuery(window.location.pathname, this.query());
      window.history.replaceState(null, "", url);
    },

    typed(event) {
      // While a Chinese input method composes (pinyin letters not yet turned into
      // characters) wait for compositionend instead of searching for the letters.
      if (!event.isComposing) this.searchSoon();
    },

    onFilterChange() {
      this.reload();
    },

    async reload() {
      this.rememberInUrl();
      this.rows = [];
      this.next = null;
      this.loaded = false;
      await this.fetchPage(withQuery(config.urls.retailers, this.query()));
    },

    async loadMore() {
      if (this.next && !this.loading) await this.fetchPage(this.next);
    },

    async fetchPage(url) {
      const mine = ++sequence;
      this.loading = true;
      this.error = "";
      try {
        const data = await api(url);
        if (mine !== sequence) return;
        this.rows = [...this.rows, ...data.results.map((row) => this.decorate(row))];
        this.next = data.next;
        this.loaded = true;
      } catch (error) {
        if (mine === sequence) this.error = errorText(error);
      } finally {
        if (mine === sequence) this.loading = false;
      }
    },

    decorate(row) {
      return {
        ...row,
        url: config.urls.card.replace("{id}", row.id),
        levelText: this.levelText(row.relationship_level),
        gradeClass: `badge grade-${row.grade || "none"}`,
        inactive: row.status !== "active",
      };
    },

    retry() {
      if (this.rows.length && this.next) this.loadMore();
      else this.reload();
    },

    levelText(level) {
      return level ? t("level_n", { level }) : t("not_rated");
    },

    get filterCount() {
      return FILTERS.filter((name) => this.filters[name] !== "").length;
    },

    get chips() {
      return FILTERS.filter((name) => this.filters[name] !== "").map((name) => {
        const choice = (config.choices[name] || []).find(
          (item) => item.value === this.filters[name]);
        const value = choice ? choice.label : this.filters[name];
        const label = t("chip", { name: (config.filter_labels || {})[name] || name, value });
        return { name, label };
      });
    },

    removeChip(name) {
      this.filters[name] = "";
      this.reload();
    },

    clearFilters() {
      this.filters = emptyFilters();
      this.reload();
    },

    toggleFilters() {
      this.showFilters = !this.showFilters;
    },

    get isEmpty() {
      return this.loaded && !this.error && this.rows.length === 0;
    },

    get searching() {
      return this.q.trim() !== "" || this.filterCount > 0;
    },

    // --- reassigning (managers) ---

    isSelected(id) {
      return this.selected.includes(id);
    },

    toggle(id) {
      this.selected = this.isSelected(id) ? this.selected.filter((item) => item !== id)
        : [...this.selected, id];
      this.notice = "";
    },

    get allShownSelected() {
      return this.rows.length > 0 && this.rows.every((row) => this.selected.includes(row.id));
    },

    toggleAll() {
      const shown = this.rows.map((row) => row.id);
      this.selected = this.allShownSelected
        ? this.selected.filter((id) => !shown.includes(id))
        : [...new Set([...this.selected, ...shown])];
    },

    clearSelection() {
      this.selected = [];
      this.reassignError = "";
    },

    get selectedText() {
      return t("selected", { count: this.selected.length });
    },

    async loadReps() {
      try {
        const users = await apiAll(withQuery(config.urls.users, { is_active: "true" }));
        this.reps = users
          .filter((user) => (user.memberships || []).some((m) => m.role === "rep"))
          .map((user) => {
            const where = user.memberships.filter((m) => m.role === "rep")
              .map((m) => m.node_name).join(", ");
            return { id: String(user.id), label: `${user.name || user.username} · ${where}`,
              name: user.name || user.username };
          });
      } catch (error) {
        this.repsError = errorText(error);
      }
    },

    async reassign() {
      this.reassignError = "";
      this.notice = "";
      if (!this.toRep) {
        this.reassignError = t("required");
        return;
      }
      this.reassigning = true;
      try {
        const data = await api(config.urls.reassign, {
          method: "POST",
          body: { retailers: this.selected, to_rep: Number(this.toRep), reason: this.reason.trim() },
        });
        const rep = this.reps.find((item) => item.id === this.toRep);
        this.notice = t("reassigned", { count: data.reassigned, name: rep ? rep.name : "" });
        this.selected = [];
        this.reason = "";
        await this.reload();
      } catch (error) {
        const fields = error.fields || {};
        this.reassignError = fields.to_rep || fields.retailers || errorText(error);
      } finally {
        this.reassigning = false;
      }
    },

    newRetailer() {
      window.dispatchEvent(new CustomEvent("retailer-create"));
    },
  };
}

startAlpine({ retailerList, retailerForm });
