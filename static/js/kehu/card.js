// The retailer card: basics, key persons (masked as the API sends them; writers add and
// edit them in key-person-form.js), map pin, 12-month trend, and the relationship-level
// checklist (reps tick, managers review).
import { startAlpine } from "../lib/alpine.js";
import { api, errorText } from "../lib/api.js";
import { debounce, money, sumDecimals } from "../lib/format.js";
import { coordinate } from "../lib/geo.js";
import { readJson, t } from "../lib/i18n.js";
import { showMap } from "./map.js";
import { retailerForm } from "./retailer-form.js";
import { keyPersonForm } from "./key-person-form.js";
import { drawTrend } from "./trend-chart.js";

const ICONS = { none: "", pending: "…", confirmed: "✓", rejected: "✕" };
const MASK = "****";

function levelText(level) {
  return level ? t("level_n", { level }) : t("not_rated");
}

function birthdayText(person) {
  if (person.masked) return MASK;
  if (person.birthday_is_lunar && person.lunar_month && person.lunar_day) {
    const text = t("lunar_birthday", { month: person.lunar_month, day: person.lunar_day });
    return person.lunar_leap_month ? `${text} ${t("lunar_leap")}` : text;
  }
  return person.birthday || "";
}

function retailerCard() {
  const config = readJson("kehu-config");
  // Leaflet and ECharts objects live here, outside Alpine's reactive proxies.
  let mapView = null;
  let resizeChart = null;
  return {
    config,
    card: null,
    error: "",
    notice: "",
    personNotice: "",
    mapError: "",
    trendLoaded: false,
    trendEmpty: false,
    trendError: "",
    totalPurchase: null,
    totalCollected: null,
    checklist: [],
    checklistError: "",
    checkNotice: "",
    tickFor: null,
    evidence: "",
    tickError: "",
    rejectFor: null,
    note: "",
    reviewError: "",
    busy: false,
    expanded: {},

    init() {
      this.loadCard();
      this.loadTrend();
      this.loadChecklist();
      window.addEventListener("resize", debounce(() => {
        if (resizeChart) resizeChart();
        if (mapView) mapView.resize();
      }, 150));
    },

    // --- the card ---

    get name() {
      return this.card ? this.card.name : config.name;
    },

    async loadCard() {
      try {
        this.card = await api(config.urls.detail);
        this.error = "";
      } catch (error) {
        this.error = errorText(error);
        return;
      }
      await this.$nextTick();
      await this.placeMap();
    },

    get hasLocation() {
      return Boolean(this.card) && coordinate(this.card.latitude) !== null
        && coordinate(this.card.longitude) !== null;
    },

    async placeMap() {
      if (!this.hasLocation) return;
      const lat = coordinate(this.card.latitude);
      const lng = coordinate(this.card.longitude);
      try {
        if (mapView) {
          mapView.resize();
          mapView.move(lat, lng);
        } else {
          mapView = await showMap(this.$refs.map, lat, lng, config.tiles, config.icons);
        }
        this.mapError = "";
      } catch {
        this.mapError = t("map_failed");
      }
    },

    get view() {
      const card = this.card;
      if (!card) return {};
      return {
        licence: card.licence_no || "—",
        address: card.address || "—",
        rep: card.assigned_rep_name || "—",
        credit: `¥${money(card.credit_limit)}`,
        eSettlement: card.e_settlement ? t("yes") : t("no"),
        grade: card.grade || "—",
        gradeClass: `badge grade-${card.grade || "none"}`,
        level: levelText(card.relationship_level),
        statusClass: `tag status-${card.status}`,
        location: this.hasLocation ? `${card.latitude}, ${card.longitude}` : "—",
      };
    },

    get people() {
      return (this.card ? this.card.key_persons : []).map((person) => ({
        ...person,
        telHref: !person.masked && person.phone ? `tel:${person.phone}` : "",
        phoneText: person.phone || "—",
        birthdayText: birthdayText(person) || "—",
        erased: Boolean(person.erased_at),
        // Only writers who see the person unmasked; erased persons stay as they are.
        canEdit: Boolean(config.can_edit_people) && !person.masked && !person.erased_at,
      }));
    },

    addPerson() {
      if (!this.card) return;
      this.personNotice = "";
      window.dispatchEvent(new CustomEvent("key-person-create"));
    },

    editPerson(row) {
      const person = (this.card ? this.card.key_persons : []).find((item) => item.id === row.id);
      if (!person || person.masked || person.erased_at) return;
      this.personNotice = "";
      const detail = JSON.parse(JSON.stringify(person));
      window.dispatchEvent(new CustomEvent("key-person-edit", { detail }));
    },

    async onPersonSaved() {
      await this.reloadCard();
      this.personNotice = t("person_saved");
    },

    get anyMasked() {
      return this.people.some((person) => person.masked && !person.erased);
    },

    edit() {
      if (!this.card) return;
      const detail = JSON.parse(JSON.stringify(this.card));
      window.dispatchEvent(new CustomEvent("retailer-edit", { detail }));
    },

    async onSaved(event) {
      this.card = event.detail;
      this.notice = t("saved");
      await this.$nextTick();
      await this.placeMap();
    },

    // --- the trend ---

    async loadTrend() {
      let rows;
      try {
        rows = await api(config.urls.trend);
      } catch (error) {
        this.trendError = errorText(error);
        return;
      }
      this.totalPurchase = sumDecimals(rows.map((row) => row.purchase_amount));
      this.totalCollected = sumDecimals(rows.map((row) => row.collected_amount));
      this.trendLoaded = true;
      this.trendEmpty = rows.every((row) => Number(row.purchase_amount) === 0
        && Number(row.collected_amount) === 0);
      if (this.trendEmpty) return;
      await this.$nextTick();
      try {
        resizeChart = await drawTrend(this.$refs.chart, rows,
          { purchase: t("purchase"), collected: t("collected") });
      } catch {
        this.trendError = t("chart_failed");
      }
    },

    get totalPurchaseText() {
      return this.totalPurchase === null ? "—" : `¥${money(this.totalPurchase)}`;
    },

    get totalCollectedText() {
      return this.totalCollected === null ? "—" : `¥${money(this.totalCollected)}`;
    },

    // --- the relationship level ---

    async loadChecklist() {
      try {
        this.checklist = await api(config.urls.checklist);
        this.checklistError = "";
      } catch (error) {
        this.checklistError = errorText(error);
      }
    },

    get levelText() {
      return this.card ? levelText(this.card.relationship_level) : "";
    },

    get levels() {
      const reached = this.card ? this.card.relationship_level : 0;
      const groups = [];
      for (const row of this.checklist) {
        let group = groups.find((item) => item.level === row.level);
        if (!group) {
          group = { level: row.level, title: t("level_n", { level: row.level }), items: [] };
          groups.push(group);
        }
        group.items.push(this.criterion(row));
      }
      for (const group of groups) {
        const done = group.items.filter((item) => item.state === "confirmed").length;
        group.progress = `${done}/${group.items.length}`;
        group.reached = reached >= group.level;
        group.className = group.reached ? "level-group reached" : "level-group";
        // Open: the next level to reach, those below it, and any level with a tick.
        const busy = group.items.some((item) => item.state !== "none");
        const wanted = group.level <= reached + 1 || busy;
        group.open = group.level in this.expanded ? this.expanded[group.level] : wanted;
      }
      return groups;
    },

    toggleLevel(level) {
      const group = this.levels.find((item) => item.level === level);
      this.expanded = { ...this.expanded, [level]: !(group && group.open) };
    },

    criterion(row) {
      const tick = row.tick;
      const state = tick ? tick.status : "none";
      return {
        id: row.id,
        code: row.code,
        label: row.label,
        tickId: tick ? tick.id : null,
        state,
        className: `criterion state-${state}`,
        icon: ICONS[state],
        statusLabel: tick ? tick.status_label : "",
        evidence: tick ? tick.evidence : "",
        reviewNote: tick ? tick.review_note : "",
        canTick: config.can_tick && (state === "none" || state === "rejected"),
        canReview: config.can_review && state === "pending" && tick.ticked_by !== config.user_id,
      };
    },

    get pendingText() {
      if (!config.can_review) return "";
      const count = this.checklist.filter((row) => row.tick && row.tick.status === "pending"
        && row.tick.ticked_by !== config.user_id).length;
      return count ? t("pending_review", { count }) : "";
    },

    startTick(id) {
      this.tickFor = id;
      this.rejectFor = null;
      this.evidence = "";
      this.tickError = "";
      this.checkNotice = "";
      this.$nextTick(() => {
        const box = document.getElementById(`evidence-${id}`);
        if (box) box.focus();
      });
    },

    cancelTick() {
      this.tickFor = null;
      this.tickError = "";
    },

    async submitTick(item) {
      if (!this.evidence.trim()) {
        this.tickError = t("required");
        return;
      }
      this.busy = true;
      this.tickError = "";
      try {
        await api(config.urls.ticks, { method: "POST", body: {
          retailer: config.retailer_id, criterion: item.id, evidence: this.evidence.trim() } });
        this.tickFor = null;
        this.checkNotice = t("tick_sent");
        await this.refreshLevel();
      } catch (error) {
        const fields = error.fields || {};
        this.tickError = fields.evidence || errorText(error);
      } finally {
        this.busy = false;
      }
    },

    async confirmTick(item) {
      await this.review(item, "confirm", "");
    },

    startReject(tickId) {
      this.rejectFor = tickId;
      this.tickFor = null;
      this.note = "";
      this.reviewError = "";
      this.checkNotice = "";
      this.$nextTick(() => {
        const box = document.getElementById(`note-${tickId}`);
        if (box) box.focus();
      });
    },

    cancelReject() {
      this.rejectFor = null;
      this.reviewError = "";
    },

    async submitReject(item) {
      if (!this.note.trim()) {
        this.reviewError = t("required");
        return;
      }
      await this.review(item, "reject", this.note.trim());
    },

    async review(item, verb, note) {
      this.busy = true;
      this.reviewError = "";
      const before = this.card ? this.card.relationship_level : 0;
      try {
        await api(`${config.urls.ticks}${item.tickId}/${verb}/`, { method: "POST", body: { note } });
        this.rejectFor = null;
        await this.refreshLevel();
        const after = this.card ? this.card.relationship_level : 0;
        this.checkNotice = after !== before ? t("level_now", { level: levelText(after) })
          : t(verb === "confirm" ? "tick_confirmed" : "tick_rejected");
      } catch (error) {
        const fields = error.fields || {};
        this.reviewError = fields.note || errorText(error);
      } finally {
        this.busy = false;
      }
    },

    async refreshLevel() {
      await Promise.all([this.loadChecklist(), this.reloadCard()]);
    },

    async reloadCard() {
      try {
        this.card = await api(config.urls.detail);
      } catch (error) {
        this.error = errorText(error);
      }
    },
  };
}

startAlpine({ retailerCard, retailerForm, keyPersonForm });
