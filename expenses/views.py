"""客情费 pages: thin views rendering templates whose ES modules call /api/expenses/.

Every page carries only what its first paint needs: the user's abilities (from the API's
own role sets), the API URLs, choices with translated labels, the working days ahead (so a
deadline reads "3 working days left" without a guess about weekends), and the sentences the
scripts show. The data itself comes from the API, so a page and the API always agree on
scoping; a statement outside the user's scope is a 404 here too.
"""

import re
from datetime import date, timedelta
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.page_strings import api_error_strings
from accounts.selectors import query_node, user_roles
from accounts.workdays import CalendarNotCovered, working_days_of_month
from expenses import selectors, workdays
from expenses.api import views as api_views
from expenses.models import ClaimLine, MonthlyStatement, SpotCheckItem
from expenses.services import STEPS

MONTH = re.compile(r"20\d\d-(0[1-9]|1[0-2])")
REP = {Role.REP}
MANAGERS = set(api_views.MANAGERS)
FINANCE = set(api_views.FINANCE)
SETTERS = set(api_views.SETTERS)
# Who works the review chain at a desk (admins look on).
DESK = {*api_views.REVIEWERS, Role.ADMIN}


def roles_of(user) -> set[Role]:
    return user_roles(user) | ({Role.ADMIN} if user.is_superuser else set())


def page_for(*allowed: set):
    """Only users holding one of the roles open the page (others get a 403)."""
    wanted = set().union(*allowed)

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not roles_of(request.user) & wanted:
                raise PermissionDenied
            return view(request, *args, **kwargs)
        return wrapper
    return decorate


def abilities(user) -> dict:
    """What the pages offer this user; the API enforces the same rules on its own."""
    roles = roles_of(user)
    steps = [{"name": step.name, "source": str(step.source),
              "url": step.name.replace("_", "-")}
             for step in STEPS if roles & set(step.roles)]
    return {
        "user_id": user.pk,
        "is_rep": Role.REP in roles,
        "steps": steps,
        "can_review": bool(steps),
        "can_pay": bool(roles & FINANCE),
        "can_set_cap": bool(roles & SETTERS),
        "can_decide": bool(roles & MANAGERS),
        "can_spot_check": bool(roles & MANAGERS),
        "sees_spot_checks": bool(roles & (MANAGERS | FINANCE | {Role.ADMIN})),
    }


def api_urls() -> dict:
    statement = reverse("expenses-api:statement-detail", args=[0]).replace("/0/", "/{id}/")
    return {
        "claim_lines": reverse("expenses-api:claimline-list"),
        "pre_approvals": reverse("expenses-api:preapproval-list"),
        "statements": reverse("expenses-api:statement-list"),
        "statement": statement,
        "preview": reverse("expenses-api:statement-preview"),
        "product_lines": reverse("expenses-api:product-lines"),
        "advance_accounts": reverse("expenses-api:advanceaccount-list"),
        "advance_entries": reverse("expenses-api:advanceentry-list"),
        "payouts_export": reverse("expenses-api:advanceentry-export"),
        "advance_cap": reverse("expenses-api:advance-cap"),
        "spot_checks": reverse("expenses-api:spotcheck-list"),
        "spot_check_items": reverse("expenses-api:spotcheckitem-list"),
        "retailers": reverse("kehu-api:retailer-list"),
        "key_persons": reverse("kehu-api:keyperson-list"),
        "detail_page": reverse("expenses:statement-detail", args=[0]).replace("/0/", "/{id}/"),
        "statement_page": reverse("expenses:statement"),
        "claims_page": reverse("expenses:claims"),
    }


def upcoming_workdays(today: date, months: int = 3) -> dict:
    """The working days from the start of last month on, as far as the calendar reaches.

    `until` is the last day the list covers: past it the calendar has no data yet (the
    State Council notice is not entered) and the page says so instead of counting.
    """
    first = workdays.month_start(workdays.month_start(today) - timedelta(days=1))
    days: list[str] = []
    month, until = first, None
    for _step in range(months + 1):
        try:
            days += [d.isoformat() for d in working_days_of_month(month.year, month.month,
                                                                  strict=True)]
        except CalendarNotCovered:
            break
        month = workdays.next_month(month)
        until = (month - timedelta(days=1)).isoformat()
    return {"today": today.isoformat(), "days": days, "until": until}


def month_choices(today: date, count: int = 6) -> list[dict]:
    """This month and the ones before it, newest first (YYYY-MM)."""
    months, month = [], workdays.month_start(today)
    for _step in range(count):
        months.append(f"{month:%Y-%m}")
        month = workdays.month_start(month - timedelta(days=1))
    return months


def month_param(request, default: date) -> str:
    """The ?month=YYYY-MM of the request, or `default` when absent or malformed."""
    text = request.GET.get("month", "")
    return text if MONTH.fullmatch(text) else f"{default:%Y-%m}"


