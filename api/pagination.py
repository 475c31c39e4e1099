from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

MAX_PAGE = 1_000_000


class Pages(PageNumberPagination):
    """Every list: ``?page=N`` (and ``page_size`` up to 500), with ``count``, ``next`` and ``previous``.

    A page or page size that is not a whole number in range is a 400 that says so,
    not quietly the default (a dashboard would otherwise read the wrong rows).
    """

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        self._whole_number(request, self.page_query_param, MAX_PAGE)
        self._whole_number(request, self.page_size_query_param, self.max_page_size)
        return super().paginate_queryset(queryset, request, view)

    @staticmethod
    def _whole_number(request, name: str, maximum: int) -> None:
        raw = request.query_params.get(name)
        if raw is not None and not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= maximum):
            raise ValidationError(f"{name} must be a whole number from 1 to {maximum:,}.")

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            maximum = self.max_page_size if parameter["name"] == self.page_size_query_param else MAX_PAGE
            parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": maximum}
        return parameters
