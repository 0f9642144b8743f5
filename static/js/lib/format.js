// Formatting for display. Money arrives as decimal strings and is summed in integer
// cents (BigInt), never in floats.

/** "1234.5" → 123450n (cents); bad input counts as 0. */
export function toCents(value) {
  const text = String(value ?? "").trim();
  const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[2] === "" && !match[3])) return 0n;
  const whole = BigInt(match[2] || "0");
  const fraction = BigInt(((match[3] || "") + "00").slice(0, 2));
  const cents = whole * 100n + fraction;
  return match[1] === "-" ? -cents : cents;
}

/** 123450n → "1234.50". */
export function centsToString(cents) {
  const negative = cents < 0n;
  const absolute = negative ? -cents : cents;
  const text = `${absolute / 100n}.${String(absolute % 100n).padStart(2, "0")}`;
  return negative ? `-${text}` : text;
}

/** Sum of decimal strings as a 2-decimal string. */
export function sumDecimals(values) {
  return centsToString(values.reduce((total, value) => total + toCents(value), 0n));
}

/** "1234567.5" → "1,234,567.50" (grouping by the page's language). */
export function money(value, locale = document.documentElement.lang || "zh-CN") {
  const [whole, fraction] = centsToString(toCents(value)).split(".");
  const grouped = BigInt(whole).toLocaleString(locale);
  return `${whole.startsWith("-") && !grouped.startsWith("-") ? "-" : ""}${grouped}.${fraction}`;
}

/** A number for chart axes and tooltips, grouped, at most 2 decimals. */
export function number(value, locale = document.documentElement.lang || "zh-CN") {
  return Number(value).toLocaleString(locale, { maximumFractionDigits: 2 });
}

/** Debounce: `fn` runs `wait` ms after the last call. */
export function debounce(fn, wait = 300) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), wait);
  };
}
