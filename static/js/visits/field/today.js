// Today's route: the stops in route order (list and map), reorder, optimise, a reason
// for a stop not visited. Works offline from the service worker's copy of the day; the
// visits logged on this phone but not yet sent show as such.
import { api, errorText } from "../../lib/api.js";
import { t } from "../../lib/i18n.js";
import { clock, fieldConfig, fill, position, uuid, warmCache } from "./common.js";
import { enqueue, items, onOutboxChange, SENT, QUEUED, BLOCKED } from "./outbox.js";
import { startFieldPage } from "./register.js";
import { drawRoute } from "./route-map.js";
import { allVisits, loadToday } from "./store.js";

const config = fieldConfig();

function missedLabel(value) {
  const choice = config.choices.missed_reason.find((c) => c.value === value);
  return choice ? choice.label : value;
}

/** What the rep should see for a stop: from the server, else from this phone. */
function stateOf(stop, local, missedLocal) {
  if (stop.visit) {
    const done = stop.visit.status === "completed";
    return { state: done ? "done" : "in_progress", text: t(done ? "stop_done" : "stop_in_progress"),
      flagged: stop.visit.flagged };
  }
  if (local) {
    return { state: "local", text: t("stop_queued"), flagged: false };
  }
  if (stop.missed || missedLocal) {
    const reason = stop.missed ? stop.missed.reason_label : missedLabel(missedLocal.body.reason);
    return { state: "missed", text: t("stop_missed", { reason }), flagged: false };
  }
  return { state: "todo", text: t("stop_todo"), flagged: false };
}

