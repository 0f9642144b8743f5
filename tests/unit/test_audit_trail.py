import pytest
from django.db import DatabaseError, connection, transaction

from accounts import services
from accounts.models import AuditEvent


@pytest.fixture
def event(personas):
    return services.audit_record(actor=personas.admin, node=personas.org.area,
                                 obj=personas.org.area, action="rename", reason="typo")


def test_an_audit_event_records_actor_object_and_request_id(event, personas):
    from accounts.request_context import bind_request_id, unbind_request_id

    token = bind_request_id("req-123")
    try:
        second = services.audit_record(actor=personas.admin, node=personas.org.area,
                                       obj=personas.org.area, action="x")
    finally:
        unbind_request_id(token)
    assert second.request_id == "req-123"
    assert (event.object_type, event.object_id) == ("accounts.orgnode", str(personas.org.area.pk))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_to_alter_or_delete_audit_rows(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).reason == "typo"


def test_the_audit_api_is_read_only(event, personas, client_for):
    client = client_for(personas.admin)
    url = f"/api/accounts/audit-events/{event.pk}/"
    assert client.get(url).status_code == 200
    assert client.patch(url, {"reason": "x"}, format="json").status_code == 405
    assert client.delete(url).status_code == 405
    assert client.post("/api/accounts/audit-events/", {}, format="json").status_code == 405
