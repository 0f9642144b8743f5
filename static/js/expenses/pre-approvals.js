// New-customer special expense: the rep applies (before the contract; Idempotency-Key),
// a manager approves or rejects with a reason, either records the contract date (an
// application not approved by then becomes void, and the page shows the API's reason).
import { startAlpine } from "../lib/alpine.js";
import {
  api, apiAll, config, errorText, money, newKey, retailerPicker, splitErrors, t,
} from "./common.js";

const FIELDS = ["retailer", "amount", "purpose", "contract_date"];

function blank() {
  return { amount: "", purpose: "", contract_date: "" };
}

function preApprovals() {
  return {
    ...retailerPicker(),
    values: blank(),
    errors: {},
    message: "",
    rows: [],
    loaded: false,
    busy: false,
    error: "",
    notice: "",
    key: newKey(),

    async init() {
      await this.load();
    },

    async load() {
      try {
        const rows = await apiAll(config.urls.pre_approvals);
        this.rows = rows.map((row) => {
          const open = ["pending", "approved"].includes(row.status);
          const own = row.rep === config.user_id;
          return {
            ...row, amountText: money(row.amount), draftReason: "", draftContract: "",
            error: "",
            canDecide: config.can_decide && !own && row.status === "pending",
            canContract: open && !row.contract_date && (own || config.can_decide),
          };
        });
      } catch (error) {
        this.error = errorText(error);
      } finally {
        this.loaded = true;
      }
    },

    async apply() {
      this.errors = {};
      this.message = "";
      if (!this.retailer) this.errors.retailer = t("pick_retailer");
      if (!this.values.amount.trim()) this.errors.amount = t("required");
      if (!this.values.purpose.trim()) this.errors.purpose = t("required");
      if (Object.keys(this.errors).length) {
        this.message = t("fix_fields");
        return;
      }
      this.busy = true;
      try {
        await api(config.urls.pre_approvals, { method: "POST", headers: {
          "Idempotency-Key": this.key }, body: {
          retailer: this.retailer.id, amount: this.values.amount.trim(),
          purpose: this.values.purpose.trim(),
          contract_date: this.values.contract_date || null } });
        this.key = newKey();
        this.values = blank();
        this.retailer = null;
        this.notice = t("applied");
        await this.load();
      } catch (error) {
        const { shown, message } = splitErrors(error, FIELDS);
        this.errors = shown;
        this.message = message;
        if (error.status && error.status < 500) this.key = newKey();
      } finally {
        this.busy = false;
      }
    },

    async act(row, path, body, done) {
      this.busy = true;
      row.error = "";
      try {
        await api(`${config.urls.pre_approvals}${row.id}/${path}/`, { method: "POST", body });
        this.notice = t(done);
        await this.load();
      } catch (error) {
        const { shown, message } = splitErrors(error, ["reason", "contract_date"]);
        row.error = shown.reason || shown.contract_date || message;
        // A late approval voids the application: show the new state with the reason.
        if (shown.contract_date) {
          await this.load();
          this.error = shown.contract_date;
        }
      } finally {
        this.busy = false;
      }
    },

    approve(row) {
      return this.act(row, "approve", undefined, "decided");
    },

    reject(row) {
      if (!row.draftReason.trim()) {
        row.error = t("give_reason");
        return null;
      }
      return this.act(row, "reject", { reason: row.draftReason.trim() }, "decided");
    },

    contract(row) {
      if (!row.draftContract) {
        row.error = t("required");
        return null;
      }
      return this.act(row, "contract", { contract_date: row.draftContract }, "contract_saved");
    },
  };
}

startAlpine({ preApprovals });
