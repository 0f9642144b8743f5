// Copy the browser builds we serve from node_modules into static/vendor/ (git-ignored).
// Everything is served from our own origin: no foreign CDN is reachable from every
// Chinese network.
import { cpSync, mkdirSync, rmSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const vendor = join(root, "static", "vendor");

const files = {
  "@alpinejs/csp/dist/module.esm.js": "alpine/alpine-csp.esm.js",
  "@alpinejs/csp/dist/cdn.min.js": "alpine/alpine-csp.min.js",
  "echarts/dist/echarts.min.js": "echarts/echarts.min.js",
  "echarts/dist/echarts.esm.min.mjs": "echarts/echarts.esm.min.mjs",
  "leaflet/dist/leaflet.js": "leaflet/leaflet.js",
  "leaflet/dist/leaflet.js.map": "leaflet/leaflet.js.map",
  "leaflet/dist/leaflet-src.esm.js": "leaflet/leaflet-src.esm.js",
  "leaflet/dist/leaflet-src.esm.js.map": "leaflet/leaflet-src.esm.js.map",
  "leaflet/dist/leaflet.css": "leaflet/leaflet.css",
  "leaflet/dist/images": "leaflet/images",
  "idb/build": "idb",
};

rmSync(vendor, { recursive: true, force: true });
for (const [from, to] of Object.entries(files)) {
  const source = join(modules, from);
  if (!existsSync(source)) {
    console.error(`missing ${source}: run npm ci first`);
    process.exit(1);
  }
  mkdirSync(dirname(join(vendor, to)), { recursive: true });
  cpSync(source, join(vendor, to), { recursive: true });
}
console.log(`vendor: ${Object.keys(files).length} entries copied into static/vendor/`);
