from django.http import HttpRequest

from .access import request_actor
from .roles import Capability


def actor(request: HttpRequest) -> dict:
    current = request_actor(request)
    return {"actor": current, "caps": {c.name: current.has(c) for c in Capability}}
