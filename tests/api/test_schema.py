"""The published contract: an OpenAPI 3 schema anyone can read, Swagger UI and Redoc from our
own static files, every error answer documented, descriptions in English and Chinese."""

import re

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def schema(db):
    response = APIClient().get("/api/v1/schema/?format=json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def test_the_schema_is_openapi_3_with_the_key_as_bearer_auth(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    assert {path for path, _m, _o in operations(schema)} >= {
        "/api/v1/partner/",
        "/api/v1/agreements/",
        "/api/v1/assistants/",
        "/api/v1/assistant-proposals/",
        "/api/v1/assistant-proposals/{id}/cancel/",
        "/api/v1/shifts/",
        "/api/v1/cases/{id}/",
        "/api/v1/visits/",
        "/api/v1/scorecard/",
        "/api/v1/webhook-endpoints/{id}/",
        "/api/v1/webhook-deliveries/{id}/replay/",
    }


def test_every_operation_documents_its_error_answers_in_one_shape(schema):
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        for code in ("400", "401", "403", "404", "429"):
            assert code in responses, (path, method, code)
            content = responses[code]["content"]["application/json"]["schema"]
            assert content == {"$ref": "#/components/schemas/Error"}, (path, method, code)
        assert "WWW-Authenticate" in responses["401"]["headers"]
        if method in {"post", "patch", "delete"}:
            assert {"409", "413", "415"} <= set(responses), (path, method)


def test_field_descriptions_are_in_english_and_chinese(schema):
    licence = schema["components"]["schemas"]["ProposedValues"]["properties"]["licence_number"]

    assert licence["description"] == (
        "Lawyers only: the 17-digit number on the practising licence. "
        "/ 仅限律师：执业证上的17位号码。"
    )


def test_the_schema_is_the_same_whatever_the_callers_language(db):
    english = APIClient().get("/api/v1/schema/?format=json", HTTP_ACCEPT_LANGUAGE="en")
    chinese = APIClient().get("/api/v1/schema/?format=json", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert english.json() == chinese.json()


@pytest.mark.parametrize("page", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_swagger_ui_and_redoc_load_from_our_own_static_files(db, page):
    response = APIClient().get(page)

    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower()
    assert "https://" not in html


def test_a_non_numeric_id_answers_the_documented_404(api_a, world_a):
    response = api_a.get("/api/v1/cases/not-a-number/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_swagger_ui_runs_without_inline_script_so_the_csp_allows_it(db):
    html = APIClient().get("/api/v1/docs/").content.decode()
    script = APIClient().get("/api/v1/docs/?script=")

    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all("src=" in attributes for attributes in scripts)
    assert script.status_code == 200
    assert b"SwaggerUIBundle" in script.content
