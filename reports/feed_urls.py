"""Routes of the order-system feed (mounted at /api/reports/feed/); token auth only."""

from django.urls import path

from reports.api.feed import FeedBatchViewSet

urlpatterns = [
    path("nodes/<str:node_code>/facts/", FeedBatchViewSet.as_view({"post": "create"}),
         name="feed-push"),
    path("batches/", FeedBatchViewSet.as_view({"get": "list"}), name="feed-batch-list"),
    path("batches/<int:pk>/", FeedBatchViewSet.as_view({"get": "retrieve"}),
         name="feed-batch-detail"),
]
