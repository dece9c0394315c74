"""Refuse oversized request bodies before anything reads them (nginx has the same limit)."""

from django.conf import settings
from django.shortcuts import render


class RequestSizeLimitMiddleware:
    """Answers 413 with a Chinese page when the declared body is larger than RECTIFY_MAX_REQUEST_BYTES."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.RECTIFY_MAX_REQUEST_BYTES
        if length > limit:
            context = {"limit_mb": limit // (1024 * 1024), "length_mb": round(length / (1024 * 1024), 1)}
            return render(request, "413.html", context, status=413)
        return self.get_response(request)
