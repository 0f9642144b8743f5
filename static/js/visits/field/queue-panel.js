// The queue panel on every field page: what waits to be sent, what was sent, what the
// server refused and why (with "send again" after fixing, or "discard").
import { t } from "../../lib/i18n.js";
import { clock } from "./common.js";
import { BLOCKED, QUEUED, REFUSED, SENT, discard, items, onOutboxChange, requeue, sync } from "./outbox.js";

const LABELS = { checkin: "kind_checkin", checkout: "kind_checkout", photo: "kind_photo",
  problem: "kind_problem", missed: "kind_missed" };

function row(item) {
  return {
    seq: item.seq,
    kind: item.kind,
    status: item.status,
    label: t(LABELS[item.kind] || item.kind),
    retailer: item.retailerName || "",
    time: clock(item.createdAt),
    statusText: t(item.status),
    reason: item.status === REFUSED ? item.reason : "",
    error: item.status === QUEUED || item.status === BLOCKED ? item.lastError : "",
    attempts: item.attempts,
    className: `queue-item status-${item.status}`,
    refused: item.status === REFUSED,
  };
}

export function queuePanel() {
  return {
    rows: [],
    online: navigator.onLine,
    open: false,
    syncing: false,

    init() {
      this.open = this.$el.dataset.open === "true";
      this.refresh();
      onOutboxChange(() => this.refresh());
      window.addEventListener("online", () => { this.online = true; });
      window.addEventListener("offline", () => { this.online = false; });
    },

    async refresh() {
      const all = await items();
      // Newest first; sent items of earlier days are history, the last 50 are enough.
      this.rows = all.sort((a, b) => b.seq - a.seq).slice(0, 50).map(row);
    },

    get waiting() {
      return this.rows.filter((r) => r.status === QUEUED || r.status === BLOCKED).length;
    },

    get refusedCount() {
      return this.rows.filter((r) => r.status === REFUSED).length;
    },

    get sentCount() {
      return this.rows.filter((r) => r.status === SENT).length;
    },

    get summary() {
      return this.waiting ? t("queue_count", { count: this.waiting }) : t("queue_empty");
    },

    toggle() {
      this.open = !this.open;
    },

    async sendNow() {
      this.syncing = true;
      try {
        await sync();
      } finally {
        this.syncing = false;
        await this.refresh();
      }
    },

    retry(seq) {
      requeue(seq);
    },

    drop(seq) {
      discard(seq);
    },
  };
}
