from rest_framework.exceptions import ValidationError

LIST_PARAMETERS = frozenset({"page", "page_size"})


class StrictQuery:
    """A query parameter the operation does not take is a 400 that names it, not quietly ignored
    (``?organization=`` for ``?organisation=`` would otherwise show every practice)."""

    query_parameters: frozenset[str] = frozenset()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication first: no token is a 401 whatever the query
        unknown = sorted(set(request.query_params) - self.query_parameters)
        if unknown:
            raise ValidationError(f"Unknown query parameter {unknown[0][:50]!r}.")
