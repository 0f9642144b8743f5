"""The route walker's check for viewsets authenticated by a token instead of a session
(`token_authenticated = True`: the order-system feed).

For each: anonymous requests and people — even force-authenticated, even a superuser —
are refused; the token of the object's office lists it and reads it (the positive
control); a token of the sibling office does not see it and gets 404 on detail. A
maker may add checks of the viewset's writes (`check_writes`).
"""

from collections.abc import Callable
from dataclasses import dataclass

from rest_framework.test import APIClient, APIRequestFactory, force_authenticate

from kehu.models import MonthlyFact
from reports import feed
from reports.models import FeedBatch
from tests.api.route_walker import RoutedViewSet
from tests.factories import make_retailer


@dataclass
class TokenPlaced:
    obj: object  # sits in personas.org.office
    insider: str  # Authorization header of a token bound to personas.org.office
    outsider: str  # ... of a token bound to personas.org.sibling_office
    check_writes: Callable[[], None] | None = None


TOKEN_OBJECT_MAKERS: dict[type, Callable[[object], TokenPlaced]] = {}


def token_object_maker(model):
    def register(function):
        TOKEN_OBJECT_MAKERS[model] = function
        return function

    return register


def _call(viewset: RoutedViewSet, actions: dict, *, user=None, auth: str | None = None,
          **kwargs):
    request = APIRequestFactory().get("/walk/", HTTP_AUTHORIZATION=auth or "")
    if user is not None:
        force_authenticate(request, user=user)
    response = viewset.cls.as_view(actions, **viewset.initkwargs)(request, **kwargs)
    response.render()
    return response


def _listed(viewset: RoutedViewSet, auth: str) -> set:
    response = _call(viewset, viewset.list_actions, auth=auth)
    assert response.status_code == 200, f"{viewset.cls.__name__}: {response.data}"
    data = response.data
    return {row["id"] for row in data.get("results", data)}


def check_token_viewset_is_scoped(viewset: RoutedViewSet, *, placed: TokenPlaced,
                                  people: list) -> None:
    name, obj = viewset.cls.__name__, placed.obj
    routes = [(actions, kwargs) for actions, kwargs in (
        (viewset.list_actions, {}), (viewset.detail_actions, {viewset.lookup_kwarg: obj.pk}))
        if actions]
    assert routes, f"{name}: no list or detail route to check"
    for actions, kwargs in routes:
        status = _call(viewset, actions, **kwargs).status_code
        assert status == 401, f"{name}: anonymous got {status}"
        for person in people:
            status = _call(viewset, actions, user=person, **kwargs).status_code
            assert status in (401, 403), f"{name}: {person} (a session user) got {status}"
    if viewset.list_actions:
        assert obj.pk in _listed(viewset, placed.insider), f"{name}: its token cannot list it"
        assert obj.pk not in _listed(viewset, placed.outsider), (
            f"{name}: the sibling office's token sees {obj!r} in the list")
    if viewset.detail_actions:
        kwargs = {viewset.lookup_kwarg: obj.pk}
        status = _call(viewset, viewset.detail_actions, auth=placed.insider, **kwargs) \
            .status_code
        assert status == 200, f"{name}: its token gets {status} on detail"
        status = _call(viewset, viewset.detail_actions, auth=placed.outsider, **kwargs) \
            .status_code
        assert status == 404, f"{name}: the sibling office's token gets {status}, not 404"
    if placed.check_writes:
        placed.check_writes()


# Makers ------------------------------------------------------------------------------

@token_object_maker(FeedBatch)
def _feed_batch(p) -> TokenPlaced:
    shop = make_retailer(p.org.area, p.rep, code="WALK1")
    make_retailer(p.org.sibling_area, p.sibling_rep, code="WALK2")
    token, secret = feed.feed_token_issue(name="walk office", node=p.org.office)
    _other, other_secret = feed.feed_token_issue(name="walk sibling", node=p.org.sibling_office)
    row = {"code": shop.code, "month": "2026-10", "purchase_amount": 1, "purchase_quantity": 1,
           "collected_amount": 1, "order_success_rate": 1, "e_settlement_rate": 1}
    batch = feed.feed_batch_receive(token=token, node=p.org.office, facts=[row]).batch

    def check_writes() -> None:
        def post(client, node, rows):
            return client.post(f"/api/reports/feed/nodes/{node.code}/facts/", {"facts": rows},
                               format="json")

        other = APIClient()
        other.credentials(HTTP_AUTHORIZATION=f"Bearer {other_secret}")
        before = list(MonthlyFact.objects.values_list("pk", "purchase_amount"))
        changed = {**row, "purchase_amount": 2}
        status = post(other, p.org.office, [changed]).status_code
        assert status == 404, f"the sibling office's token pushing for the office: {status}"
        refused = post(other, p.org.sibling_office, [changed])
        assert refused.status_code == 422, refused.data
        assert [e["field"] for e in refused.data["errors"]] == ["code"], refused.data
        for person in (p.manager, p.admin):
            session = APIClient()
            session.force_login(person)
            status = post(session, p.org.office, [changed]).status_code
            assert status == 401, f"{person} (a session user) pushing: {status}"
        assert list(MonthlyFact.objects.values_list("pk", "purchase_amount")) == before

    return TokenPlaced(obj=batch, insider=f"Bearer {secret}", outsider=f"Bearer {other_secret}",
                       check_writes=check_writes)

