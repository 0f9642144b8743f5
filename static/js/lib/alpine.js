// Alpine.js, CSP build: components are registered here from ES modules (no inline
// scripts, no eval); templates use plain property access and method calls only.
import Alpine from "../../vendor/alpine/alpine-csp.esm.js";

let started = false;

/** Register the page's components and start Alpine once. */
export function startAlpine(components) {
  for (const [name, factory] of Object.entries(components)) Alpine.data(name, factory);
  if (!started) {
    started = true;
    Alpine.start();
  }
  return Alpine;
}

export default Alpine;
