import pytest
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import AuditEvent, Membership, Role
from accounts.selectors import primary_placement
from tests.factories import UserFactory


def test_a_rep_can_only_be_placed_at_an_area(org):
    user = UserFactory()
    with pytest.raises(ValidationError) as error:
        services.membership_grant(user=user, node=org.office, role=Role.REP)
    assert "node" in error.value.message_dict
    assert not Membership.objects.filter(user=user).exists()


def test_granting_the_same_role_twice_keeps_one_membership(org):
    user = UserFactory()
    first = services.membership_grant(user=user, node=org.area, role=Role.REP)
    second = services.membership_grant(user=user, node=org.area, role=Role.REP)
    assert first.pk == second.pk
    assert Membership.objects.filter(user=user).count() == 1
    assert AuditEvent.objects.filter(action="grant", object_id=str(first.pk)).count() == 1


def test_revoking_a_membership_is_audited(personas):
    membership = Membership.objects.get(user=personas.rep)
    services.membership_revoke(membership=membership, actor=personas.admin)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    event = AuditEvent.objects.get(action="revoke")
    assert (event.from_state, event.actor) == (Role.REP, personas.admin)


def test_the_home_role_is_the_highest_of_several(org):
    user = UserFactory()
    services.membership_grant(user=user, node=org.area, role=Role.REP)
    services.membership_grant(user=user, node=org.office, role=Role.OFFICE_MANAGER)
    placement = primary_placement(user)
    assert placement.role == Role.OFFICE_MANAGER and placement.node == org.office


def test_a_user_without_membership_has_no_placement(db):
    assert primary_placement(UserFactory()) is None


def test_a_weak_password_is_refused_naming_the_field(db):
    with pytest.raises(ValidationError) as error:
        services.user_create(username="weak", name="弱", password="123")
    assert "password" in error.value.message_dict
