"""Visits' tables, split by subdomain (plans and routes, visits and evidence, problems)."""

from visits.models.plans import DayRoute, MissedVisit, PlanComment, PlanStop, VisitPlan
from visits.models.policy import VisitPolicy, VisitTemplate, VisitTemplateVersion
from visits.models.problems import Problem
from visits.models.reminders import Reminder, ReminderPolicy
from visits.models.visit import (
    Photo,
    PriceCheck,
    RetailerLastVisit,
    StockLine,
    Visit,
)

__all__ = [
    "DayRoute",
    "MissedVisit",
    "Photo",
    "PlanComment",
    "PlanStop",
    "PriceCheck",
    "Problem",
    "Reminder",
    "ReminderPolicy",
    "RetailerLastVisit",
    "StockLine",
    "Visit",
    "VisitPlan",
    "VisitPolicy",
    "VisitTemplate",
    "VisitTemplateVersion",
]
