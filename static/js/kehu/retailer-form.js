// The retailer form (create on the list page, edit on the card page), including the
// likely-duplicate step: a 409 shows the entry and each candidate side by side and asks
// for a reason before the same request is sent again with confirm_not_duplicate.
//
// Opened by window events: `retailer-create` and `retailer-edit` (detail: the card).
// Announces `retailer-saved` (detail: the saved card) on success.
import { api, apiAll, errorText, withQuery } from "../lib/api.js";
import { coordinate, haversineM } from "../lib/geo.js";
import { readJson, t } from "../lib/i18n.js";

const EDIT_FIELDS = ["name", "licence_no", "business_type", "trade_area", "status", "address",
  "latitude", "longitude"];
const CREATE_FIELDS = ["code", "name", "licence_no", "business_type", "trade_area", "address",
  "area", "latitude", "longitude"];

function blank() {
  return { code: "", name: "", licence_no: "", business_type: "", trade_area: "other",
    status: "active", address: "", area: "", latitude: "", longitude: "" };
}

/** A coordinate as the API stores it (6 decimals), "" for none, or the text as typed. */
function normaliseCoordinate(value) {
  const text = String(value ?? "").trim();
  if (text === "") return "";
  const number = Number(text);
  return Number.isFinite(number) ? number.toFixed(6) : text;
}

function fromCard(card) {
  const values = blank();
  for (const field of EDIT_FIELDS) values[field] = card[field] ?? "";
  values.latitude = normaliseCoordinate(card.latitude);
  values.longitude = normaliseCoordinate(card.longitude);
  values.code = card.code;
  values.area = String(card.area ?? "");
  return values;
}

