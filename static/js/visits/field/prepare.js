// A stop's preparation: the card, last visit, open problems, objective, recent months.
// From today's route when the shop is on it (so it works offline), else from the API.
import { errorText } from "../../lib/api.js";
import { t } from "../../lib/i18n.js";
import { clock, fieldConfig, fill } from "./common.js";
import { startFieldPage } from "./register.js";
import { loadPreparation } from "./store.js";

const config = fieldConfig();

function stopPreparation() {
  return {
    prep: null,
    storedAt: "",
    error: "",

    async init() {
      try {
        const { prep, storedAt } = await loadPreparation(config.retailer_id);
        this.prep = prep;
        this.storedAt = storedAt || "";
      } catch (error) {
        this.error = error.status === 0 ? t("no_data_offline") : errorText(error);
      }
    },

    get gradeText() {
      if (!this.prep) return "";
      const { retailer } = this.prep;
      return retailer.graded ? t("grade", { grade: retailer.grade }) : t("ungraded");
    },

    get businessType() {
      return this.prep ? this.prep.retailer.business_type_label : "";
    },

    get storedText() {
      return this.storedAt ? t("offline_copy", { time: clock(this.storedAt) }) : "";
    },

    get cardUrl() {
      return fill(config.urls.pages.card, config.retailer_id);
    },

    visitUrl(kind) {
      const url = fill(config.urls.pages.visit, config.retailer_id);
      return kind === "on_site" ? url : `${url}?kind=${kind}`;
    },
  };
}

startFieldPage({ stopPreparation });
