"""Walk every routed DRF viewset and prove it is scoped to the user's org node.

For each viewset: an anonymous user is refused; a manager of the object's office
sees it in the list and on detail (the positive control, so the check cannot pass
by seeing nothing); a manager and a rep of the sibling office find it absent from
the list and get a 404 on detail.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIRequestFactory, force_authenticate


@dataclass
class RoutedViewSet:
    cls: type
    list_actions: dict | None = None
    detail_actions: dict | None = None
    initkwargs: dict = field(default_factory=dict)
    lookup_kwarg: str = "pk"
    routes: list[str] = field(default_factory=list)


def routed_viewsets() -> list[RoutedViewSet]:
    """Every viewset reachable through the URLconf, with its list and detail actions."""
    found: dict[type, RoutedViewSet] = {}

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                callback = pattern.callback
                cls, actions = getattr(callback, "cls", None), getattr(callback, "actions", None)
                if cls is None or actions is None:
                    continue
                entry = found.setdefault(cls, RoutedViewSet(cls=cls))
                entry.initkwargs = callback.initkwargs
                entry.routes.append(prefix + str(pattern.pattern))
                if actions.get("get") == "list":
                    entry.list_actions = actions
                elif actions.get("get") == "retrieve":
                    entry.detail_actions = actions
                    entry.lookup_kwarg = cls.lookup_url_kwarg or cls.lookup_field

    walk(get_resolver().url_patterns, "/")
    return list(found.values())


def _call(viewset: RoutedViewSet, actions: dict, user, query: str = "", **kwargs):
    request = APIRequestFactory().get("/walk/" + (f"?{query}" if query else ""))
    if user is not None:
        force_authenticate(request, user=user)
    view = viewset.cls.as_view(actions, **viewset.initkwargs)
    response = view(request, **kwargs)
    response.render()
    return response


def listed_ids(viewset: RoutedViewSet, user, max_pages: int = 50) -> set:
    ids, query = set(), ""
    for _page in range(max_pages):
        response = _call(viewset, viewset.list_actions, user, query)
        assert response.status_code == 200, (
            f"{viewset.cls.__name__} list for {user}: {response.status_code} {response.data}"
        )
        data = response.data
        rows = data["results"] if isinstance(data, dict) and "results" in data else data
        ids |= {row["id"] for row in rows}
        next_url = data.get("next") if isinstance(data, dict) else None
        if not next_url:
            return ids
        query = "&".join(f"{k}={v}" for k, v in parse_qsl(urlsplit(next_url).query))
    return ids


def check_viewset_is_scoped(
    viewset: RoutedViewSet, *, obj, insider, outsiders: list, anonymous_too: bool = True
) -> None:
    """Assert the scoping contract for one viewset; raises AssertionError naming the gap."""
    name = viewset.cls.__name__
    detail_kwargs = {viewset.lookup_kwarg: obj.pk}
    if anonymous_too:
        for actions, kwargs in (
            (viewset.list_actions, {}),
            (viewset.detail_actions, detail_kwargs),
        ):
            if actions:
                status = _call(viewset, actions, None, **kwargs).status_code
                assert status in (401, 403), f"{name}: anonymous got {status}"
    if viewset.list_actions:
        assert obj.pk in listed_ids(viewset, insider), f"{name}: {insider} cannot list {obj!r}"
        for outsider in outsiders:
            assert obj.pk not in listed_ids(viewset, outsider), (
                f"{name}: {outsider} (sibling office) sees {obj!r} in the list"
            )
    if viewset.detail_actions:
        status = _call(viewset, viewset.detail_actions, insider, **detail_kwargs).status_code
        assert status == 200, f"{name}: {insider} gets {status} on detail of {obj!r}"
        for outsider in outsiders:
            status = _call(viewset, viewset.detail_actions, outsider, **detail_kwargs).status_code
            assert status == 404, (
                f"{name}: {outsider} (sibling office) gets {status}, not 404, on {obj!r}"
            )


# model -> maker(personas) returning an object that sits in `personas.org.office`,
# owned by `personas.rep`. Every routed model needs one: a new viewset without a maker
# fails the walk until its author says how to place an object of it.
ObjectMaker = Callable[[object], object]
OBJECT_MAKERS: dict[type, ObjectMaker] = {}


def object_maker(model):
    def register(function: ObjectMaker) -> ObjectMaker:
        OBJECT_MAKERS[model] = function
        return function

    return register
