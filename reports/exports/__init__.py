"""Excel exports as background jobs: `services` (submit, run, retry, download, cleanup)
and one module per layout (see `base` for what a layout provides)."""

from reports.exports import monthly_plan, retailers, scorecards, statements, visits
from reports.models.exports import ExportJob

LAYOUTS = {
    ExportJob.Kind.RETAILERS: retailers,
    ExportJob.Kind.VISITS: visits,
    ExportJob.Kind.MONTHLY_PLAN: monthly_plan,
    ExportJob.Kind.REP_SCORECARDS: scorecards,
    ExportJob.Kind.STATEMENTS: statements,
}
