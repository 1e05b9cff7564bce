"""One JSON line per request (logger ``carrefour.requests``): method, path, status,
duration, request id, worker process — what operations grep and ship to their log
store. The request id comes from the reverse proxy's ``X-Request-ID`` when it is a
sane token (docs/deploiement.md), else is made here; it is sent back in the
response and is on the request (``request.request_id``) for other logs."""

from __future__ import annotations

import json
import logging
import os
import re
import time
import uuid

logger = logging.getLogger("carrefour.requests")
_TOKEN = re.compile(r"^[A-Za-z0-9._-]{8,128}$")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        given = request.headers.get("X-Request-ID", "")
        request.request_id = given if _TOKEN.match(given) else uuid.uuid4().hex
        status, response = 500, None
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = request.request_id
            return response
        finally:
            if logger.isEnabledFor(logging.INFO):
                user = getattr(request, "user", None)
                logger.info(
                    "%s",
                    json.dumps(
                        {
                            "request_id": request.request_id,
                            "method": request.method,
                            "path": request.path[:500],
                            "status": status,
                            "duration_ms": round(1000 * (time.perf_counter() - started), 1),
                            "cache": response.get("X-Cache", "") if response is not None else "",
                            "user": user.pk if user is not None and user.is_authenticated else None,
                            "pid": os.getpid(),
                        },
                        ensure_ascii=False,
                    ),
                )
