"""Tables of grading: policies and their versions, the current computed grade of each
retailer with its basis, grade history, overrides."""

from grading.models.grades import GradeHistory, GradeOverride, RetailerGrade
from grading.models.policies import GradingPolicy, GradingPolicyVersion

__all__ = [
    "GradeHistory",
    "GradeOverride",
    "GradingPolicy",
    "GradingPolicyVersion",
    "RetailerGrade",
]
