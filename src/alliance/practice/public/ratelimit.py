"""A per-IP rate limit for the public request form that holds across gunicorn workers.

Each post stores a keyed hash of the sender's address (HMAC-SHA256 with the SECRET_KEY: the
address itself is never stored, and without the key the hash cannot be matched to one) and
the time, in the database. A post is allowed when, counting itself, at most
``INTAKE_RATE_LIMIT`` posts from the same address arrived in the last
``INTAKE_RATE_WINDOW_MINUTES``. A refused post removes its own row again, so waiting out the
window always works. Concurrent posts each count the others, so a burst can only be refused
more strictly than the limit, never let through beyond it.

Behind a reverse proxy every request comes from the proxy's address: set
``INTAKE_PROXY_HOPS`` to the number of proxies in front of Alliance that append to
``X-Forwarded-For`` (1 for one nginx), and the client's address is read from there.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from alliance.practice.public.models import RateLimitHit


def client_ip(request: HttpRequest) -> str:
    hops = int(getattr(settings, "INTAKE_PROXY_HOPS", 0))
    if hops > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return str(request.META.get("REMOTE_ADDR", ""))


def ip_key(ip: str, scope: str = "intake") -> str:
    secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, f"{scope}:{ip}".encode(), hashlib.sha256).hexdigest()


def allow(request: HttpRequest, scope: str = "intake") -> bool:
    """Record this post and say whether it is within the limit."""
    limit = int(getattr(settings, "INTAKE_RATE_LIMIT", 5))
    window = timedelta(minutes=int(getattr(settings, "INTAKE_RATE_WINDOW_MINUTES", 60)))
    now = timezone.now()
    RateLimitHit.objects.filter(created__lt=now - window).delete()
    key = ip_key(client_ip(request), scope)
    hit = RateLimitHit.objects.create(key=key, created=now)
    recent = RateLimitHit.objects.filter(key=key, created__gte=now - window).count()
    if recent > limit:
        hit.delete()
        return False
    return True
