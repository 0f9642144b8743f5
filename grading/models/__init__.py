"""Tables of grading: policies and their versions, the current computed grade of each
retailer with its basis, grade history, overrides."""

from grading.models.grades import GradeHistory, GradeOverride, RetailerGrade
from grading.models.policies import GradingPolicy, GradingPolicyVersion
from grading.models.runs import GRADING_JOB, GradingRun
from grading.models.scorecards import RepScorecard, RetailerScorecard

__all__ = [
    "GRADING_JOB",
    "GradeHistory",
    "GradeOverride",
    "GradingPolicy",
    "GradingPolicyVersion",
    "GradingRun",
    "RepScorecard",
    "RetailerGrade",
    "RetailerScorecard",
]
