// The retailer's pin on a Leaflet map. Leaflet is loaded only when there is a location.
// Tiles come from the configured provider; when it draws GCJ-02 (AMap, Tencent) the
// stored WGS-84 point is shifted for display. A tile that fails to load leaves a grey
// square, never a script error.
import { wgs84ToGcj02 } from "../lib/geo.js";

let leaflet = null;

async function loadLeaflet() {
  if (!leaflet) leaflet = await import("../../vendor/leaflet/leaflet-src.esm.js");
  return leaflet;
}

function displayPoint(lat, lng, tiles) {
  return tiles.gcj02 ? wgs84ToGcj02(lat, lng) : [lat, lng];
}

/**
 * Draw the map in `element` centred on (lat, lng). Returns {move(lat, lng), resize()}.
 * `tiles`: {url, attribution, gcj02}; `icons`: {icon, icon2x, shadow} static URLs.
 */
export async function showMap(element, lat, lng, tiles, icons) {
  const L = await loadLeaflet();
  const touch = window.matchMedia("(pointer: coarse)").matches;
  const map = L.map(element, {
    zoomControl: true,
    scrollWheelZoom: false,
    dragging: !touch, // one finger scrolls the page on phones; two fingers zoom
    attributionControl: true,
  });
  map.attributionControl.setPrefix(false);
  L.tileLayer(tiles.url, {
    maxZoom: 19,
    attribution: tiles.attribution,
    subdomains: tiles.subdomains || "abc",
    crossOrigin: false,
  }).on("tileerror", () => {}).addTo(map);
  const icon = L.icon({
    iconUrl: icons.icon, iconRetinaUrl: icons.icon2x, shadowUrl: icons.shadow,
    iconSize: [25, 41], iconAnchor: [12, 41], popupAnchor: [1, -34], shadowSize: [41, 41],
  });
  const point = displayPoint(lat, lng, tiles);
  const marker = L.marker(point, { icon, keyboard: false }).addTo(map);
  map.setView(point, 16);
  return {
    move(newLat, newLng) {
      const moved = displayPoint(newLat, newLng, tiles);
      marker.setLatLng(moved);
      map.setView(moved, map.getZoom());
    },
    resize() {
      map.invalidateSize();
    },
  };
}
