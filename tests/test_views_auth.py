"""Every page needs a login unless it is listed here as public on purpose."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Pages anyone may open, and why.
PUBLIC = {
    "home": "sends each role to its home, anyone else to the login page",
    "login": "the site's one login form itself",
    "logout": "logging out needs no login",
    "admin:login": "the login form itself",
    "admin:logout": "logging out needs no login",
    "admin:password_reset": "not wired; Django's admin lists it",
    "set_language": "switching the page language",
    "admin:jsi18n": "admin JavaScript translations",
    "admin:view_on_site": "redirect helper",
    "public:form": "the public QR form of a service point: residents need no login",
    "public:thanks": "the case number after a public-form submission",
    "calendar:feed": "a calendar app cannot log in: the secret token in the URL is the credential",
    "mobile:login": "the assistants' login form itself",
    "health": "the load balancer and monitoring probe it; it shows check results, no data",
    "favicon": "the site's icon, asked for by every browser",
    "api:index": "the partner API's table of contents: links to its docs and endpoints, no data",
    "api:schema": "the partner API's published contract (OpenAPI); it holds no data",
    "api:docs": "Swagger UI over the published contract",
    "api:redoc": "Redoc over the published contract",
}


def iter_patterns(resolver, prefix="", namespace=None):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner_namespace = pattern.namespace or namespace
            yield from iter_patterns(pattern, prefix + str(pattern.pattern), inner_namespace)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield prefix + str(pattern.pattern), name


def concrete_path(route: str) -> str:
    """Turn a route into a path a browser could ask for, with 1 for every parameter."""
    path = re.sub(r"<(?:\w+:)?(\w+)>", "1", route)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)
    return "/" + path.lstrip("^").rstrip("$").replace("\\", "")


ALL_ROUTES = sorted(set(iter_patterns(get_resolver())), key=lambda item: item[0])


@pytest.mark.parametrize(("route", "name"), ALL_ROUTES, ids=[r for r, _n in ALL_ROUTES])
def test_every_page_needs_a_login_unless_it_is_public_on_purpose(client, db, route, name):
    if name in PUBLIC:
        return
    response = client.get(concrete_path(route))
    if name and name.startswith("api:"):
        # The partner API asks for its key the HTTP way: 401 with WWW-Authenticate.
        assert response.status_code == 401, (route, response.status_code)
        assert response["WWW-Authenticate"], route
        return
    assert response.status_code in {301, 302, 403, 405}, (route, response.status_code)
    if response.status_code in {301, 302}:
        assert "login" in response["Location"], (route, response["Location"])
