"""Tables of reports: daily aggregates (aggregates.py), export jobs and files
(exports.py), order-system feed tokens and batches (feed.py)."""

from reports.models.aggregates import AreaGradeMonth, AreaProblemDay, RepDay  # noqa: F401
from reports.models.exports import ExportJob  # noqa: F401
from reports.models.feed import FeedBatch, FeedToken  # noqa: F401
