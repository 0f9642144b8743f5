// One statement for everyone who may see it: status, deadlines, signatures, rows, the
// new-customer summary, claim lines with their receipts, the spot check and the history.
// The reviewer of the open step approves or returns it (with a reason); finance pays an
// approved statement out as an advance, shown against the rep's outstanding amount and
// the cap (the API refuses a payout over the cap and says why); a returned statement's
// rep files it again. Payouts and refiling send an Idempotency-Key.
import { startAlpine } from "../lib/alpine.js";
import {
  allErrors, api, apiAll, centsToString, config, dateTime, deadlineClass, deadlineText,
  emptyBody, errorText, fill, money, newKey, splitErrors, statementBody, t, visibleRows, MANY_ROWS, toCents, withQuery,
} from "./common.js";

const OPEN = ["submitted", "clerk_checked", "manager_approved"];
const STATUS_LABELS = Object.fromEntries((config.statuses || []).map((c) => [c.value, c.label]));

function statementDetail() {
  const url = fill(config.urls.statement, config.statement_id);
  return {
    ...emptyBody(),
    s: null,
    lines: [],
    history: [],
    spotItems: [],
    spotSeed: "",
    account: null,
    cap: null,
    loaded: false,
    busy: false,
    error: "",
    notice: "",
    reason: "",
    reasonError: "",
    payAmount: "",
    payNote: "",
    payErrors: {},
    payMessage: "",
    payKey: newKey(),

    get manyRows() {
      return this.rows.length > MANY_ROWS;
    },

    get shownRows() {
      return visibleRows(this.rows, this.onlyClaimed);
    },

    init() {
      this.load();
    },

    get statusClass() {
      return this.s ? `status-${this.s.status}` : "";
    },
    get submittedText() {
      return this.s ? dateTime(this.s.submitted_at) : "";
    },
    get reviewText() {
      return this.s && OPEN.includes(this.s.status) ? deadlineText(this.s.review_due) : "";
    },
    get reviewClass() {
      return this.s ? deadlineClass(this.s.review_due) : "";
    },
    get payableText() {
      return this.s ? money(this.s.payable_total) : "";
    },
    get paidText() {
      return this.s ? money(this.s.paid_total) : "";
    },
    get myStep() {
      if (!this.s) return null;
      return config.steps.find((step) => step.source === this.s.status) || null;
    },
    get myStepLabel() {
      return this.myStep ? t(`step_${this.myStep.name}`) : "";
    },
    get canResubmit() {
      return Boolean(this.s && this.s.status === "returned" && this.s.rep === config.user_id);
    },
    get canPay() {
      return Boolean(config.can_pay && this.s && this.s.status === "approved");
    },
    get beforePayout() {
      return Boolean(this.s && config.workdays.today < this.s.payout_from);
    },
    get remainingCents() {
      return this.s ? toCents(this.s.payable_total) - toCents(this.s.paid_total) : 0n;
    },
    get remainingText() {
      return money(centsToString(this.remainingCents));
    },
    get outstandingText() {
      return this.account ? money(this.account.outstanding) : money("0");
    },
    get capText() {
      return this.cap === null ? "" : money(this.cap);
    },
    get roomText() {
      if (this.cap === null) return "";
      const room = toCents(this.cap) - toCents(this.account ? this.account.outstanding : "0");
      return money(centsToString(room > 0n ? room : 0n));
    },

    signer(step) {
      const s = this.s;
      if (!s) return "";
      const [name, at] = {
        clerk: [s.clerk_checked_by_name, s.clerk_checked_at],
        manager: [s.manager_approved_by_name, s.manager_approved_at],
        finance: [s.finance_approved_by_name, s.finance_approved_at],
      }[step];
      return name ? `${name} · ${dateTime(at)}` : "—";
    },

    names() {
      const s = this.s;
      return {
        [s.rep]: s.rep_name,
        [s.clerk_checked_by]: s.clerk_checked_by_name,
        [s.manager_approved_by]: s.manager_approved_by_name,
        [s.finance_approved_by]: s.finance_approved_by_name,
      };
    },

    show(statement) {
      this.s = statement;
      Object.assign(this, statementBody(statement));
      if (!this.payAmount) this.payAmount = centsToString(this.remainingCents);
    },

    async load() {
      this.error = "";
      try {
        this.show(await api(url));
        const [lines, history] = await Promise.all([
          apiAll(withQuery(config.urls.claim_lines, { statement: config.statement_id })),
          api(`${url}history/`),
        ]);
        this.lines = lines.map((line) => ({
          ...line, amountText: money(line.amount),
          hasPayable: line.payable_amount !== null,
          payableText: line.payable_amount === null ? "" : money(line.payable_amount) }));
        this.showHistory(history);
        await Promise.all([this.loadSpotCheck(), this.loadAdvance()]);
      } catch (error) {
        this.error = errorText(error);
      } finally {
        this.loaded = true;
      }
    },

    showHistory(events) {
      const names = this.names();
      this.history = events.map((event) => ({
        ...event,
        when: dateTime(event.at),
        actor_name: event.actor ? (names[event.actor] || `#${event.actor}`) : "—",
        action: t(`action_${event.action}`),
        change: event.from_state || event.to_state
          ? `${STATUS_LABELS[event.from_state] || event.from_state || "—"} → ${STATUS_LABELS[event.to_state] || event.to_state}`
          : "",
      }));
    },

    async loadSpotCheck() {
      if (!config.sees_spot_checks) return;
      const checks = await apiAll(withQuery(config.urls.spot_checks,
        { statement: config.statement_id }));
      if (checks.length) {
        this.spotItems = checks[0].items;
        this.spotSeed = String(checks[0].seed);
      }
    },

    async loadAdvance() {
      if (!config.can_pay) return;
      const [accounts, cap] = await Promise.all([
        apiAll(withQuery(config.urls.advance_accounts, { rep: this.s.rep })),
        api(config.urls.advance_cap),
      ]);
      this.account = accounts[0] || null;
      this.cap = cap.cap;
    },

    async refresh(message) {
      this.notice = message;
      this.show(await api(url));
      this.showHistory(await api(`${url}history/`));
      await Promise.all([this.loadSpotCheck(), this.loadAdvance()]);
    },

    async approve() {
      const step = this.myStep;
      if (!step) return;
      this.busy = true;
      this.error = "";
      try {
        await api(`${url}${step.url}/`, { method: "POST" });
        await this.refresh(t("approved"));
      } catch (error) {
        this.error = allErrors(error);
        await this.refresh("").catch(() => null);
      } finally {
        this.busy = false;
      }
    },

    async sendBack() {
      this.reasonError = "";
      if (!this.reason.trim()) {
        this.reasonError = t("give_reason");
        return;
      }
      this.busy = true;
      this.error = "";
      try {
        await api(`${url}return/`, { method: "POST", body: { reason: this.reason.trim() } });
        this.reason = "";
        await this.refresh(t("returned"));
      } catch (error) {
        const { shown, message } = splitErrors(error, ["reason"]);
        this.reasonError = shown.reason || "";
        this.error = message;
      } finally {
        this.busy = false;
      }
    },

    async resubmit() {
      this.busy = true;
      this.error = "";
      try {
        await api(`${url}resubmit/`, { method: "POST", headers: { "Idempotency-Key": newKey() } });
        await this.refresh(t("resubmitted"));
      } catch (error) {
        this.error = allErrors(error);
      } finally {
        this.busy = false;
      }
    },

    async payout() {
      this.busy = true;
      this.payErrors = {};
      this.payMessage = "";
      try {
        const entry = await api(`${url}payout/`, {
          method: "POST", body: { amount: this.payAmount.trim(), note: this.payNote.trim() },
          headers: { "Idempotency-Key": this.payKey } });
        this.payKey = newKey();
        this.payAmount = "";
        this.payNote = "";
        await this.refresh(t("paid", { amount: money(entry.amount) }));
        this.payAmount = centsToString(this.remainingCents);
      } catch (error) {
        const { shown, message } = splitErrors(error, ["amount", "note"]);
        this.payErrors = shown;
        this.payMessage = message;
        if (error.status && error.status < 500) this.payKey = newKey();
      } finally {
        this.busy = false;
      }
    },
  };
}

startAlpine({ statementDetail });
