// The regional manager's grading policies: pick or start a policy, edit its rule, preview
// per office what it would do, save (a new policy, or a new version), run grading now and
// watch the run finish (polling its JobRun row).
import { startAlpine } from "../lib/alpine.js";
import { ApiError, api, apiAll, errorText } from "../lib/api.js";
import { readJson, t as translate } from "../lib/i18n.js";

const RULE_FIELDS = ["method", "measure", "window_months", "share_a", "share_b", "share_c",
  "frequency_weight", "rank_within"];
const POLL_MS = 1000;

// Sentences with placeholders keep a literal "%" as "%%" (gettext's python-format).
function t(key, params) {
  return translate(key, params).replace(/%%/g, "%");
}

function trimNumber(value) {
  return String(value ?? "").replace(/\.0+$|(\.\d*?)0+$/, "$1");
}

function gradingPolicies() {
  const config = readJson("grading-config");
  let pollTimer = null;
  return {
    config,
    loading: true,
    policies: [],
    selectedId: null,
    editing: false,
    form: {},
    errors: {},
    error: "",
    notice: "",
    busy: false,
    running: false,
    run: null,
    previewResult: null,

    init() {
      this.form = this.blankForm();
      this.load();
    },

    async load() {
      try {
        this.policies = await apiAll(config.urls.policies);
        this.error = "";
      } catch (error) {
        this.error = errorText(error);
      } finally {
        this.loading = false;
      }
    },

    get isNew() {
      return this.selectedId === null;
    },

    get selected() {
      return this.policies.find((policy) => policy.id === this.selectedId) || null;
    },

    get policyRows() {
      return this.policies.map((policy) => {
        const version = policy.version_in_force;
        const type = policy.business_type ? policy.business_type_label : t("all_types");
        return {
          id: policy.id,
          name: policy.name,
          where: `${policy.scope_name} · ${type}${policy.is_active ? "" : ` · ${t("inactive")}`}`,
          summary: version ? t("version_summary", {
            number: version.number, method: version.method_label,
            measure: version.measure_label, window: version.window_months,
            a: trimNumber(version.share_a), b: trimNumber(version.share_b),
            c: trimNumber(version.share_c),
          }) : t("no_version"),
          className: `policy-row${policy.id === this.selectedId ? " selected" : ""}`,
        };
      });
    },

    get editorTitle() {
      return this.isNew ? t("new_policy") : (this.selected ? this.selected.name : "");
    },

    get saveLabel() {
      return this.isNew ? t("save_new") : t("save_version");
    },

    blankForm(method = "pareto") {
      const shares = config.defaults[method];
      return {
        name: "", scope: config.scopes.length ? String(config.scopes[0].value) : "",
        business_type: "", method, measure: "purchase_amount", window_months: "12",
        share_a: shares[0], share_b: shares[1], share_c: shares[2], frequency_weight: "50",
        rank_within: "scope", valid_from: config.today, note: "",
      };
    },

    startNew() {
      this.selectedId = null;
      this.editing = true;
      this.form = this.blankForm();
      this.reset();
    },

    select(id) {
      this.selectedId = id;
      this.editing = true;
      const policy = this.selected;
      const version = policy.version_in_force || {};
      this.form = { ...this.blankForm(version.method || "pareto"), name: policy.name,
        scope: String(policy.scope), business_type: policy.business_type };
      for (const field of RULE_FIELDS) {
        if (version[field] !== undefined) this.form[field] = trimNumber(version[field]);
      }
      this.form.valid_from = config.today;
      this.reset();
    },

    reset() {
      this.errors = {};
      this.notice = "";
      this.previewResult = null;
      this.run = null;
    },

    methodChanged() {
      const shares = config.defaults[this.form.method];
      [this.form.share_a, this.form.share_b, this.form.share_c] = shares;
    },

    get sharesSum() {
      return ["share_a", "share_b", "share_c"]
        .reduce((sum, field) => sum + Math.round(Number(this.form?.[field] || 0) * 100), 0) / 100;
    },

    get sharesText() {
      return t("shares_sum", { sum: this.sharesSum });
    },

    get sharesClass() {
      return this.sharesSum === 100 ? "muted" : "error";
    },

    rule() {
      const body = {};
      for (const field of RULE_FIELDS) body[field] = this.form[field];
      if (body.method !== "weighted") body.frequency_weight = "0";
      return body;
    },

    showErrors(error) {
      if (error instanceof ApiError && error.status === 400) {
        this.errors = error.fields;
        this.error = "";
      } else {
        this.error = errorText(error);
      }
    },

    async preview() {
      this.busy = true;
      this.errors = {};
      this.notice = "";
      const body = this.rule();
      if (this.isNew) {
        body.scope = this.form.scope;
        body.business_type = this.form.business_type;
      } else {
        body.policy = this.selectedId;
      }
      try {
        this.previewResult = await api(config.urls.preview, { method: "POST", body });
      } catch (error) {
        this.previewResult = null;
        this.showErrors(error);
      } finally {
        this.busy = false;
      }
    },

    get previewRows() {
      if (!this.previewResult) return [];
      return this.previewResult.offices.map((row) => ({ ...row, key: row.office ?? "none" }));
    },

    get previewTotals() {
      return this.previewResult ? this.previewResult.totals : {};
    },

    get previewWindow() {
      const result = this.previewResult;
      return result ? `${result.window_from} – ${result.window_until}` : "";
    },

    async save() {
      this.busy = true;
      this.errors = {};
      this.notice = "";
      const body = { ...this.rule(), valid_from: this.form.valid_from, note: this.form.note };
      try {
        if (this.isNew) {
          const policy = await api(config.urls.policies, { method: "POST", body: {
            ...body, name: this.form.name, scope: this.form.scope,
            business_type: this.form.business_type } });
          await this.load();
          this.select(policy.id);
          this.notice = t("saved_policy");
        } else {
          const id = this.selectedId;
          if (this.form.name !== this.selected.name) {
            await api(`${config.urls.policies}${id}/`, { method: "PATCH",
              body: { name: this.form.name } });
          }
          const version = await api(config.urls.versions, { method: "POST",
            body: { ...body, policy: id } });
          await this.load();
          this.select(id);
          this.notice = t("saved_version", { number: version.number, date: version.valid_from });
        }
      } catch (error) {
        this.showErrors(error);
      } finally {
        this.busy = false;
      }
    },

    async runNow() {
      this.errors = {};
      this.notice = "";
      this.error = "";
      try {
        this.run = await api(config.urls.runs, { method: "POST",
          body: { policy: this.selectedId } });
        this.running = this.run.status === "running";
        if (this.running) this.poll();
      } catch (error) {
        if (error instanceof ApiError && error.status === 409) {
          this.error = error.fields.policy || errorText(error);
        } else {
          this.showErrors(error);
        }
      }
    },

    poll() {
      clearTimeout(pollTimer);
      pollTimer = setTimeout(async () => {
        try {
          this.run = await api(`${config.urls.runs}${this.run.id}/`);
        } catch (error) {
          this.error = errorText(error);
        }
        this.running = this.run.status === "running";
        if (this.running) {
          this.poll();
        } else {
          await this.load();
        }
      }, POLL_MS);
    },

    get runClass() {
      return `tag run-${this.run ? this.run.status : ""}`;
    },

    get runLabel() {
      return this.run ? this.run.status_label : "";
    },

    get runText() {
      const run = this.run;
      if (!run) return "";
      if (run.status === "running") return t("run_started");
      if (run.status === "failed") return t("run_failed", { error: run.error });
      const counts = run.counts || {};
      if (counts.skipped) return t("run_skipped");
      const grades = counts.grades || {};
      return t("run_succeeded", { a: grades.A ?? 0, b: grades.B ?? 0, c: grades.C ?? 0,
        moves: counts.moves ?? 0, seconds: (run.duration_seconds ?? 0).toFixed(1) });
    },
  };
}

startAlpine({ gradingPolicies });
