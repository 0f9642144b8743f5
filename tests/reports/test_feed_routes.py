"""The route walker's token check catches a feed view that leaks other nodes' batches
or lets people in (the negative controls of tests/api/token_routes.py)."""

import pytest
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated

from reports.api.feed import FeedBatchViewSet, FeedTokenAuthentication
from reports.models import FeedBatch
from tests.api.route_walker import RoutedViewSet
from tests.api.token_routes import TOKEN_OBJECT_MAKERS, check_token_viewset_is_scoped


def walk(cls, personas):
    viewset = RoutedViewSet(cls=cls, list_actions={"get": "list"},
                            detail_actions={"get": "retrieve"})
    placed = TOKEN_OBJECT_MAKERS[FeedBatch](personas)
    placed.check_writes = None
    check_token_viewset_is_scoped(viewset, placed=placed, people=[personas.manager])


def test_the_walker_passes_the_feed(personas):
    walk(FeedBatchViewSet, personas)


def test_the_walker_catches_a_feed_listing_every_tokens_batches(personas):
    class Leaky(FeedBatchViewSet):
        def get_queryset(self):
            return FeedBatch.objects.all()

    with pytest.raises(AssertionError, match="sibling office's token sees"):
        walk(Leaky, personas)


def test_the_walker_catches_a_feed_that_lets_people_in(personas):
    class Open(FeedBatchViewSet):
        authentication_classes = [FeedTokenAuthentication, SessionAuthentication]
        permission_classes = [IsAuthenticated]

    with pytest.raises(AssertionError, match="session user"):
        walk(Open, personas)
