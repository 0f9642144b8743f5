// Shared bits of the field pages: the page config, ids, times, and the service worker.
import { readJson } from "../../lib/i18n.js";

let config = null;

/** The page's config (json_script #field-config): URLs, choices, tiles, user id. */
export function fieldConfig() {
  if (config === null) config = readJson("field-config");
  return config;
}

/** A URL template "/x/{id}/" filled in. */
export function fill(template, id) {
  return template.replace("{id}", String(id));
}

/** A random UUID (v4); crypto.randomUUID exists only in secure contexts. */
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** "HH:MM" in the phone's time zone. */
export function clock(value) {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleTimeString(document.documentElement.lang || "zh-CN",
    { hour: "2-digit", minute: "2-digit", hour12: false });
}

/** The phone's position as the API takes it, or the reason there is none.
 *  Resolves {latitude, longitude, accuracy_m} or {gps_error}. Never rejects. */
export function position({ timeout = 15000 } = {}) {
  return new Promise((resolve) => {
    if (!navigator.geolocation) {
      resolve({ gps_error: "unavailable" });
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (found) => resolve({
        latitude: found.coords.latitude.toFixed(6),
        longitude: found.coords.longitude.toFixed(6),
        accuracy_m: Math.min(100000, Math.round(found.coords.accuracy || 0)),
      }),
      (error) => resolve({
        gps_error: { 1: "denied", 2: "unavailable", 3: "timeout" }[error.code] || "unavailable",
      }),
      { enableHighAccuracy: true, timeout, maximumAge: 60000 },
    );
  });
}

/** Register the field service worker (scope: the field pages). Resolves the
 *  registration, or null where service workers are unavailable. */
export async function registerWorker() {
  if (!("serviceWorker" in navigator)) return null;
  const { sw, scope } = fieldConfig().urls.pages;
  try {
    await navigator.serviceWorker.register(sw, { scope });
    return await navigator.serviceWorker.ready;
  } catch {
    return null;
  }
}

/** Ask the service worker to store these URLs for offline use; resolves
 *  {stored, failed} once it has, or null without a worker. */
export async function warmCache(urls) {
  const registration = await registerWorker();
  if (!registration || !registration.active) return null;
  return new Promise((resolve) => {
    const onMessage = (event) => {
      if (event.data && event.data.type === "warmed") {
        navigator.serviceWorker.removeEventListener("message", onMessage);
        resolve(event.data);
      }
    };
    navigator.serviceWorker.addEventListener("message", onMessage);
    registration.active.postMessage({ type: "warm", urls });
  });
}

/** When a response came from the worker's offline copy: the moment it was stored. */
export function storedAt(response) {
  return response.headers.get("X-Keqing-Stored-At");
}
