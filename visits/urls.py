from django.urls import path
from rest_framework.routers import DefaultRouter

from visits.api import reminders, team, views, visit_views

router = DefaultRouter()
router.register("plans", views.VisitPlanViewSet, basename="visitplan")
router.register("plan-stops", views.PlanStopViewSet, basename="planstop")
router.register("day-routes", views.DayRouteViewSet, basename="dayroute")
router.register("visits", visit_views.VisitViewSet, basename="visit")
router.register("photos", visit_views.PhotoViewSet, basename="photo")
router.register("problems", visit_views.ProblemViewSet, basename="problem")
router.register("missed", visit_views.MissedVisitViewSet, basename="missedvisit")
router.register("templates", views.VisitTemplateViewSet, basename="visittemplate")
router.register("template-versions", views.VisitTemplateVersionViewSet,
                basename="visittemplateversion")
router.register("reminders", reminders.ReminderViewSet, basename="reminder")

app_name = "visits-api"
urlpatterns = [
    path("policy/", views.VisitPolicyView.as_view(), name="policy"),
    path("reminder-policy/", reminders.ReminderPolicyView.as_view(), name="reminder-policy"),
    path("team/summary/", team.TeamSummaryView.as_view(), name="team-summary"),
    path("team/overdue/", team.OverdueRetailersView.as_view(), name="team-overdue"),
    *router.urls,
]
