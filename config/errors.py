"""Error pages that also write the security log (refused access is logged).

Under /api/ the answer is JSON, as everything else the API says: a path no route
matches, or a failure of the server, is ``{"detail": "..."}`` there too.
"""

from django.http import JsonResponse
from django.shortcuts import render

from practices.security import log_refused


def _api(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception):
    log_refused(request, 404)
    if _api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def permission_denied(request, exception):
    log_refused(request, 403)
    if _api(request):
        return JsonResponse({"detail": "You do not have permission to do this."}, status=403)
    return render(request, "403.html", status=403)


def server_error(request):
    if _api(request):
        return JsonResponse({"detail": "Something went wrong on the server; it has been logged."}, status=500)
    return render(request, "500.html", status=500)
