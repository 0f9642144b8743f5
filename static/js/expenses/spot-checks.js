// Spot checks: the retailers drawn per paid statement (with the stored seed); a manager
// records each as confirmed, or not confirmed with what was found. Failed checks are
// listed first (finance reads them here).
import { startAlpine } from "../lib/alpine.js";
import {
  api, apiAll, config, dateTime, errorText, fill, splitErrors, t, withQuery,
} from "./common.js";

function shapeItem(item) {
  return { ...item, pending: item.result === "pending", draft: "", error: "",
    when: dateTime(item.checked_at), url: fill(config.urls.detail_page, item.statement) };
}

function spotChecks() {
  return {
    checks: [],
    failed: [],
    loaded: false,
    busy: false,
    error: "",
    notice: "",

    async init() {
      await this.load();
    },

    async load() {
      try {
        const [checks, failed] = await Promise.all([
          apiAll(config.urls.spot_checks),
          apiAll(withQuery(config.urls.spot_check_items, { result: "not_confirmed" })),
        ]);
        this.checks = checks.map((check) => ({ ...check, seed: String(check.seed),
          url: fill(config.urls.detail_page, check.statement),
          items: check.items.map(shapeItem) }));
        this.failed = failed.map(shapeItem);
      } catch (error) {
        this.error = errorText(error);
      } finally {
        this.loaded = true;
      }
    },

    confirm(item) {
      return this.record(item, "confirmed");
    },

    fail(item) {
      return this.record(item, "not_confirmed");
    },

    async record(item, result) {
      item.error = "";
      if (result === "not_confirmed" && !item.draft.trim()) {
        item.error = t("note_needed");
        return;
      }
      this.busy = true;
      try {
        await api(`${config.urls.spot_check_items}${item.id}/record/`, { method: "POST",
          body: { result, note: item.draft.trim() } });
        this.notice = t("recorded");
        await this.load();
      } catch (error) {
        const { shown, message } = splitErrors(error, ["note", "result"]);
        item.error = shown.note || shown.result || message;
      } finally {
        this.busy = false;
      }
    },
  };
}

startAlpine({ spotChecks });
