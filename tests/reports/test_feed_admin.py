"""Operators issue and revoke feed tokens in the admin or with `manage.py feed_token`,
and read the batch log there."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from accounts.models import AuditEvent, User
from reports import feed
from reports.models import FeedBatch, FeedToken


@pytest.fixture
def operator(db) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.create_superuser("root", password="pass-word-123"))
    return client


def test_the_admin_issues_a_token_and_shows_its_secret_once(personas, operator):
    response = operator.post("/admin/reports/feedtoken/add/",
                             {"name": "订货系统", "node": personas.org.office.pk}, follow=True)

    token = FeedToken.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    secret = re.search(r"kqf_[\w-]+", shown[0])[0]
    assert feed.feed_token_for_secret(secret=secret) == token
    assert (token.node, token.created_by.username) == (personas.org.office, "root")
    assert AuditEvent.objects.filter(action="feed_token_issue", object_id=str(token.pk)).exists()
    page = operator.get(f"/admin/reports/feedtoken/{token.pk}/change/")
    assert secret not in page.content.decode()


def test_the_admin_revokes_tokens(personas, operator):
    token, _secret = feed.feed_token_issue(name="order system", node=personas.org.office)

    operator.post("/admin/reports/feedtoken/", {"action": "revoke",
                                                "_selected_action": [token.pk]})

    token.refresh_from_db()
    assert token.revoked
    assert AuditEvent.objects.filter(action="feed_token_revoke").count() == 1


def test_the_batch_log_is_read_only_in_the_admin(personas, operator):
    token, _secret = feed.feed_token_issue(name="order system", node=personas.org.office)
    batch = feed.feed_batch_receive(token=token, node=personas.org.office,
                                    facts=[{"code": "nope"}]).batch

    assert operator.get("/admin/reports/feedbatch/").status_code == 200
    assert operator.get(f"/admin/reports/feedbatch/{batch.pk}/change/").status_code == 200
    assert operator.get("/admin/reports/feedbatch/add/").status_code == 403
    assert operator.post(f"/admin/reports/feedbatch/{batch.pk}/delete/").status_code == 403
    assert FeedBatch.objects.filter(pk=batch.pk, status="refused").exists()


def test_the_command_issues_lists_and_revokes_a_token(personas):
    out = StringIO()
    call_command("feed_token", "issue", "order system", "--node", personas.org.office.code,
                 stdout=out)
    secret = out.getvalue().splitlines()[-1]
    assert feed.feed_token_for_secret(secret=secret).name == "order system"

    out = StringIO()
    call_command("feed_token", "list", stdout=out)
    assert out.getvalue().startswith(f"order system\t{personas.org.office.code}\tkqf_")

    call_command("feed_token", "revoke", "order system", stdout=StringIO())
    assert FeedToken.objects.get().revoked


def test_the_command_refuses_an_unknown_node_and_a_taken_name(personas):
    with pytest.raises(CommandError, match="No org node"):
        call_command("feed_token", "issue", "x", "--node", "NOPE")
    feed.feed_token_issue(name="x", node=personas.org.office)
    with translation.override("en"), pytest.raises(CommandError, match="(?i)name already exists"):
        call_command("feed_token", "issue", "x", "--node", personas.org.office.code)
