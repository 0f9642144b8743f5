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


# Aggregate views (not viewsets) of the reports part: scoped by their query parameters ----

def routed_views(namespace: str) -> dict[str, type]:
    """Every routed class-based view of a URL namespace that is not a viewset, by
    "namespace:name"."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found = {}

    def walk(patterns, space: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or space)
            elif isinstance(pattern, URLPattern) and space == namespace:
                cls = getattr(pattern.callback, "cls", None) \
                    or getattr(pattern.callback, "view_class", None)
                if cls is not None and getattr(pattern.callback, "actions", None) is None:
                    found[f"{namespace}:{pattern.name}"] = cls

    walk(get_resolver().url_patterns, None)
    return found


REPORT_VIEWS = {name: cls for name, cls in routed_views("reports-api").items()
                if cls.__module__ in ("reports.api.reports", "reports.api.homes")}


def test_every_report_view_is_walked_by_its_parameters_or_reads_only_its_own():
    from tests.api.scoped_objects import OWN_DATA_VIEWS, PARAM_MAKERS

    assert {"reports-api:report", "reports-api:meeting"} <= set(REPORT_VIEWS)
    assert set(REPORT_VIEWS) <= set(PARAM_MAKERS) | OWN_DATA_VIEWS


@pytest.mark.parametrize("name", sorted(REPORT_VIEWS))
def test_every_report_view_refuses_anonymous_users(name, client):
    from django.urls import reverse

    assert client.get(reverse(name)).status_code in (401, 403)


@pytest.mark.parametrize("name", sorted(scoped_objects.PARAM_MAKERS))
def test_every_report_view_hides_other_offices_nodes_and_reps(name, personas, client_for):
    from django.urls import reverse

    url = reverse(name)
    for params in scoped_objects.PARAM_MAKERS[name](personas):
        assert client_for(personas.manager).get(url, params).status_code == 200, params
        for outsider in (personas.sibling_manager, personas.sibling_rep):
            status = client_for(outsider).get(url, params).status_code
            assert status == 404, f"{name} {params}: {outsider} gets {status}, not 404"