def choices(pairs) -> list[dict]:
    return [{"value": value, "label": str(label)} for value, label in pairs]


def js_strings() -> dict:
    """Sentences the scripts show, in the request's language."""
    return {
        **api_error_strings(),
        "required": _("This field is required."),
        "saved": _("Saved."),
        "line_saved": _("Claim line saved."),
        "line_deleted": _("Claim line deleted."),
        "confirm_delete": _("Delete this claim line?"),
        "submitted": _("Statement submitted."),
        "resubmitted": _("Statement filed again."),
        "approved": _("Signed. The statement moves on to the next step."),
        "returned": _("Statement returned to the rep."),
        "paid": _("Advance of %(amount)s yuan paid out."),
        "settled": _("Advance of %(amount)s yuan settled."),
        "cap_saved": _("Advance cap saved."),
        "applied": _("Application sent to your manager."),
        "decided": _("Decision recorded."),
        "contract_saved": _("Contract date recorded."),
        "recorded": _("Spot check recorded."),
        "due_today": _("due today"),
        "days_left": _("%(count)s working days left"),
        "one_day_left": _("1 working day left"),
        "overdue": _("overdue"),
        "calendar_missing": _("working-day calendar not entered yet"),
        "give_reason": _("Give a reason."),
        "note_needed": _("Say what was found when the money is not confirmed."),
        "pick_retailer": _("Choose a retailer."),
        "receipt_needed": _("A receipt photo is required."),
        "no_key_person": _("(no key person)"),
        "none": _("none"),
        "late": _("late"),
        "action_submit": _("submitted"),
        "action_resubmit": _("filed again"),
        "action_clerk_check": _("checked by the clerk"),
        "action_manager_approve": _("approved by the manager"),
        "action_finance_approve": _("approved by finance"),
        "action_return": _("returned"),
        "action_payout": _("paid out"),
        "action_void": _("voided"),
        "step_clerk_check": _("the clerk's check"),
        "step_manager_approve": _("the manager's approval"),
        "step_finance_approve": _("finance's approval"),
    }


def render_page(request, template: str, *, config: dict | None = None, **context):
    user = request.user
    today = workdays.today()
    page_config = {**abilities(user), "urls": api_urls(), "workdays": upcoming_workdays(today),
                   "months": month_choices(today), **(config or {})}
    return render(request, template, {"config": page_config, "i18n": js_strings(),
                                      "abilities": page_config, **context})


@login_required
def expenses_home(request):
    """Reps land on their claim lines; the desk on their review queue."""
    roles = roles_of(request.user)
    if Role.REP in roles:
        return redirect("expenses:claims")
    if roles & DESK:
        return redirect("expenses:review")
    raise PermissionDenied


@page_for(REP)
def claims(request):
    today = workdays.today()
    return render_page(request, "expenses/claims.html", config={
        "month": month_param(request, today),
        "today": today.isoformat(),
        "categories": choices(ClaimLine.Category.choices),
    }, categories=choices(ClaimLine.Category.choices))


@page_for(REP)
def statement(request):
    """The rep's month: generated for review, submitted, then followed through the chain."""
    today = workdays.today()
    last_month = workdays.month_start(workdays.month_start(today) - timedelta(days=1))
    return render_page(request, "expenses/statement.html", config={
        "month": month_param(request, last_month),
    })


@page_for(REP, MANAGERS, {Role.ADMIN})
def pre_approvals(request):
    return render_page(request, "expenses/pre_approvals.html",
                       config={"today": workdays.today().isoformat()})


@page_for(DESK)
def review(request):
    """The review queue and every statement in scope; with `node` (the dashboards'
    drill-downs pass it) only the statements under that org node (one outside the
    reader's scope is a 404)."""
    node = query_node(request)
    return render_page(request, "expenses/review.html", config={
        "statuses": choices(MonthlyStatement.Status.choices),
        "node": {"id": node.pk, "name": node.name} if node else None,
    }, statuses=choices(MonthlyStatement.Status.choices), node=node)


@login_required
def statement_detail(request, pk: int):
    found = get_object_or_404(selectors.statements_for_user(request.user), pk=pk)
    return render_page(request, "expenses/statement_detail.html", config={
        "statement_id": found.pk, "rep_id": found.rep_id,
        "statuses": choices(MonthlyStatement.Status.choices),
        "export_url": reverse("expenses-api:statement-export", args=[found.pk]),
    }, statement=found)


@page_for(FINANCE, {Role.ADMIN})
def advances(request):
    return render_page(request, "expenses/advances.html")


@page_for(MANAGERS, FINANCE, {Role.ADMIN})
def spot_checks(request):
    return render_page(request, "expenses/spot_checks.html", config={
        "results": choices(SpotCheckItem.Result.choices),
    })
