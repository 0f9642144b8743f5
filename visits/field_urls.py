"""Page routes of the field group; included by visits/page_urls.py."""

urlpatterns: list = []
