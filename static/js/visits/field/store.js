// This phone's field data in IndexedDB (through `idb`), one database per user:
//   outbox  – writes waiting to be sent, sent, or refused (see outbox.js);
//   visits  – visits started on this phone: client id → server id once synced;
//   drafts  – the visit form being filled in, so a reload or a dead battery loses nothing.
// And today's route, read through the service worker (network first, offline copy).
import { openDB } from "../../../vendor/idb/index.js";
import { ApiError, fieldErrors } from "../../lib/api.js";
import { t } from "../../lib/i18n.js";
import { fieldConfig, fill, storedAt } from "./common.js";

let database = null;

export function db() {
  if (database === null) {
    database = openDB(`keqing-field-${fieldConfig().user_id}`, 1, {
      upgrade(upgrading) {
        const outbox = upgrading.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
        outbox.createIndex("status", "status");
        const visits = upgrading.createObjectStore("visits", { keyPath: "clientId" });
        visits.createIndex("retailer", "retailerId");
        upgrading.createObjectStore("drafts", { keyPath: "key" });
      },
    });
  }
  return database;
}

// --- visits started on this phone ---

export async function saveVisit(record) {
  await (await db()).put("visits", record);
  return record;
}

export async function getVisit(clientId) {
  return (await db()).get("visits", clientId);
}

/** Visits of a retailer started on this phone, newest first. */
export async function visitsOf(retailerId) {
  const rows = await (await db()).getAllFromIndex("visits", "retailer", retailerId);
  return rows.sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
}

export async function allVisits() {
  return (await db()).getAll("visits");
}

export async function updateVisit(clientId, changes) {
  const handle = await db();
  const tx = handle.transaction("visits", "readwrite");
  const record = await tx.store.get(clientId);
  if (record) await tx.store.put({ ...record, ...changes });
  await tx.done;
}

// --- drafts of the visit form ---

export async function getDraft(key) {
  return (await db()).get("drafts", key);
}

export async function saveDraft(key, value) {
  await (await db()).put("drafts", { key, value, savedAt: new Date().toISOString() });
}

export async function dropDraft(key) {
  await (await db()).delete("drafts", key);
}

// --- reads through the service worker ---

function messageOf(status, data) {
  if (status === 401) return t("session_ended");
  if (status === 403) return t("forbidden");
  if (status === 404) return t("not_found");
  if (status >= 500) return t("server_error");
  const fields = fieldErrors(data);
  return fields.detail || fields.non_field_errors || t("fix_fields");
}

/** GET JSON; resolves {data, storedAt} (storedAt: when it is the worker's offline copy). */
export async function getJson(url) {
  let response;
  try {
    response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  } catch {
    throw new ApiError(0, null, t("network_error"));
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data, messageOf(response.status, data));
  return { data, storedAt: storedAt(response) };
}

/** Today's route with each stop's preparation (network first, else the offline copy). */
export function loadToday() {
  // No date: the server's today. Offline, the copy says which day it is (`date`).
  return getJson(fieldConfig().urls.api.today);
}

/** The preparation of `retailerId`: {prep, storedAt}. */
export async function loadPreparation(retailerId) {
  try {
    const { data, storedAt } = await loadToday();
    const stop = data.stops.find((s) => s.retailer === retailerId);
    if (stop) return { prep: stop.preparation, storedAt, date: data.date };
  } catch {
    // Not a rep's route (a manager), or nothing stored: ask for this shop alone.
  }
  const { data, storedAt } = await getJson(fill(fieldConfig().urls.api.prepare, retailerId));
  return { prep: data, storedAt, date: null };
}
