// fetch() for our JSON API: session cookie, CSRF header on writes, JSON in and out,
// and errors turned into translated sentences (the server's own message when it sent one).
import { t } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, data, message) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.data = data;
  }

  /** {field: "message; message"} from DRF's 400 body. */
  get fields() {
    return fieldErrors(this.data);
  }
}

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

function firstMessage(value) {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.length) return firstMessage(value[0]);
  return "";
}

/** DRF's error body as {field: text}; nested lists are joined. */
export function fieldErrors(data) {
  const result = {};
  if (!data || typeof data !== "object" || Array.isArray(data)) return result;
  for (const [field, value] of Object.entries(data)) {
    if (Array.isArray(value)) {
      result[field] = value.map(firstMessage).filter(Boolean).join("; ");
    } else if (typeof value === "string") {
      result[field] = value;
    }
  }
  return result;
}

function messageFor(status, data) {
  const detail = data && typeof data === "object" ? data.detail : "";
  if (status === 0) return t("network_error");
  if (status === 400) {
    const general = data && (firstMessage(data.non_field_errors) || firstMessage(data.detail));
    return general || t("fix_fields");
  }
  if (status === 401) return t("session_ended");
  if (status === 403) return typeof detail === "string" && detail ? detail : t("forbidden");
  if (status === 404) return t("not_found");
  if (status >= 500) return t("server_error");
  return (typeof detail === "string" && detail) || t("server_error");
}

/**
 * Call the API. Resolves with the parsed JSON (null for 204); rejects with an ApiError
 * whose message is ready to show. An aborted request rejects with the AbortError.
 */
export async function api(url, { method = "GET", body, signal, headers = {} } = {}) {
  const init = {
    method,
    credentials: "same-origin",
    headers: { Accept: "application/json", ...headers },
    signal,
  };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  if (!["GET", "HEAD", "OPTIONS"].includes(method)) init.headers["X-CSRFToken"] = csrfToken();
  let response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    if (error && error.name === "AbortError") throw error;
    throw new ApiError(0, null, messageFor(0, null));
  }
  let data = null;
  if (response.status !== 204) {
    data = await response.json().catch(() => null);
  }
  if (!response.ok) throw new ApiError(response.status, data, messageFor(response.status, data));
  return data;
}

/** Every page of a paginated list (DRF `results` + `next`), up to `maxPages`. */
export async function apiAll(url, { maxPages = 20 } = {}) {
  const rows = [];
  let next = url;
  for (let page = 0; next && page < maxPages; page += 1) {
    const data = await api(next);
    if (Array.isArray(data)) return data;
    rows.push(...(data.results || []));
    next = data.next;
  }
  return rows;
}

/** The sentence to show for any error thrown by api(). */
export function errorText(error) {
  if (error instanceof ApiError) return error.message;
  return t("server_error");
}

/** A URL with query parameters; empty values are left out, arrays repeat the key. */
export function withQuery(url, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== "" && item !== null && item !== undefined) query.append(key, item);
    }
  }
  const text = query.toString();
  if (!text) return url;
  return `${url}${url.includes("?") ? "&" : "?"}${text}`;
}
