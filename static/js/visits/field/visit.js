// The visit form: check in (with GPS on site; phone visits and care calls without), walk
// the template's steps, take photos (shrunk on the phone), raise problems, check out.
// Every write goes to the outbox first, so all of it works without signal; the draft of
// the form is kept on the phone until check-out.
import { t } from "../../lib/i18n.js";
import { clock, fieldConfig, position, uuid } from "./common.js";
import { REFUSED, enqueue, items, onOutboxChange } from "./outbox.js";
import { compressPhoto, takenAt } from "./photo.js";
import { startFieldPage } from "./register.js";
import {
  allVisits, dropDraft, getDraft, loadPreparation, saveDraft, saveVisit, updateVisit, visitsOf,
} from "./store.js";

const config = fieldConfig();
const NOTE_FIELDS = { communication: "communication_notes", promotion: "promotion_notes",
  competitor: "competitor_info", feedback: "consumer_feedback", requests: "retailer_requests" };
const ON_SITE_ONLY = new Set(["price_check", "display", "stock"]);

function localDay() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function kindFromUrl() {
  const kind = new URLSearchParams(window.location.search).get("kind") || config.kind;
  return config.choices.visit_kind.some((c) => c.value === kind) ? kind : "on_site";
}

function blankForm(steps) {
  const prices = [];
  for (const step of steps) {
    if (step.kind !== "price_check") continue;
    for (const product of step.products || []) {
      prices.push({ product_code: product.code, product_name: product.name,
        guide_price: String(product.guide_price), observed_price: "", fromTemplate: true });
    }
  }
  return { communication_notes: "", promotion_notes: "", competitor_info: "",
    consumer_feedback: "", retailer_requests: "", answers: {}, prices, stock: [] };
}

function isBlank(value) {
  return value === undefined || value === null || value === "" || (Array.isArray(value) && !value.length);
}

