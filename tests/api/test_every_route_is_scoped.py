import pytest
from rest_framework import permissions, viewsets

from accounts.api.base import ScopedViewSetMixin
from accounts.api.serializers import OrgNodeUpdateSerializer
from accounts.models import OrgNode, User
from tests.api import scoped_objects  # noqa: F401 - registers the object makers
from tests.api.route_walker import (
    OBJECT_MAKERS,
    RoutedViewSet,
    check_viewset_is_scoped,
    routed_viewsets,
)
from tests.api.token_routes import TOKEN_OBJECT_MAKERS, check_token_viewset_is_scoped

ROUTED = routed_viewsets()
# Authenticated by a token, not a session (the order-system feed): checked with tokens.
TOKEN_ROUTED = [v for v in ROUTED if getattr(v.cls, "token_authenticated", False)]
SESSION_ROUTED = [v for v in ROUTED if v not in TOKEN_ROUTED]


def test_the_walker_finds_the_accounts_viewsets():
    names = {v.cls.__name__ for v in ROUTED}
    assert {"OrgNodeViewSet", "UserViewSet", "MembershipViewSet", "JobRunViewSet",
            "AuditEventViewSet"} <= names


@pytest.mark.parametrize("viewset", ROUTED, ids=lambda v: v.cls.__name__)
def test_every_routed_viewset_derives_from_the_scoped_base(viewset):
    assert issubclass(viewset.cls, ScopedViewSetMixin), viewset.routes


@pytest.mark.parametrize("viewset", SESSION_ROUTED, ids=lambda v: v.cls.__name__)
def test_every_routed_viewset_hides_other_offices_objects(viewset, personas):
    model = viewset.cls.queryset.model
    assert model in OBJECT_MAKERS, f"register an object maker for {model.__name__}"
    obj = OBJECT_MAKERS[model](personas)
    check_viewset_is_scoped(
        viewset, obj=obj, insider=personas.manager,
        outsiders=[personas.sibling_manager, personas.sibling_rep],
    )


def test_the_walker_finds_the_token_authenticated_feed():
    assert {v.cls.__name__ for v in TOKEN_ROUTED} == {"FeedBatchViewSet"}


@pytest.mark.parametrize("viewset", TOKEN_ROUTED, ids=lambda v: v.cls.__name__)
def test_every_token_viewset_refuses_people_and_hides_other_nodes_objects(viewset, personas):
    model = viewset.cls.queryset.model
    assert model in TOKEN_OBJECT_MAKERS, f"register a token object maker for {model.__name__}"
    superuser = User.objects.create_superuser("walk_root", password="pass-word-123")
    check_token_viewset_is_scoped(
        viewset, placed=TOKEN_OBJECT_MAKERS[model](personas),
        people=[personas.manager, personas.admin, personas.sibling_manager, superuser],
    )


class UnscopedNodeViewSet(viewsets.ReadOnlyModelViewSet):
    """What a careless new endpoint looks like: no scoping base, objects.all()."""

    queryset = OrgNode.objects.all()
    serializer_class = OrgNodeUpdateSerializer
    permission_classes = [permissions.IsAuthenticated]


def test_the_walker_catches_an_unscoped_viewset(personas):
    unscoped = RoutedViewSet(
        cls=UnscopedNodeViewSet, list_actions={"get": "list"},
        detail_actions={"get": "retrieve"},
    )
    with pytest.raises(AssertionError, match="sibling office"):
        check_viewset_is_scoped(
            unscoped, obj=personas.org.area, insider=personas.manager,
            outsiders=[personas.sibling_manager],
        )


def test_the_walker_passes_the_same_queryset_once_scoped(personas):
    class ScopedNodeViewSet(ScopedViewSetMixin, UnscopedNodeViewSet):
        pass

    scoped = RoutedViewSet(
        cls=ScopedNodeViewSet, list_actions={"get": "list"},
        detail_actions={"get": "retrieve"},
    )
    check_viewset_is_scoped(
        scoped, obj=personas.org.area, insider=personas.manager,
        outsiders=[personas.sibling_manager],
    )
