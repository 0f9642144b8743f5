// The day's stops on a Leaflet map: numbered pins in route order joined by a line.
// Points come from the API in WGS-84 with their GCJ-02 twin (computed on the server by
// kehu.geo.wgs84_to_gcj02, the tested function); Chinese tiles (AMap, Tencent) draw
// GCJ-02, so the twin is used when the configured tiles say so. Tiles are not kept
// offline (provider terms); without signal the pins and line still show on grey.
let leaflet = null;

async function loadLeaflet() {
  if (!leaflet) leaflet = await import("../../../vendor/leaflet/leaflet-src.esm.js");
  return leaflet;
}

function latLng(point, tiles) {
  if (!point) return null;
  if (tiles.gcj02 && point.gcj02) return [point.gcj02.latitude, point.gcj02.longitude];
  return [Number(point.latitude), Number(point.longitude)];
}

/**
 * Draw (or redraw) the route in `element`. `stops`: [{number, name, location}] in route
 * order; `start`: the route's start point or null. Returns the view to pass back next time.
 */
export async function drawRoute(element, stops, start, tiles, view = null) {
  const L = await loadLeaflet();
  let current = view;
  if (!current) {
    const touch = window.matchMedia("(pointer: coarse)").matches;
    const map = L.map(element, { scrollWheelZoom: false, dragging: !touch });
    map.attributionControl.setPrefix(false);
    L.tileLayer(tiles.url, { maxZoom: 19, attribution: tiles.attribution,
      subdomains: tiles.subdomains || "abc" }).on("tileerror", () => {}).addTo(map);
    current = { map, layer: L.layerGroup().addTo(map) };
  }
  current.layer.clearLayers();
  const points = [];
  const startPoint = latLng(start, tiles);
  if (startPoint) {
    points.push(startPoint);
    L.circleMarker(startPoint, { radius: 7, className: "route-start" }).addTo(current.layer);
  }
  for (const stop of stops) {
    const point = latLng(stop.location, tiles);
    if (!point) continue;
    points.push(point);
    const icon = L.divIcon({ className: "route-pin", html: `<span>${stop.number}</span>`,
      iconSize: [28, 28], iconAnchor: [14, 14] });
    L.marker(point, { icon, title: stop.name, keyboard: false }).addTo(current.layer);
  }
  if (points.length > 1) L.polyline(points, { className: "route-line" }).addTo(current.layer);
  if (points.length) current.map.fitBounds(L.latLngBounds(points), { padding: [24, 24], maxZoom: 16 });
  return current;
}
