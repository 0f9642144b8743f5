"""Page routes of the plan group; included by visits/page_urls.py."""

urlpatterns: list = []
