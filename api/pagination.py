from rest_framework.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    """Every list: ``?page=N`` (and ``page_size`` up to 500), with ``count``, ``next`` and ``previous``."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
