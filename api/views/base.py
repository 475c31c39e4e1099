from rest_framework.exceptions import ValidationError

LIST_PARAMETERS = frozenset({"page", "page_size"})


class StrictQuery:
    """A query parameter the operation does not take is a 400 that names it, not quietly ignored
    (``?organization=`` for ``?organisation=`` would otherwise show every practice)."""

    query_parameters: frozenset[str] = frozenset()
    query_prefixes: tuple[str, ...] = ()  # families of parameters, such as the roll-up's model_<ODS code>

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication first: no token is a 401 whatever the query
        unknown = sorted(
            name
            for name in request.query_params
            if name not in self.query_parameters and not name.startswith(self.query_prefixes)
        )
        if unknown:
            raise ValidationError(f"Unknown query parameter {unknown[0][:50]!r}.")
