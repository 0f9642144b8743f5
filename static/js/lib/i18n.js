// Sentences rendered by the server into <script type="application/json" id="i18n">
// (json_script: JSON, never executed, so CSP needs no nonce for it).
let strings = null;

function load() {
  if (strings === null) {
    const element = document.getElementById("i18n");
    try {
      strings = element ? JSON.parse(element.textContent) : {};
    } catch {
      strings = {};
    }
  }
  return strings;
}

/** The translated sentence `key`, with Python-style %(name)s placeholders filled. */
export function t(key, params = {}) {
  const text = load()[key] ?? key;
  return text.replace(/%\((\w+)\)s/g, (match, name) =>
    name in params ? String(params[name]) : match);
}

/** A page's JSON config from a json_script block. */
export function readJson(id, fallback = {}) {
  const element = document.getElementById(id);
  if (!element) return fallback;
  try {
    return JSON.parse(element.textContent);
  } catch {
    return fallback;
  }
}
