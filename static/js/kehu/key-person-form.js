// The key-person form on the retailer card: add a person or edit one (role, name, phone,
// a solar or lunar birthday, family, interests, notes). Field errors from the API's 400
// show next to their fields.
//
// Opened by window events: `key-person-create` and `key-person-edit` (detail: the person
// as the API sent it). Never opened with masked values: the card offers editing only for
// unmasked, not erased persons, and startEdit() refuses anything else.
// Announces `key-person-saved` (detail: the saved person) on success.
import { api, errorText } from "../lib/api.js";
import { readJson, t } from "../lib/i18n.js";

const FIELDS = ["role", "name", "phone", "birthday", "birthday_is_lunar", "lunar_month",
  "lunar_day", "lunar_leap_month", "family", "interests", "notes"];

function range(count) {
  return Array.from({ length: count }, (unused, index) => String(index + 1));
}

function blank() {
  return { role: "owner", name: "", phone: "", birthday: "", birthday_is_lunar: false,
    lunar_month: "", lunar_day: "", lunar_leap_month: false, family: "", interests: "",
    notes: "" };
}

function fromPerson(person) {
  return {
    role: person.role || "owner",
    name: person.name || "",
    phone: person.phone || "",
    birthday: person.birthday || "",
    birthday_is_lunar: Boolean(person.birthday_is_lunar),
    lunar_month: person.lunar_month ? String(person.lunar_month) : "",
    lunar_day: person.lunar_day ? String(person.lunar_day) : "",
    lunar_leap_month: Boolean(person.lunar_leap_month),
    family: person.family || "",
    interests: person.interests || "",
    notes: person.notes || "",
  };
}

/** The values as the API takes them: trimmed text, null for no date or lunar day. */
function apiValues(values) {
  const lunar = Boolean(values.birthday_is_lunar);
  return {
    role: values.role,
    name: values.name.trim(),
    phone: values.phone.trim(),
    birthday: values.birthday || null,
    birthday_is_lunar: lunar,
    lunar_month: lunar && values.lunar_month ? Number(values.lunar_month) : null,
    lunar_day: lunar && values.lunar_day ? Number(values.lunar_day) : null,
    lunar_leap_month: lunar && Boolean(values.lunar_leap_month),
    family: values.family.trim(),
    interests: values.interests.trim(),
    notes: values.notes.trim(),
  };
}

export function keyPersonForm() {
  const config = readJson("kehu-config");
  return {
    open: false,
    personId: null,
    values: blank(),
    original: null,
    errors: {},
    message: "",
    saving: false,
    months: range(12),
    days: range(30),

    get isCreate() {
      return this.personId === null;
    },

    get isLunar() {
      return Boolean(this.values.birthday_is_lunar);
    },

    startCreate() {
      this.reset();
      this.personId = null;
      this.values = blank();
      this.original = null;
      this.show();
    },

    startEdit(event) {
      const person = event.detail;
      // Masked values must never land in a form (saving would write the mask back).
      if (!person || person.masked || person.erased_at) return;
      this.reset();
      this.personId = person.id;
      this.values = fromPerson(person);
      this.original = apiValues(fromPerson(person));
      this.show();
    },

    reset() {
      this.errors = {};
      this.message = "";
      this.saving = false;
    },

    show() {
      this.open = true;
      this.$nextTick(() => {
        const input = this.$refs.personFirst;
        if (input) input.focus();
      });
    },

    close() {
      this.open = false;
    },

    missingRequired() {
      const errors = {};
      if (!this.values.name.trim()) errors.name = t("required");
      if (!this.values.role) errors.role = t("required");
      if (this.isLunar && !(this.values.lunar_month && this.values.lunar_day)) {
        errors.lunar_month = t("lunar_needs_day");
      }
      return errors;
    },

    /** Everything on create; only what changed on edit. */
    payload() {
      const values = apiValues(this.values);
      if (this.isCreate) return { retailer: config.retailer_id, ...values };
      const body = {};
      for (const field of FIELDS) {
        if (values[field] !== this.original[field]) body[field] = values[field];
      }
      return body;
    },

    async submit() {
      this.errors = this.missingRequired();
      this.message = "";
      if (Object.keys(this.errors).length) {
        this.message = t("fix_fields");
        return;
      }
      const body = this.payload();
      if (!this.isCreate && Object.keys(body).length === 0) {
        this.close(); // nothing changed
        return;
      }
      this.saving = true;
      try {
        const url = this.isCreate ? config.urls.key_persons
          : `${config.urls.key_persons}${this.personId}/`;
        const person = await api(url, { method: this.isCreate ? "POST" : "PATCH", body });
        this.saving = false;
        this.open = false;
        this.$dispatch("key-person-saved", person);
      } catch (error) {
        this.saving = false;
        this.showError(error);
      }
    },

    showError(error) {
      const fields = error.fields || {};
      const shown = {};
      const elsewhere = [];
      for (const [field, text] of Object.entries(fields)) {
        if (FIELDS.includes(field)) shown[field] = text;
        else if (field !== "non_field_errors" && field !== "detail") elsewhere.push(text);
      }
      this.errors = shown;
      this.message = [errorText(error), ...elsewhere].join(" ");
    },
  };
}
