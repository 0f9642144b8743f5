// Helpers shared by the plan and team pages.
import { ApiError, errorText } from "../../lib/api.js";

/** A random UUID (v4) for Idempotency-Key headers; also outside secure contexts. */
export function uuid() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") {
    return window.crypto.randomUUID();
  }
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Headers for a create that may be retried: the server runs it once per key. */
export function once() {
  return { "Idempotency-Key": uuid() };
}

/**
 * The sentence to show for an API error: the server's own field message when a 400
 * names a field (e.g. {"plan": ["Nobody approves their own plan."]}), else the
 * generic sentence for the status.
 */
export function apiMessage(error) {
  if (error instanceof ApiError && error.status === 400) {
    const fields = error.fields;
    const first = Object.values(fields).find(Boolean);
    if (first) return first;
  }
  return errorText(error);
}

/** "2026-12-03" → "2026-12". */
export function monthOf(iso) {
  return String(iso || "").slice(0, 7);
}

/** "2026-12" → "2026-12-01". */
export function firstOf(month) {
  return `${month}-01`;
}

/** A date or datetime string shown as its date part. */
export function dayOf(value) {
  return value ? String(value).slice(0, 10) : "";
}

/** "09:30:00" → "09:30". */
export function hhmm(value) {
  return value ? String(value).slice(0, 5) : "";
}
