// Finance's advances: the company's cap (editable by finance or an admin), approved
// statements waiting for payout, each rep's outstanding advance against the cap with a
// settle form (Idempotency-Key per settlement), and one month's payouts with the Excel.
import { startAlpine } from "../lib/alpine.js";
import {
  api, apiAll, centsToString, config, errorText, fill, money, newKey, splitErrors, t, toCents,
  withQuery,
} from "./common.js";

function advances() {
  return {
    cap: null,
    newCap: "",
    capError: "",
    toPay: [],
    accounts: [],
    entries: [],
    months: config.months,
    month: config.months[1] || config.months[0],
    loaded: false,
    busy: false,
    error: "",
    notice: "",

    async init() {
      try {
        await Promise.all([this.loadCap(), this.loadToPay(), this.loadEntries()]);
        await this.loadAccounts();
      } catch (error) {
        this.error = errorText(error);
      } finally {
        this.loaded = true;
      }
    },

    get capText() {
      return this.cap === null ? "" : money(this.cap);
    },
    get exportUrl() {
      return withQuery(config.urls.payouts_export, { month: this.month });
    },

    async loadCap() {
      const data = await api(config.urls.advance_cap);
      this.cap = data.cap;
      this.newCap = data.cap;
    },

    async loadToPay() {
      const rows = await apiAll(withQuery(config.urls.statements, { status: "approved" }));
      this.toPay = rows.map((row) => ({
        ...row, url: fill(config.urls.detail_page, row.id),
        remainingText: money(centsToString(toCents(row.payable_total) - toCents(row.paid_total))),
      }));
    },

    async loadAccounts() {
      const rows = await apiAll(config.urls.advance_accounts);
      const cap = toCents(this.cap || "0");
      this.accounts = rows.map((row) => {
        const used = toCents(row.outstanding);
        const share = cap > 0n ? Number((used * 100n) / cap) : 100;
        const step = Math.min(10, Math.round(share / 10));
        return {
          ...row, outstandingText: money(row.outstanding), settleAmount: "", error: "",
          key: newKey(), canSettle: config.can_pay && used > 0n,
          barClass: used >= cap ? "bar full" : "bar",
          fillClass: `fill-${step}`,
        };
      });
    },

    async loadEntries() {
      const rows = await apiAll(withQuery(config.urls.advance_entries, { month: this.month }));
      this.entries = rows.map((row) => ({ ...row, amountText: money(row.amount),
        afterText: money(row.outstanding_after) }));
    },

    async saveCap() {
      this.busy = true;
      this.capError = "";
      try {
        const data = await api(config.urls.advance_cap, { method: "PUT",
          body: { cap: this.newCap.trim() } });
        this.cap = data.cap;
        this.notice = t("cap_saved");
        await this.loadAccounts();
      } catch (error) {
        const { shown, message } = splitErrors(error, ["cap"]);
        this.capError = shown.cap || message;
      } finally {
        this.busy = false;
      }
    },

    async settle(account) {
      this.busy = true;
      account.error = "";
      try {
        const entry = await api(`${config.urls.advance_accounts}${account.id}/settle/`, {
          method: "POST", body: { amount: account.settleAmount.trim() },
          headers: { "Idempotency-Key": account.key } });
        this.notice = t("settled", { amount: money(entry.amount) });
        await Promise.all([this.loadAccounts(), this.loadEntries()]);
      } catch (error) {
        const { shown, message } = splitErrors(error, ["amount"]);
        account.error = shown.amount || message;
        if (error.status && error.status < 500) account.key = newKey();
      } finally {
        this.busy = false;
      }
    },
  };
}

startAlpine({ advances });
