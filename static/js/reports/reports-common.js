// Shared by the report pages: config, URL state, error texts with field names.
import { api, ApiError } from "../lib/api.js";
import { readJson, t } from "../lib/i18n.js";

export const config = readJson("reports-config");

export function percent(value) {
  return value === null || value === undefined ? t("none") : `${value}%`;
}

/** {field: "message"} of a 400, and the general sentence for anything else. */
export function splitError(error) {
  if (error instanceof ApiError && error.status === 400) {
    const fields = error.fields;
    if (Object.keys(fields).length) return { fields, message: "" };
  }
  return { fields: {}, message: error && error.message ? error.message : t("server_error") };
}

/** The query string's value of `name` when it matches `pattern`. */
export function param(name, pattern) {
  const value = new URLSearchParams(window.location.search).get(name) || "";
  return pattern.test(value) ? value : "";
}

/**
 * A loader whose latest call wins: `load(component, url)` fills component.data,
 * .loading, .error and .errors (field → message) from the API; an answer to an older
 * call (the user changed a picker meanwhile) is dropped.
 */
export function latestLoader() {
  let sequence = 0;
  return async function load(component, url) {
    const mine = ++sequence;
    component.loading = true;
    component.error = "";
    component.errors = {};
    try {
      const data = await api(url);
      if (mine === sequence) component.data = data;
    } catch (error) {
      if (mine !== sequence) return;
      const { fields, message } = splitError(error);
      component.errors = fields;
      component.error = message;
      component.data = null;
    } finally {
      if (mine === sequence) component.loading = false;
    }
  };
}

/** Keep the page's state in its address (shareable, survives a reload). */
export function remember(params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) query.set(key, value);
  const text = query.toString();
  window.history.replaceState(null, "", text ? `${window.location.pathname}?${text}`
    : window.location.pathname);
}

/** Nodes indented by depth for a <select>. */
export function nodeOptions(selected) {
  const top = Math.min(...(config.nodes || []).map((n) => n.depth));
  return (config.nodes || []).map((n) => ({
    ...n,
    label: `${"\u00a0\u00a0".repeat(Math.max(0, n.depth - top))}${n.name} (${n.kind})`,
    selected: String(n.id) === String(selected),
  }));
}

export function retailerUrl(id) {
  return config.urls.retailer.replace("/0/", `/${id}/`);
}

/** What a visit brought back, as labelled lines. */
export function infoLines(visit) {
  const lines = [];
  for (const key of ["competitor_info", "consumer_feedback", "retailer_requests"]) {
    if (visit[key]) lines.push({ key, label: t(key), text: visit[key] });
  }
  if (visit.stock) lines.push({ key: "stock", label: t("stock"), text: "✓" });
  return lines;
}

export function flags(visit) {
  const found = [];
  if (visit.far_from_store) found.push(t("far"));
  if (visit.gps_missing) found.push(t("no_gps"));
  return found;
}
