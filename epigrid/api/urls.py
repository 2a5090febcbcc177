"""API wiring only: the endpoints live in each app's api.py as `router`."""

from importlib import import_module

from django.apps import apps
from django.urls import path
from ninja import NinjaAPI

from .auth import BearerToken
from .errors import install

api = NinjaAPI(
    title="epigrid API",
    version="1",
    urls_namespace="api",
    auth=BearerToken(),
    docs_url=None,
    openapi_extra={"info": {"description": "Grid-based epidemic prevention and control."}},
)
install(api)

# Apps in INSTALLED_APPS order; an app without api.py simply has no endpoints.
for config in apps.get_app_configs():
    if not config.name.startswith("epigrid."):
        continue
    try:
        module = import_module(f"{config.name}.api")
    except ModuleNotFoundError as exc:
        if exc.name != f"{config.name}.api":
            raise
        continue
    api.add_router(getattr(module, "PREFIX", ""), module.router)

urlpatterns = [path("", api.urls)]
