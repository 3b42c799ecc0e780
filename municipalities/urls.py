"""Routes of the geography's own pages (none yet). The map of municipalities spans projects and flags, so it is
the committee's: coordination.map_urls, mounted at /municipalities/map/ by config.urls."""

urlpatterns: list = []
