// The outbox: every write a rep makes in the field (check-in, photo, problem, check-out,
// missed-visit reason) is first stored here in IndexedDB, then sent, in order, whenever
// there is a connection: right away, on the `online` event, on every page load, on
// "send now", and on a backoff timer while something is waiting.
//
// Exactly once: each item carries the client id of the object it creates and its own
// Idempotency-Key, both fixed when it is queued, and a body that never changes, so a
// retry after a lost answer gets the server's first answer back instead of a copy.
// Items that need the server id of their visit (photos, problems, check-out) wait for the
// visit's check-in; if the server refused that check-in, they are refused with it.
//
// Statuses: queued → sent | refused (the server said no, with its reason; the rep may
// queue it again after fixing what was wrong) | blocked (session ended or CSRF: log in,
// then it is sent as queued).
import { fieldErrors } from "../../lib/api.js";
import { t } from "../../lib/i18n.js";
import { fieldConfig, fill, uuid } from "./common.js";
import { db, getVisit, updateVisit } from "./store.js";

export const QUEUED = "queued";
export const SENT = "sent";
export const REFUSED = "refused";
export const BLOCKED = "blocked";

const BACKOFF_S = [5, 15, 30, 60, 120];
const channel = "BroadcastChannel" in window ? new BroadcastChannel("keqing-outbox") : null;
const listeners = new Set();
let running = null;
let again = false;
let timer = null;
let failures = 0;

/** Call `listener()` whenever the outbox changes (in this tab or another). */
export function onOutboxChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function changed() {
  for (const listener of listeners) listener();
  if (channel) channel.postMessage("changed");
}

if (channel) channel.onmessage = () => { for (const listener of listeners) listener(); };

/**
 * Queue a write. `item`: {kind, clientId, body, retailerId, retailerName, visitClientId?,
 * blob?, fileName?}. Resolves the stored item; tries to send at once when online.
 */
export async function enqueue(item) {
  const stored = {
    ...item,
    // A plain copy: IndexedDB cannot store the page's reactive proxies.
    body: JSON.parse(JSON.stringify(item.body)),
    status: QUEUED,
    idempotencyKey: uuid(),
    createdAt: new Date().toISOString(),
    attempts: 0,
    lastError: "",
    reason: "",
  };
  stored.seq = await (await db()).add("outbox", stored);
  changed();
  if (navigator.onLine) sync();
  return stored;
}

export async function items() {
  return (await db()).getAll("outbox");
}

export async function pendingCount() {
  const handle = await db();
  return (await handle.countFromIndex("outbox", "status", QUEUED))
    + (await handle.countFromIndex("outbox", "status", BLOCKED));
}

async function update(seq, changes) {
  const handle = await db();
  const tx = handle.transaction("outbox", "readwrite");
  const item = await tx.store.get(seq);
  if (item) await tx.store.put({ ...item, ...changes });
  await tx.done;
}

/** Queue a refused item again (the server kept nothing of a refused request). */
export async function requeue(seq) {
  const handle = await db();
  const item = await handle.get("outbox", seq);
  if (!item || item.status !== REFUSED) return;
  await update(seq, { status: QUEUED, reason: "", lastError: "" });
  if (item.kind === "checkin") {
    // What was refused along with the check-in goes again with it.
    await updateVisit(item.clientId, { refused: false });
    for (const other of await handle.getAll("outbox")) {
      if (other.visitClientId === item.clientId && other.status === REFUSED) {
        await update(other.seq, { status: QUEUED, reason: "", lastError: "" });
      }
    }
  }
  changed();
  sync();
}

/** Drop a refused item for good. */
export async function discard(seq) {
  const handle = await db();
  const item = await handle.get("outbox", seq);
  if (item && item.status === REFUSED) await handle.delete("outbox", seq);
  changed();
}

