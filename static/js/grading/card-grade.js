// The grade section of the retailer card: the grade in effect, "A (override until …,
// computed B)", the basis of the computed grade (value, rank, share, policy version) and
// the last changes; managers set or lift an override here. Plain DOM (no Alpine): the
// section sits inside the card's component and only fills its own nodes.
import { ApiError, api, errorText } from "../lib/api.js";
import { money } from "../lib/format.js";

function fill(template, params) {
  return template.replace(/%\((\w+)\)s/g, (match, name) =>
    name in params ? String(params[name]) : match);
}

function trim(value) {
  return String(value ?? "").replace(/\.0+$|(\.\d*?)0+$/, "$1");
}

function setup(section) {
  const text = section.dataset;
  const part = (role) => section.querySelector(`[data-role="${role}"]`);
  let current = null;

  function render(card) {
    current = card;
    const badge = part("grade");
    badge.textContent = card.grade || "—";
    badge.className = `badge grade-${card.grade || "none"}`;
    const computed = card.computed;
    const override = card.override;
    const computedGrade = computed ? computed.computed_grade : text.textNotComputed;
    part("note").textContent = override
      ? fill(override.expires_on ? text.textOverrideUntil : text.textOverrideOpen,
        { date: override.expires_on, computed: computedGrade })
      : "";
    const reason = part("override-reason");
    reason.hidden = !override;
    reason.textContent = override
      ? fill(text.textOverrideReason, { name: override.created_by_name, reason: override.reason })
      : "";
    part("empty").hidden = Boolean(card.grade || computed);
    part("basis").hidden = !computed;
    if (computed) {
      part("policy").textContent = fill(text.textVersion, { policy: computed.policy_name,
        number: computed.version_number, method: computed.method_label });
      part("value").textContent = computed.method === "weighted"
        ? fill(text.textScore, { score: trim(computed.value), months: computed.active_months })
        : (computed.measure === "purchase_quantity" ? trim(computed.value) : money(computed.value));
      part("window").textContent = fill(text.textWindow, { measure: computed.measure_label,
        months: computed.window_months });
      part("rank").textContent = fill(text.textRank, { rank: computed.rank,
        population: computed.population });
      part("share").textContent = `${trim(computed.cumulative_share)} %`;
      part("computed-on").textContent = computed.computed_on;
    }
    const list = part("history");
    list.replaceChildren(...card.history.map((change) => {
      const item = document.createElement("li");
      item.dataset.testid = "grade-change";
      item.textContent = fill(text.textChange, { date: change.business_date,
        from: change.old_grade || "—", to: change.new_grade || "—",
        source: change.source_label });
      return item;
    }));
    part("history-title").hidden = card.history.length === 0;
    const lift = part("lift");
    if (lift) lift.hidden = !override;
  }

  async function load() {
    const error = part("error");
    try {
      render(await api(text.url));
      error.hidden = true;
    } catch (problem) {
      error.hidden = false;
      error.textContent = problem instanceof ApiError ? problem.message : text.textFailed;
    }
  }

  function showErrors(form, fields) {
    for (const node of form.querySelectorAll("[data-error]")) {
      const message = fields[node.dataset.error] || "";
      node.textContent = message;
      node.hidden = !message;
    }
  }

  const form = part("override-form");
  if (form) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const body = { retailer: current ? current.retailer : null, grade: data.get("grade"),
        reason: data.get("reason"), expires_on: data.get("expires_on") || null };
      try {
        await api(text.overridesUrl, { method: "POST", body });
        showErrors(form, {});
        form.reset();
        await load();
      } catch (problem) {
        showErrors(form, problem instanceof ApiError && problem.status === 400
          ? problem.fields : { non_field_errors: errorText(problem) });
      }
    });
    part("lift").addEventListener("click", async () => {
      if (!current || !current.override) return;
      try {
        await api(`${text.overridesUrl}${current.override.id}/lift/`, { method: "POST", body: {} });
        showErrors(form, {});
        await load();
      } catch (problem) {
        showErrors(form, { non_field_errors: errorText(problem) });
      }
    });
  }
  load();
}

for (const section of document.querySelectorAll("[data-grade-card]")) setup(section);
