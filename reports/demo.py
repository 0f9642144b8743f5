"""Demo data of reports: steps of `manage.py demo` (discovered by accounts.demo.run)."""

from reports import demo_reports

demo_reports.register()
