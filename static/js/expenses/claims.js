// The rep's claim lines of a month: list, the payable calculation of each line (step by
// step, from the API), delete while the month is open, and the new-line sheet with the
// receipt photo (multipart, with an Idempotency-Key so a double tap files one line).
import { startAlpine } from "../lib/alpine.js";
import {
  api, apiAll, apiForm, config, errorText, fill, money, newKey, retailerPicker, splitErrors,
  sumMoney, t, withQuery,
} from "./common.js";

const FIELDS = ["retailer", "key_person", "category", "product_line", "pre_approval", "amount",
  "spent_on", "receipt", "note"];

function blank() {
  return { key_person: "", category: "gift", product_line: "", pre_approval: "", amount: "",
    spent_on: config.today, note: "" };
}

function decorate(line) {
  return {
    ...line,
    amountText: money(line.amount),
    hasPayable: line.payable_amount !== null && line.payable_amount !== undefined,
    payableText: line.payable_amount === null ? "" : `${money(line.payable_amount)}`,
    open: false, steps: [], calcLoading: false, calcError: "", calcPayable: "",
  };
}

function claimLines() {
  return {
    ...retailerPicker(),
    months: config.months,
    month: config.month,
    today: config.today,
    lines: [],
    loading: false,
    loaded: false,
    error: "",
    notice: "",
    statementInfo: "",
    // The form
    formOpen: false,
    values: blank(),
    errors: {},
    message: "",
    saving: false,
    people: [],
    approvals: [],
    productLines: [],
    preview: "",
    file: null,
    key: null,

    init() {
      if (!this.months.includes(this.month)) this.months = [this.month, ...this.months];
      this.load();
      this.loadProductLines();
    },

    get total() {
      return money(sumMoney(this.lines.map((line) => line.amount)));
    },

    get statementUrl() {
      return withQuery(config.urls.statement_page, { month: this.month });
    },

    get isNewCustomer() {
      return this.values.category === "new_customer";
    },

    async load() {
      this.loading = true;
      this.error = "";
      try {
        const [lines, statements] = await Promise.all([
          apiAll(withQuery(config.urls.claim_lines, { month: this.month })),
          apiAll(withQuery(config.urls.statements, { month: this.month,
            rep: config.user_id })),
        ]);
        this.lines = lines.map(decorate);
        const statement = statements[0];
        this.statementInfo = statement ? `${statement.month} · ${statement.status_label}` : "";
      } catch (error) {
        this.error = errorText(error);
      } finally {
        this.loading = false;
        this.loaded = true;
      }
    },

    async loadProductLines() {
      try {
        const lines = await api(config.urls.product_lines);
        this.productLines = lines.filter((pl) => pl.active)
          .map((pl) => ({ ...pl, value: String(pl.id) }));
        if (!this.values.product_line && this.productLines.length) {
          this.values.product_line = this.productLines[0].value;
        }
      } catch (error) {
        this.productLines = [];
      }
    },

    async toggleCalc(line) {
      line.open = !line.open;
      if (line.open) await this.loadCalc(line);
    },

    async loadCalc(line) {
      line.calcLoading = true;
      line.calcError = "";
      try {
        const data = await api(`${fill(config.urls.claim_lines + "{id}/", line.id)}payable/`);
        line.steps = data.steps;
        line.calcPayable = money(data.payable);
      } catch (error) {
        line.calcError = errorText(error);
      } finally {
        line.calcLoading = false;
      }
    },

    async remove(line) {
      if (!window.confirm(t("confirm_delete"))) return;
      try {
        await api(fill(config.urls.claim_lines + "{id}/", line.id), { method: "DELETE" });
        this.notice = t("line_deleted");
        await this.load();
      } catch (error) {
        this.error = errorText(error);
      }
    },

    // ---- the form ----
    startCreate() {
      this.values = { ...blank(), product_line: this.productLines.length
        ? this.productLines[0].value : "" };
      this.errors = {};
      this.message = "";
      this.retailer = null;
      this.people = [];
      this.approvals = [];
      this.preview = "";
      this.file = null;
      this.key = newKey();
      if (this.$refs.receipt) this.$refs.receipt.value = "";
      this.formOpen = true;
    },

    closeForm() {
      this.formOpen = false;
    },

    async onRetailer(retailer) {
      this.values.key_person = "";
      this.values.pre_approval = "";
      this.people = [];
      this.approvals = [];
      if (!retailer) return;
      try {
        const [people, approvals] = await Promise.all([
          apiAll(withQuery(config.urls.key_persons, { retailer: retailer.id })),
          apiAll(withQuery(config.urls.pre_approvals, { retailer: retailer.id,
            status: "approved" })),
        ]);
        this.people = people.filter((person) => !person.erased_at).map((person) => ({
          id: person.id, value: String(person.id),
          label: [person.name, person.role_label].filter(Boolean).join(" · ") }));
        this.approvals = approvals.map((approval) => ({
          id: approval.id, value: String(approval.id),
          label: `${money(approval.amount)} · ${approval.purpose} · ${approval.decided_on || ""}` }));
      } catch (error) {
        this.message = errorText(error);
      }
    },

    categoryChanged() {
      this.errors = { ...this.errors, product_line: "", pre_approval: "" };
    },

    receiptPicked(event) {
      const [file] = event.target.files || [];
      this.file = file || null;
      if (this.preview) URL.revokeObjectURL(this.preview);
      this.preview = file ? URL.createObjectURL(file) : "";
      this.errors = { ...this.errors, receipt: "" };
    },

    missing() {
      const errors = {};
      if (!this.retailer) errors.retailer = t("pick_retailer");
      if (!this.values.amount.trim()) errors.amount = t("required");
      if (!this.values.spent_on) errors.spent_on = t("required");
      if (!this.file) errors.receipt = t("receipt_needed");
      if (this.isNewCustomer && !this.values.pre_approval) errors.pre_approval = t("required");
      if (!this.isNewCustomer && !this.values.product_line) errors.product_line = t("required");
      return errors;
    },

    formData() {
      const data = new FormData();
      data.append("retailer", String(this.retailer.id));
      data.append("category", this.values.category);
      data.append("amount", this.values.amount.trim());
      data.append("spent_on", this.values.spent_on);
      data.append("note", this.values.note.trim());
      if (this.values.key_person) data.append("key_person", this.values.key_person);
      if (this.isNewCustomer) data.append("pre_approval", this.values.pre_approval);
      else data.append("product_line", this.values.product_line);
      data.append("receipt", this.file, this.file.name || "receipt.jpg");
      return data;
    },

    async save() {
      this.errors = this.missing();
      this.message = "";
      if (Object.keys(this.errors).length) {
        this.message = t("fix_fields");
        return;
      }
      this.saving = true;
      try {
        const line = await apiForm(config.urls.claim_lines, this.formData(), {
          headers: { "Idempotency-Key": this.key } });
        this.formOpen = false;
        this.notice = t("line_saved");
        const month = line.month;
        if (month && month !== this.month) {
          this.month = month;
          if (!this.months.includes(month)) this.months = [month, ...this.months];
        }
        await this.load();
        // Show the new line's payable calculation straight away.
        const saved = this.lines.find((item) => item.id === line.id);
        if (saved) await this.toggleCalc(saved);
      } catch (error) {
        const { shown, message } = splitErrors(error, FIELDS);
        this.errors = shown;
        this.message = message;
        // A refused request wrote nothing: the next attempt is a new request.
        if (error.status && error.status < 500) this.key = newKey();
      } finally {
        this.saving = false;
      }
    },
  };
}

startAlpine({ claimLines });