function csrfToken() {
  // The cookie first: a page kept offline may hold a token from before the last login.
  const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
  if (cookie) return decodeURIComponent(cookie.slice("csrftoken=".length));
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

function reasonOf(data) {
  const fields = fieldErrors(data);
  const parts = [];
  for (const [field, text] of Object.entries(fields)) {
    parts.push(["non_field_errors", "detail"].includes(field) ? text : `${field}: ${text}`);
  }
  return parts.join(" ") || t("server_error");
}

/** The request of an item: [url, init]; `visitId` is the server id of its visit. */
function request(item, visitId) {
  const { api } = fieldConfig().urls;
  const headers = {
    Accept: "application/json",
    "Idempotency-Key": item.idempotencyKey,
    // The phone's clock now: lets the server measure its offset (not in the body, so
    // retries stay byte-identical).
    "X-Device-Time": new Date().toISOString(),
    "X-CSRFToken": csrfToken(),
  };
  if (item.kind === "photo") {
    const form = new FormData();
    form.append("client_id", item.clientId);
    form.append("visit", String(visitId));
    form.append("kind", item.body.kind);
    if (item.body.taken_at) form.append("taken_at", item.body.taken_at);
    form.append("image", item.blob, item.fileName);
    return [api.photos, { method: "POST", headers, body: form }];
  }
  const url = {
    checkin: api.visits,
    checkout: visitId ? fill(api.checkout, visitId) : null,
    problem: api.problems,
    missed: api.missed,
  }[item.kind];
  const body = item.kind === "problem" ? { ...item.body, visit: visitId || null } : item.body;
  headers["Content-Type"] = "application/json";
  return [url, { method: "POST", headers, body: JSON.stringify(body) }];
}

async function visitIdFor(item) {
  if (!item.visitClientId) return { ok: true, id: null };
  const visit = await getVisit(item.visitClientId);
  if (visit && visit.serverId) return { ok: true, id: visit.serverId };
  if (visit && visit.refused) return { ok: false, refused: true };
  return { ok: false, refused: false };
}

async function afterSent(item, data) {
  if (item.kind === "checkin") {
    await updateVisit(item.clientId, { serverId: data.id, flags: data.flags, synced: true });
  } else if (item.kind === "checkout") {
    await updateVisit(item.visitClientId, { checkedOutSynced: true, flags: data.flags });
  }
}

/** Send one item. Resolves "sent" | "refused" | "blocked" | "retry". */
async function send(item) {
  const visit = await visitIdFor(item);
  if (!visit.ok) {
    if (!visit.refused) return "retry";
    await update(item.seq, { status: REFUSED, reason: t("depends_refused") });
    return "refused";
  }
  const [url, init] = request(item, visit.id);
  await update(item.seq, { attempts: item.attempts + 1, lastAttemptAt: new Date().toISOString() });
  let response;
  try {
    response = await fetch(url, { ...init, credentials: "same-origin" });
  } catch {
    await update(item.seq, { lastError: t("network_error") });
    return "retry";
  }
  const data = await response.json().catch(() => null);
  if (response.ok) {
    await afterSent(item, data || {});
    await update(item.seq, { status: SENT, sentAt: new Date().toISOString(), serverId: data && data.id,
      replayed: response.status === 200 || response.headers.get("Idempotent-Replayed") === "true",
      lastError: "", blob: null });
    return "sent";
  }
  if (response.status === 401 || response.status === 403) {
    await update(item.seq, { status: BLOCKED, lastError: t("blocked") });
    return "blocked";
  }
  if (response.status === 429 || response.status >= 500) {
    await update(item.seq, { lastError: t("server_error") });
    return "retry";
  }
  await update(item.seq, { status: REFUSED, reason: reasonOf(data), lastError: "" });
  if (item.kind === "checkin") await updateVisit(item.clientId, { refused: true });
  return "refused";
}

async function waitingItems() {
  // Blocked items go again: the rep may have logged in since.
  return (await (await db()).getAll("outbox"))
    .filter((item) => item.status === QUEUED || item.status === BLOCKED)
    .sort((a, b) => a.seq - b.seq);
}

/** Whose session this is: "ok" when it is the queue's owner (the page's user), else
 *  "blocked" (logged out, or someone else logged in on this phone) or "retry". */
async function sessionOwner() {
  let response;
  try {
    response = await fetch(fieldConfig().urls.api.me,
      { credentials: "same-origin", headers: { Accept: "application/json" } });
  } catch {
    return "retry";
  }
  if (response.status === 401 || response.status === 403) return "blocked";
  if (!response.ok) return "retry";
  const me = await response.json().catch(() => null);
  return me && me.id === fieldConfig().user_id ? "ok" : "blocked";
}

async function block(waiting) {
  for (const item of waiting) await update(item.seq, { status: BLOCKED, lastError: t("blocked") });
  changed();
}

async function pass() {
  const waiting = await waitingItems();
  if (!waiting.length) return true;
  // Never send one person's queue under another's session (a shared phone, a page kept
  // offline from before a logout).
  const owner = await sessionOwner();
  if (owner === "blocked") await block(waiting);
  if (owner !== "ok") return false;
  const tried = new Set();
  for (;;) {
    // Read again each time: something queued during the pass is sent in the same pass.
    const next = (await waitingItems()).find((item) => !tried.has(item.seq));
    if (!next) return true;
    tried.add(next.seq);
    const outcome = await send(next);
    changed();
    // In order: what follows may depend on this one, and a failure usually means no signal.
    if (outcome === "retry" || outcome === "blocked") return false;
  }
}

function schedule(done) {
  clearTimeout(timer);
  if (done) {
    failures = 0;
    return;
  }
  const delay = BACKOFF_S[Math.min(failures, BACKOFF_S.length - 1)];
  failures += 1;
  timer = setTimeout(() => sync(), delay * 1000);
}

/** Send everything waiting, in order; one pass at a time across this phone's tabs.
 *  Resolves true when nothing is left waiting. */
export function sync() {
  if (running) {
    again = true;
    return running;
  }
  const locked = (work) => (navigator.locks
    ? navigator.locks.request(`keqing-outbox-${fieldConfig().user_id}`, work) : work());
  running = locked(pass)
    .catch(() => false)
    .then((done) => {
      running = null;
      if (again) {
        again = false;
        return sync();
      }
      schedule(done);
      return done;
    });
  return running;
}

const KEEP_SENT_DAYS = 7;

/** Forget items the server has had for a week (the panel is a recent history). */
async function prune() {
  const limit = new Date(Date.now() - KEEP_SENT_DAYS * 86400000).toISOString();
  const handle = await db();
  for (const item of await handle.getAll("outbox")) {
    if (item.status === SENT && (item.sentAt || "") < limit) await handle.delete("outbox", item.seq);
  }
}

/** Send on load, when the connection comes back, and when the page is shown again. */
export function startSyncing() {
  prune().catch(() => {});
  window.addEventListener("online", () => sync());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && navigator.onLine) sync();
  });
  sync();
}