function todayRoute() {
  let mapView = null; // Leaflet lives outside Alpine's proxies
  return {
    loaded: false,
    error: "",
    notice: "",
    busy: false,
    payload: null,
    order: [],
    orderChanged: false,
    storedAt: "",
    offlineReady: false,
    localVisits: [],
    missedItems: [],
    missedFor: null,
    missedReason: "closed",
    missedNote: "",
    missedError: "",
    mapError: "",

    async init() {
      onOutboxChange(() => this.loadLocal());
      await this.load();
    },

    async load() {
      try {
        const { data, storedAt } = await loadToday();
        this.payload = data;
        this.storedAt = storedAt || "";
        this.order = data.stops.map((s) => s.retailer);
        this.orderChanged = false;
        this.error = "";
        await this.loadLocal();
        this.loaded = true;
        this.$nextTick(() => this.drawMap());
        if (!storedAt) this.prepareOffline();
      } catch (error) {
        this.error = error.status === 0 ? t("no_data_offline") : errorText(error);
      }
    },

    async loadLocal() {
      const day = this.payload ? this.payload.date : null;
      this.localVisits = (await allVisits()).filter((v) => v.date === day);
      this.missedItems = (await items()).filter((i) => i.kind === "missed"
        && [QUEUED, BLOCKED, SENT].includes(i.status) && i.body.date === day);
    },

    /** Keep today's pages for every stop on the phone, for when the signal goes. */
    async prepareOffline() {
      const pages = config.urls.pages;
      const urls = [pages.today, pages.queue, config.urls.api.today];
      for (const stop of this.payload.stops) {
        urls.push(fill(pages.prepare, stop.retailer), fill(pages.visit, stop.retailer));
      }
      const result = await warmCache(urls);
      this.offlineReady = Boolean(result && result.failed === 0);
    },

    get stopsById() {
      const map = {};
      if (this.payload) for (const stop of this.payload.stops) map[stop.retailer] = stop;
      return map;
    },

    get stops() {
      if (!this.payload) return [];
      const byId = this.stopsById;
      return this.order.map((id, index) => {
        const stop = byId[id];
        const prep = stop.preparation.retailer;
        const local = this.localVisits.find((v) => v.retailerId === id);
        const missedLocal = this.missedItems.find((i) => i.retailerId === id);
        const state = stateOf(stop, local, missedLocal);
        return {
          retailer: id,
          number: index + 1,
          name: prep.name,
          address: prep.address,
          objective: stop.objective,
          grade: prep.graded ? t("grade", { grade: prep.grade }) : t("ungraded"),
          fixedTime: stop.fixed_time ? stop.fixed_time.slice(0, 5) : "",
          prepareUrl: fill(config.urls.pages.prepare, id),
          state: state.state,
          stateText: state.text,
          stateClass: `state-${state.state}`,
          flagged: state.flagged,
          canMiss: state.state === "todo",
          first: index === 0,
          last: index === this.order.length - 1,
          className: `stop stop-${state.state}`,
        };
      });
    },

    get dateText() {
      return this.payload ? this.payload.date : "";
    },

    get storedText() {
      return this.storedAt ? t("offline_copy", { time: clock(this.storedAt) }) : "";
    },

    get distanceText() {
      const route = this.payload && this.payload.route;
      if (!route || route.distance_m === null || this.orderChanged) return "";
      return `${(route.distance_m / 1000).toFixed(1)} km`;
    },

    get hasMap() {
      return Boolean(this.payload && this.payload.stops.some((s) => s.preparation.retailer.location));
    },

    async drawMap() {
      if (!this.hasMap || !this.$refs.map) return;
      try {
        const points = this.order.map((id) => ({
          number: this.order.indexOf(id) + 1,
          name: this.stopsById[id].preparation.retailer.name,
          location: this.stopsById[id].preparation.retailer.location,
        }));
        mapView = await drawRoute(this.$refs.map, points, this.payload.start, config.tiles, mapView);
        this.mapError = "";
      } catch {
        this.mapError = t("map_failed");
      }
    },

    move(id, delta) {
      const index = this.order.indexOf(id);
      const target = index + delta;
      if (index < 0 || target < 0 || target >= this.order.length) return;
      const order = [...this.order];
      [order[index], order[target]] = [order[target], order[index]];
      this.order = order;
      this.orderChanged = true;
      this.drawMap();
    },

    moveUp(id) {
      this.move(id, -1);
    },

    moveDown(id) {
      this.move(id, 1);
    },

    /** The day's route on the server (made on first use), with a start point if given. */
    async routeId(start = {}) {
      if (this.payload.route && !start.latitude) return this.payload.route.id;
      const route = await api(config.urls.api.day_routes, {
        method: "POST",
        headers: { "Idempotency-Key": uuid() },
        body: { date: this.payload.date, start_latitude: start.latitude || null,
          start_longitude: start.longitude || null },
      });
      return route.id;
    },

    async saveOrder() {
      if (!navigator.onLine) {
        this.error = t("needs_connection");
        return;
      }
      this.busy = true;
      this.notice = "";
      try {
        const id = await this.routeId();
        await api(fill(config.urls.api.reorder, id), { method: "POST", body: { retailers: this.order } });
        this.notice = t("order_saved");
        await this.load();
      } catch (error) {
        this.error = errorText(error);
      } finally {
        this.busy = false;
      }
    },

    async optimise() {
      if (!navigator.onLine) {
        this.error = t("needs_connection");
        return;
      }
      this.busy = true;
      this.notice = "";
      try {
        const here = await position({ timeout: 10000 });
        const id = await this.routeId(here.latitude ? here : {});
        const route = await api(fill(config.urls.api.optimise, id), { method: "POST" });
        await this.load();
        this.notice = t("optimised", { km: ((route.distance_m || 0) / 1000).toFixed(1) });
      } catch (error) {
        this.error = errorText(error);
      } finally {
        this.busy = false;
      }
    },

    startMissed(id) {
      this.missedFor = id;
      this.missedReason = config.choices.missed_reason[0].value;
      this.missedNote = "";
      this.missedError = "";
    },

    cancelMissed() {
      this.missedFor = null;
    },

    async saveMissed(stop) {
      if (this.missedReason === "other" && !this.missedNote.trim()) {
        this.missedError = t("other_needs_note");
        return;
      }
      const clientId = uuid();
      await enqueue({
        kind: "missed",
        clientId,
        retailerId: stop.retailer,
        retailerName: stop.name,
        body: { client_id: clientId, retailer: stop.retailer, date: this.payload.date,
          reason: this.missedReason, note: this.missedNote.trim() },
      });
      this.missedFor = null;
      this.notice = t("missed_saved");
      await this.loadLocal();
    },
  };
}

startFieldPage({ todayRoute });
