// Shared by the home pages: one API call, formatting of percentages and "x of y".
import { api, errorText } from "../lib/api.js";

/** "%(name)s" placeholders of a server-translated template filled in. */
export function fill(template, params) {
  return String(template || "").replace(/%\((\w+)\)s/g, (match, name) =>
    name in params ? String(params[name]) : match);
}

export function percent(value, none) {
  return value === null || value === undefined ? none : `${value}%`;
}

/** The home's data from `url`, into component.data (errors into component.error). */
export async function loadInto(component, url) {
  component.loading = true;
  component.error = "";
  try {
    component.data = await api(url);
  } catch (error) {
    component.error = errorText(error);
  } finally {
    component.loading = false;
  }
}

/** A CSS class for a fill bar: width in 10% steps (no inline styles under the CSP). */
export function barClass(pct) {
  const step = Math.max(0, Math.min(10, Math.round((pct || 0) / 10)));
  return `fill fill-${step * 10}`;
}
