"""Care reminders over HTTP: the rep's today, done / skip, scoping, the policy."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from kehu.models import KeyPerson
from visits.models import Reminder, ReminderPolicy, Visit

URL = "/api/visits/reminders/"


def make(rep, retailer, kind=Reminder.Kind.CARE_CALL, days=0, **fields):
    day = timezone.localdate() + timedelta(days=days)
    return Reminder.objects.create(kind=kind, rep=rep, retailer=retailer,
                                   occasion=f"{kind}:{day}:{uuid.uuid4().hex[:6]}",
                                   due_date=day, **fields)


@pytest.fixture
def reminders(personas, shops):
    return {
        "today": make(personas.rep, shops.a),
        "overdue": make(personas.rep, shops.b, days=-2),
        "later": make(personas.rep, shops.c, days=2),
        "rep2": make(personas.rep2, shops.other_reps),
    }


def ids(response):
    assert response.status_code == 200, response.data
    return [row["id"] for row in response.data["results"]]


def test_the_rep_sees_todays_and_overdue_reminders_oldest_first(personas, reminders,
                                                                 client_for,
                                                                 django_assert_max_num_queries):
    client = client_for(personas.rep)
    with django_assert_max_num_queries(6):
        today = ids(client.get(URL))
    assert today == [reminders["overdue"].pk, reminders["today"].pk]
    assert ids(client.get(URL, {"when": "upcoming"})) == [reminders["later"].pk]


def test_done_logs_a_care_call_and_a_retry_replays(personas, reminders, client_for):
    client = client_for(personas.rep)
    body = {"client_id": str(uuid.uuid4()), "note": "问候"}
    headers = {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}
    url = f"{URL}{reminders['today'].pk}/done/"
    first = client.post(url, body, format="json", **headers)
    again = client.post(url, body, format="json", **headers)
    assert first.status_code == 200 and first.data["status"] == "done"
    assert again.data == first.data
    visit = Visit.objects.get(pk=first.data["done_visit"])
    assert visit.kind == Visit.Kind.CARE_CALL and visit.status == Visit.Status.COMPLETED
    assert reminders["today"].pk not in ids(client.get(URL))
    assert reminders["today"].pk in ids(client.get(URL, {"when": "closed"}))


def test_skip_names_the_missing_field(personas, reminders, client_for):
    client = client_for(personas.rep)
    url = f"{URL}{reminders['today'].pk}/skip/"
    assert "reason" in client.post(url, {}, format="json").data
    assert "note" in client.post(url, {"reason": "other"}, format="json").data
    response = client.post(url, {"reason": "unreachable"}, format="json")
    assert response.status_code == 200 and response.data["skip_reason"] == "unreachable"


def test_another_reps_reminder_is_a_404(personas, reminders, client_for):
    client = client_for(personas.rep)
    assert client.get(f"{URL}{reminders['rep2'].pk}/").status_code == 404
    response = client.post(f"{URL}{reminders['rep2'].pk}/done/",
                           {"client_id": str(uuid.uuid4())}, format="json")
    assert response.status_code == 404


def test_managers_see_their_team_and_only_office_managers_see_birthdays(personas, shops,
                                                                        reminders, client_for):
    person = KeyPerson.objects.create(retailer=shops.a, role="owner", name="老板")
    birthday = make(personas.rep, shops.a, Reminder.Kind.BIRTHDAY, key_person=person,
                    event_date=timezone.localdate())
    manager = set(ids(client_for(personas.manager).get(URL)))
    assert {reminders["today"].pk, reminders["rep2"].pk, birthday.pk} <= manager
    regional = set(ids(client_for(personas.regional_manager).get(URL)))
    assert reminders["today"].pk in regional and birthday.pk not in regional
    assert ids(client_for(personas.sibling_manager).get(URL)) == []
    mine = client_for(personas.rep).get(URL).data["results"]
    assert next(r for r in mine if r["id"] == birthday.pk)["key_person_name"] == "老板"


def test_a_manager_cannot_close_a_reps_reminder(personas, reminders, client_for):
    response = client_for(personas.manager).post(
        f"{URL}{reminders['today'].pk}/skip/", {"reason": "not_needed"}, format="json")
    assert response.status_code == 400 and "non_field_errors" in response.data


def test_the_policy_is_read_by_all_and_changed_by_regional_managers(personas, client_for):
    url = "/api/visits/reminder-policy/"
    assert client_for(personas.rep).get(url).data["care_call_months_a"] == 1
    assert client_for(personas.rep).patch(url, {"care_call_months_a": 2},
                                          format="json").status_code == 403
    response = client_for(personas.regional_manager).patch(
        url, {"care_call_months_c": 2, "holidays": ["spring_festival", "lantern"],
              "holiday_grades": "ba"}, format="json")
    assert response.status_code == 200, response.data
    policy = ReminderPolicy.objects.get(company=personas.org.company)
    assert (policy.care_call_months_c, policy.holiday_grades) == (2, "AB")
    assert policy.history.first().care_call_months_c == 2  # versions are kept
    bad = client_for(personas.regional_manager).patch(url, {"holidays": ["christmas"]},
                                                      format="json")
    assert bad.status_code == 400 and "holidays" in bad.data