export function retailerForm() {
  const config = readJson("kehu-config");
  return {
    open: false,
    mode: "create",
    retailerId: null,
    values: blank(),
    original: {},
    errors: {},
    message: "",
    saving: false,
    locating: false,
    geoMessage: "",
    areas: [],
    areasError: "",
    duplicates: null,
    reason: "",
    reasonError: "",

    get isCreate() {
      return this.mode === "create";
    },

    startCreate() {
      this.reset("create");
      this.retailerId = null;
      this.values = blank();
      this.open = true;
      this.loadAreas();
      this.focusFirst();
    },

    startEdit(event) {
      const card = event.detail;
      this.reset("edit");
      this.retailerId = card.id;
      this.values = fromCard(card);
      this.original = fromCard(card);
      this.open = true;
      this.focusFirst();
    },

    reset(mode) {
      this.mode = mode;
      this.errors = {};
      this.message = "";
      this.geoMessage = "";
      this.duplicates = null;
      this.reason = "";
      this.reasonError = "";
      this.saving = false;
    },

    focusFirst() {
      this.$nextTick(() => {
        const input = this.$refs.firstField;
        if (input) input.focus();
      });
    },

    close() {
      this.open = false;
      this.duplicates = null;
    },

    async loadAreas() {
      if (this.areas.length) return;
      this.areasError = "";
      try {
        const nodes = await apiAll(withQuery(config.urls.nodes, { kind: "area" }));
        this.areas = nodes.map((node) => ({ id: String(node.id), name: node.name }));
        if (this.areas.length === 1 && !this.values.area) this.values.area = this.areas[0].id;
      } catch (error) {
        this.areasError = errorText(error);
      }
    },

    useLocation() {
      this.geoMessage = "";
      if (!("geolocation" in navigator)) {
        this.geoMessage = t("geo_unsupported");
        return;
      }
      this.locating = true;
      navigator.geolocation.getCurrentPosition(
        (position) => {
          this.values.latitude = position.coords.latitude.toFixed(6);
          this.values.longitude = position.coords.longitude.toFixed(6);
          this.locating = false;
        },
        (failure) => {
          this.geoMessage = failure && failure.code === 1 ? t("geo_denied") : t("geo_failed");
          this.locating = false;
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
      );
    },

    /** What to send: everything on create, only what changed on edit (an unchanged
     *  name or location must not trigger the duplicate check again). */
    payload() {
      const values = { ...this.values };
      values.latitude = normaliseCoordinate(values.latitude);
      values.longitude = normaliseCoordinate(values.longitude);
      const body = {};
      const fields = this.isCreate ? CREATE_FIELDS : EDIT_FIELDS;
      for (const field of fields) {
        let value = typeof values[field] === "string" ? values[field].trim() : values[field];
        if (!this.isCreate && value === this.original[field]) continue;
        if ((field === "latitude" || field === "longitude") && value === "") value = null;
        if (this.isCreate && (value === "" || value === null)) continue;
        body[field] = value;
      }
      return body;
    },

    missingRequired() {
      const required = this.isCreate ? ["code", "name", "business_type", "area"]
        : ["name", "business_type"];
      const errors = {};
      for (const field of required) {
        if (!String(this.values[field] ?? "").trim()) errors[field] = t("required");
      }
      return errors;
    },

    async submit() {
      this.errors = this.missingRequired();
      this.message = "";
      if (Object.keys(this.errors).length) {
        this.message = t("fix_fields");
        return;
      }
      await this.send(this.payload());
    },

    async confirmDuplicate() {
      this.reasonError = "";
      if (!this.reason.trim()) {
        this.reasonError = t("required");
        return;
      }
      await this.send({ ...this.payload(), confirm_not_duplicate: true,
        duplicate_reason: this.reason.trim() });
    },

    backToForm() {
      this.duplicates = null;
      this.reasonError = "";
    },

    async send(body) {
      if (!this.isCreate && Object.keys(body).every((key) => key.includes("duplicate"))) {
        this.close(); // nothing changed
        return;
      }
      this.saving = true;
      this.message = "";
      try {
        const url = this.isCreate ? config.urls.retailers
          : `${config.urls.retailers}${this.retailerId}/`;
        const card = await api(url, { method: this.isCreate ? "POST" : "PATCH", body });
        this.saving = false;
        this.open = false;
        this.duplicates = null;
        this.$dispatch("retailer-saved", card);
        if (this.isCreate) window.location.assign(config.urls.card.replace("{id}", card.id));
      } catch (error) {
        this.saving = false;
        this.handleError(error);
      }
    },

    handleError(error) {
      if (error.status === 409 && error.data && Array.isArray(error.data.candidates)) {
        this.showDuplicates(error.data);
        return;
      }
      const fields = error.fields || {};
      if (this.duplicates && fields.duplicate_reason) {
        this.reasonError = fields.duplicate_reason;
        return;
      }
      this.duplicates = null;
      this.errors = fields;
      this.message = errorText(error);
    },

    showDuplicates(data) {
      const lat = coordinate(this.values.latitude);
      const lng = coordinate(this.values.longitude);
      this.duplicates = {
        message: Array.isArray(data.duplicates) ? data.duplicates.join(" ") : data.duplicates,
        candidates: data.candidates.map((candidate) => {
          const theirLat = coordinate(candidate.latitude);
          const theirLng = coordinate(candidate.longitude);
          const apart = lat !== null && lng !== null && theirLat !== null && theirLng !== null
            ? t("distance_m", { distance: Math.round(haversineM(lat, lng, theirLat, theirLng)) })
            : "";
          return {
            ...candidate,
            url: config.urls.card.replace("{id}", candidate.id),
            reasonText: candidate.reasons.map((reason) => t(`reason_${reason}`)).join(" · "),
            location: theirLat === null ? "" : `${candidate.latitude}, ${candidate.longitude}`,
            apart,
            sameName: candidate.name === this.values.name.trim(),
            sameAddress: candidate.address === this.values.address.trim(),
          };
        }),
      };
      this.reason = "";
      this.$nextTick(() => {
        const heading = this.$refs.duplicateHeading;
        if (heading) heading.focus();
      });
    },

    get myLocation() {
      const lat = normaliseCoordinate(this.values.latitude);
      const lng = normaliseCoordinate(this.values.longitude);
      return lat && lng ? `${lat}, ${lng}` : "";
    },

    get myCode() {
      return this.isCreate ? this.values.code : this.original.code;
    },

    areaName(id) {
      const area = this.areas.find((item) => item.id === String(id));
      return area ? area.name : "";
    },
  };
}
