"""Error pages that also write the security log (refused access is logged)."""

from django.shortcuts import render

from practices.security import log_refused


def page_not_found(request, exception):
    log_refused(request, 404)
    return render(request, "404.html", status=404)


def permission_denied(request, exception):
    log_refused(request, 403)
    return render(request, "403.html", status=403)


def server_error(request):
    return render(request, "500.html", status=500)
