"""The nightly jobs: an ordered list of steps, each fanned out in parts.

A step names two callables by dotted path (so this module imports nothing heavy):

- `parts(company, business_date) -> list[dict]`: the step's parts for one company, each a
  dict of JSON-able keyword arguments (e.g. one per grading policy);
- `run(business_date=..., **part) -> int | None`: run one part (its own transaction and
  JobRun row); returns the JobRun id.

Celery beat starts `grading.nightly` at night (Asia/Shanghai). For each company the steps
run in this order; a step's parts run in parallel on the workers (a chord), and the next
step starts when all of them have finished. `manage.py run_nightly` runs the same steps
in-process (the embedded SQLite default has no worker). Later steps (indicators,
scorecards, reminders) read the grades, so they come after "grading": append them here.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class NightlyStep:
    name: str
    parts: str  # dotted path of parts(company, business_date) -> list[dict]
    run: str  # dotted path of run(*, business_date, **part) -> int | None

    def parts_for(self, company, business_date: date) -> list[dict]:
        return import_string(self.parts)(company, business_date)

    def run_part(self, *, business_date: date, part: dict) -> int | None:
        return import_string(self.run)(business_date=business_date, **part)


# Registration point: one line per step, in the order they must run.
STEPS: list[NightlyStep] = [
    NightlyStep(name="grading", parts="grading.services.nightly_parts",
                run="grading.services.nightly_run_part"),
    NightlyStep(name="retailer_scorecards", parts="grading.scorecards.retailer_parts",
                run="grading.scorecards.retailer_run_part"),
    NightlyStep(name="rep_scorecards", parts="grading.scorecards.rep_parts",
                run="grading.scorecards.rep_run_part"),
    NightlyStep(name="reminders", parts="visits.services.reminders.nightly_parts",
                run="visits.services.reminders.nightly_run_part"),
]


def step_named(name: str) -> NightlyStep:
    for step in STEPS:
        if step.name == name:
            return step
    raise KeyError(name)


def companies():
    from accounts.models import OrgNode

    return list(OrgNode.objects.filter(depth=1).order_by("path"))


def run_in_process(*, business_date: date, steps: list[str] | None = None,
                   report: Callable[[str], None] = lambda line: None) -> list[int]:
    """Run every step's parts for every company, one after another, in this process;
    returns the JobRun ids. A failing part is reported and the others still run."""
    run_ids = []
    failures = []
    for company in companies():
        for step in STEPS:
            if steps and step.name not in steps:
                continue
            for part in step.parts_for(company, business_date):
                try:
                    run_id = step.run_part(business_date=business_date, part=part)
                except Exception as exc:  # noqa: BLE001 - the JobRun row keeps the error
                    failures.append(f"{company.code} {step.name} {part}: {exc}")
                    report(f"{company.code} {step.name} {part}: failed: {exc}")
                    continue
                if run_id is not None:
                    run_ids.append(run_id)
                report(f"{company.code} {step.name} {part}: run {run_id}")
    if failures:
        raise NightlyFailed(failures, run_ids)
    return run_ids


class NightlyFailed(Exception):
    def __init__(self, failures: list[str], run_ids: list[int]):
        super().__init__("; ".join(failures))
        self.failures = failures
        self.run_ids = run_ids
