from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from grading import nightly
        from reports import signals

        signals.connect()
        # The daily aggregates are a step of the night (after the scorecards): they run
        # in the same chain, per office, recorded as JobRun rows.
        if not any(step.name == "rep_days" for step in nightly.STEPS):
            nightly.STEPS.append(nightly.NightlyStep(
                name="rep_days", parts="reports.aggregates.nightly_parts",
                run="reports.aggregates.nightly_run_part"))
