"""Uploads are refused as they arrive: reading stops at the limit (issue 15).

Django reads a whole multipart body before a form sees it, so a 60 MB upload
was read in full before the form said it was too large. ``LimitedUploadHandler``
(first in FILE_UPLOAD_HANDLERS) stops the parse once a file passes
``costing.limits.MAX_MODEL_FILE_BYTES`` and leaves the rest of the body unread;
``RefusedUploadMiddleware`` then puts an empty stand-in of the refused file's
declared size where the file would be, so the upload form refuses it with its
usual message ("at most 5 MB") beside the field.
"""

from __future__ import annotations

import io

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from costing import limits

REFUSED = "_refused_upload"


class LimitedUploadHandler(FileUploadHandler):
    """Passes chunks on to the next handler until a file passes the limit, then stops reading."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.request_length = content_length
        return None

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > limits.MAX_MODEL_FILE_BYTES:
            setattr(self.request, REFUSED, (self.field_name, self.file_name, self.request_length))
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler keeps the file


class RefusedUploadMiddleware:
    """Where an upload was refused, an empty file of the request's size stands in for it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or request.content_type != "multipart/form-data":
            return None
        request.FILES  # noqa: B018 (parses the body, if the CSRF check has not)
        refused = getattr(request, REFUSED, None)
        if refused is not None:
            field_name, file_name, size = refused
            stand_in = InMemoryUploadedFile(
                io.BytesIO(b""), field_name, file_name, "application/octet-stream", size, None
            )
            request.FILES.setlist(field_name, [stand_in])
        return None
