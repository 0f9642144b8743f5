"""Signals accounts sends; apps that own work recorded as a JobRun listen to them."""

from django.dispatch import Signal

# Sent by housekeeping after it marked runs of lost workers failed, with
# `run_ids` (the JobRun ids) and `now`. The owner of the work (an import batch, an
# export file, …) marks its own row failed too, so the user sees why nothing happened.
job_runs_lost = Signal()