function visitForm() {
  const previews = {}; // photo client id → object URL (this page session only)
  let saveTimer = null;
  return {
    kind: kindFromUrl(),
    prep: null,
    day: localDay(),
    error: "",
    notice: "",
    gpsText: "",
    gpsFlagged: false,
    busy: false,
    visit: null,
    phase: "before",
    steps: [],
    form: blankForm([]),
    outboxRows: [],
    photoKind: "display",
    problem: { category: "late_delivery", description: "", due_date: "" },
    problemError: "",
    requiredError: "",
    refusal: "",

    async init() {
      onOutboxChange(() => this.loadOutbox());
      try {
        const { prep, date } = await loadPreparation(config.retailer_id);
        this.prep = prep;
        if (date) this.day = date;
      } catch (error) {
        this.error = error.status === 0 ? t("no_data_offline") : error.message;
        return;
      }
      this.steps = this.buildSteps();
      this.form = blankForm(this.steps);
      await this.resume();
      this.$watch("form", () => this.saveLater());
    },

    /** The template's steps this kind of visit walks (phone calls skip shelf work),
     *  with photos and problems always offered on site. */
    buildSteps() {
      const source = (this.prep.template && this.prep.template.steps) || [];
      const onSite = this.kind === "on_site";
      const steps = source.filter((s) => onSite || !ON_SITE_ONLY.has(s.kind));
      const kinds = new Set(steps.map((s) => s.kind));
      if (onSite && !kinds.has("display")) steps.push({ key: "display", kind: "display", title: "" });
      if (!kinds.has("problems")) steps.push({ key: "problems", kind: "problems", title: "" });
      return steps.map((step, index) => ({
        ...step,
        number: index + 1,
        heading: step.title || t(`step_${step.kind}`),
        note: NOTE_FIELDS[step.kind] || "",
        questions: (step.questions || []).map((q) => ({ ...q, id: `q-${q.key}`,
          options: (q.options || []).map(String) })),
      }));
    },

    async resume() {
      const open = (await visitsOf(config.retailer_id))
        .find((v) => v.date === this.day && !v.checkedOut && v.kind === this.kind);
      if (!open) return;
      this.visit = open;
      this.phase = "on_site";
      const draft = await getDraft(open.clientId);
      if (draft) this.form = { ...this.form, ...draft.value };
      await this.loadOutbox();
    },

    saveLater() {
      if (!this.visit || this.phase !== "on_site") return;
      clearTimeout(saveTimer);
      const key = this.visit.clientId;
      saveTimer = setTimeout(() => saveDraft(key, JSON.parse(JSON.stringify(this.form))), 400);
    },

    async loadOutbox() {
      if (!this.visit) return;
      const clientId = this.visit.clientId;
      this.outboxRows = (await items()).filter((i) => i.visitClientId === clientId
        || i.clientId === clientId);
      const checkin = this.outboxRows.find((i) => i.kind === "checkin");
      this.refusal = checkin && checkin.status === REFUSED
        ? t("checkin_refused", { reason: checkin.reason }) : "";
    },

    get title() {
      const choice = config.choices.visit_kind.find((c) => c.value === this.kind);
      return choice ? choice.label : "";
    },

    get onSite() {
      return this.kind === "on_site";
    },

    get photos() {
      return this.outboxRows.filter((i) => i.kind === "photo").map((i) => ({
        clientId: i.clientId, status: i.status, statusText: t(i.status),
        preview: previews[i.clientId] || "", label: this.photoKindLabel(i.body.kind),
      }));
    },

    get problems() {
      return this.outboxRows.filter((i) => i.kind === "problem").map((i) => ({
        clientId: i.clientId, status: i.status, statusText: t(i.status),
        description: i.body.description, label: this.categoryLabel(i.body.category),
      }));
    },

    photoKindLabel(value) {
      const choice = config.choices.photo_kind.find((c) => c.value === value);
      return choice ? choice.label : value;
    },

    categoryLabel(value) {
      const choice = config.choices.problem_category.find((c) => c.value === value);
      return choice ? choice.label : value;
    },

    // --- check-in ---

    /** An on-site visit begun on this phone elsewhere and not checked out (the server
     *  would refuse a second one; this says so before, even offline). */
    async openElsewhere() {
      if (!this.onSite) return null;
      return (await allVisits()).find((v) => v.kind === "on_site" && !v.checkedOut && !v.refused
        && v.retailerId !== config.retailer_id) || null;
    },

    async checkIn() {
      this.busy = true;
      this.error = "";
      try {
        const open = await this.openElsewhere();
        if (open) {
          this.error = t("check_out_first", { name: open.retailerName });
          return;
        }
        const clientId = uuid();
        const now = new Date().toISOString();
        const body = { client_id: clientId, retailer: config.retailer_id, kind: this.kind, device_time: now };
        if (this.onSite) {
          const here = await position();
          Object.assign(body, here);
          this.showGps(here);
        }
        this.visit = await saveVisit({ clientId, retailerId: config.retailer_id,
          retailerName: config.name, kind: this.kind, date: this.day, startedAt: now,
          serverId: null, checkedOut: false });
        await enqueue({ kind: "checkin", clientId, retailerId: config.retailer_id,
          retailerName: config.name, body });
        this.phase = "on_site";
        this.notice = t("checked_in", { time: clock(now) });
        await this.loadOutbox();
      } finally {
        this.busy = false;
      }
    },

    showGps(here) {
      this.gpsFlagged = Boolean(here.gps_error);
      this.gpsText = here.gps_error ? t(`gps_${here.gps_error}`)
        : t("gps_ok", { accuracy: here.accuracy_m });
    },

    // --- notes and questions ---

    noteOf(field) {
      return this.form[field] || "";
    },

    setNote(field, value) {
      this.form[field] = value;
    },

    answerOf(question) {
      const value = this.form.answers[question.key];
      return isBlank(value) ? "" : String(value);
    },

    answerIs(question, value) {
      return this.form.answers[question.key] === value;
    },

    hasOption(question, option) {
      const value = this.form.answers[question.key];
      return Array.isArray(value) && value.includes(option);
    },

    setAnswer(question, value) {
      this.form.answers = { ...this.form.answers, [question.key]: value };
    },

    setNumber(question, value) {
      this.setAnswer(question, value === "" ? null : Number(value));
    },

    toggleOption(question, option, checked) {
      const current = Array.isArray(this.form.answers[question.key]) ? this.form.answers[question.key] : [];
      const next = checked ? [...new Set([...current, option])] : current.filter((o) => o !== option);
      this.setAnswer(question, next);
    },

    // --- price and stock lines ---

    addPriceLine() {
      this.form.prices.push({ product_code: "", product_name: "", guide_price: "", observed_price: "",
        fromTemplate: false });
    },

    addStockLine() {
      this.form.stock.push({ product_name: "", on_hand: "", suggested_order: "" });
    },

    removeStockLine(index) {
      this.form.stock.splice(index, 1);
    },

    // --- photos ---

    async addPhoto(event) {
      const input = event.target;
      const files = Array.from(input.files || []);
      input.value = "";
      for (const file of files) {
        try {
          const taken = await takenAt(file); // before the canvas drops the EXIF
          const { blob } = await compressPhoto(file);
          const clientId = uuid();
          previews[clientId] = URL.createObjectURL(blob);
          await enqueue({ kind: "photo", clientId, visitClientId: this.visit.clientId,
            retailerId: config.retailer_id, retailerName: config.name, blob,
            fileName: `${clientId}.jpg`, body: { kind: this.photoKind, taken_at: taken } });
          this.notice = t("photo_added", { kb: Math.round(blob.size / 1024) });
        } catch {
          this.error = t("photo_failed");
        }
      }
      await this.loadOutbox();
    },

    // --- problems ---

    async addProblem() {
      const description = this.problem.description.trim();
      if (!description) {
        this.problemError = t("describe_problem");
        return;
      }
      const clientId = uuid();
      await enqueue({ kind: "problem", clientId, visitClientId: this.visit.clientId,
        retailerId: config.retailer_id, retailerName: config.name,
        body: { client_id: clientId, retailer: config.retailer_id, category: this.problem.category,
          description, due_date: this.problem.due_date || null } });
      this.problem = { category: this.problem.category, description: "", due_date: "" };
      this.problemError = "";
      this.notice = t("problem_added");
      await this.loadOutbox();
    },

    // --- check-out ---

    missingRequired() {
      return this.steps.flatMap((s) => s.questions)
        .filter((q) => q.required && isBlank(this.form.answers[q.key]));
    },

    formPayload() {
      const payload = { answers: this.form.answers };
      for (const field of Object.values(NOTE_FIELDS)) payload[field] = (this.form[field] || "").trim();
      if (this.onSite) {
        payload.price_checks = this.form.prices
          .filter((line) => String(line.observed_price).trim() !== "")
          .map((line) => ({ product_code: line.product_code, product_name: line.product_name.trim(),
            guide_price: line.fromTemplate ? null : (String(line.guide_price).trim() || null),
            observed_price: String(line.observed_price).trim() }));
        payload.stock_lines = this.form.stock
          .filter((line) => line.product_name.trim() && String(line.on_hand).trim() !== "")
          .map((line) => ({ product_name: line.product_name.trim(), on_hand: String(line.on_hand).trim(),
            suggested_order: String(line.suggested_order).trim() || "0" }));
      }
      return payload;
    },

    async checkOut() {
      const missing = this.missingRequired();
      if (missing.length) {
        this.requiredError = t("required_missing");
        return;
      }
      this.requiredError = "";
      this.busy = true;
      try {
        const now = new Date().toISOString();
        const body = { device_time: now, ...this.formPayload() };
        if (this.onSite) {
          const here = await position();
          if (!here.gps_error) Object.assign(body, here);
        }
        await enqueue({ kind: "checkout", clientId: uuid(), visitClientId: this.visit.clientId,
          retailerId: config.retailer_id, retailerName: config.name, body });
        await updateVisit(this.visit.clientId, { checkedOut: true, endedAt: now });
        await dropDraft(this.visit.clientId);
        clearTimeout(saveTimer);
        this.phase = "done";
        this.notice = t("checked_out", { time: clock(now) });
        await this.loadOutbox();
      } finally {
        this.busy = false;
      }
    },
  };
}

startFieldPage({ visitForm });
