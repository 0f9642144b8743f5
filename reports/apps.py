from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from accounts.signals import job_runs_lost
        from grading import nightly
        from reports import signals

        signals.connect()
        job_runs_lost.connect(_fail_lost_exports, dispatch_uid="reports.export_jobs_lost")
        # The daily aggregates are a step of the night (after the scorecards): they run
        # in the same chain, per office, recorded as JobRun rows.
        if not any(step.name == "rep_days" for step in nightly.STEPS):
            nightly.STEPS.append(nightly.NightlyStep(
                name="rep_days", parts="reports.aggregates.nightly_parts",
                run="reports.aggregates.nightly_run_part"))


def _fail_lost_exports(sender, *, run_ids, now, **kwargs):
    """Housekeeping failed these runs (a lost worker): their export jobs fail too."""
    from reports.exports.services import export_jobs_fail_lost

    export_jobs_fail_lost(run_ids=run_ids, now=now)
