"""The API's contract beyond each endpoint: one error shape for every status under /api/,
every status the code returns declared in the schema, pagination, ETags, Location."""

import json

import pytest
from django.test import Client

from generations.api import api
from generations.models import Version
from generations.tokens import create_token
from tests.conftest import STARTER

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def token(user):
    return create_token(user=user, name="contract")[1]


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def assert_error_shape(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert {"detail", "code", "errors"} <= set(body)
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert body["code"] == code
    assert isinstance(body["errors"], list)
    return body


def test_an_unknown_path_is_json_404_without_the_url_patterns_even_with_debug(settings, token):
    settings.DEBUG = True
    response = Client().get(API + "/no/such/thing", **bearer(token))
    body = assert_error_shape(response, 404, "not_found")
    assert "generations/" not in response.content.decode(), "no URL pattern list"
    assert "urlpatterns" not in body["detail"]


def test_a_method_not_allowed_is_json_405_with_allow(token):
    response = Client().delete(API + "/generations", **bearer(token))
    assert_error_shape(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_401_names_the_scheme(db):
    response = Client().get(API + "/generations")
    assert_error_shape(response, 401, "unauthorized")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_read_only_token_writing_is_json_403(user, make_version):
    version = make_version()
    _, raw = create_token(user=user, name="reader", scope="read")
    url = f"{API}/generations/{version.generation_id}/versions/1/name"
    response = Client().put(url, json.dumps({"name": "x"}), "application/json", **bearer(raw))
    assert_error_shape(response, 403, "forbidden")


def test_every_422_has_one_shape_whoever_finds_the_fault(token, make_version):
    version = make_version()
    base = f"{API}/generations/{version.generation_id}/versions/1"
    for url, body in [
        (API + "/generations", {"title": "x", "prompt": "y", "tech_stack": "cobol"}),  # schema
        (base + "/iterate", {"prompt": "   "}),  # schema: blank
        (base + "/files", {"files": {"../escape.py": "x"}}),  # the path policy
        (base + "/files", {"files_base64": {"a.bin": "not base64!"}}),  # the view
    ]:
        response = Client().post(url, json.dumps(body), "application/json", **bearer(token))
        error = assert_error_shape(response, 422, "invalid")
        assert all({"loc", "msg"} == set(e) for e in error["errors"])
    malformed = Client().post(base + "/iterate", "{", "application/json", **bearer(token))
    assert_error_shape(malformed, 400, "bad_request")


def test_every_status_a_route_returns_is_declared_in_the_schema():
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            assert {"400", "401", "403", "404", "422"} <= declared, (method, path)
            if method in ("post", "put"):
                assert "413" in declared, (method, path)
            assert operation["operationId"][0].islower(), operation["operationId"]
            assert "generations_api" not in operation["operationId"]
            assert operation.get("summary"), (method, path)
    version = schema["components"]["schemas"]["VersionOut"]["properties"]
    assert "enum" in json.dumps(version["status"]) or "$ref" in json.dumps(version["status"])
    parameters = schema["paths"][API + "/generations/{generation_id}"]["get"]["parameters"]
    assert parameters[0]["schema"]["format"] == "uuid"
    enums = schema["components"]["schemas"]
    assert set(enums["VersionStatus"]["enum"]) == set(Version.Status.values)
    assert "iteration_complete" in enums["Stage"]["enum"]
    prompt = enums["PromptIn"]["properties"]["prompt"]
    assert prompt["minLength"] == 1
    assert prompt["maxLength"] > 1


def test_generations_come_a_page_at_a_time(token, user, make_generation):
    for number in range(5):
        make_generation(title=f"g{number}")
    first = Client().get(API + "/generations?limit=2", **bearer(token))
    assert first.status_code == 200
    assert len(first.json()) == 2
    assert first["X-Total-Count"] == "5"
    link = first["Link"]
    assert link.endswith('>; rel="next"')
    seen = [g["id"] for g in first.json()]
    url = link[1 : link.index(">")]
    while url:
        page = Client().get(url, **bearer(token))
        seen += [g["id"] for g in page.json()]
        url = page["Link"][1 : page["Link"].index(">")] if page.has_header("Link") else None
    assert len(seen) == len(set(seen)) == 5
    assert Client().get(API + "/generations?limit=0", **bearer(token)).status_code == 422


def test_file_content_and_zips_carry_etags_and_answer_304(token, make_version):
    version = make_version()
    base = f"{API}/generations/{version.generation_id}/versions/1"
    for url in [base + "/files/app.py", base + "/raw/app.py", base + "/zip"]:
        first = Client().get(url, **bearer(token))
        assert first.status_code == 200
        etag = first["ETag"]
        again = Client().get(url, HTTP_IF_NONE_MATCH=etag, **bearer(token))
        assert again.status_code == 304, url
        assert again["ETag"] == etag
        other = Client().get(url, HTTP_IF_NONE_MATCH='"something-else"', **bearer(token))
        assert other.status_code == 200


def test_a_201_says_where_the_new_version_is(token, make_version):
    version = make_version(files=STARTER)
    base = f"{API}/generations/{version.generation_id}/versions/1"
    body = {"files": {"NEW.md": "new\n"}}
    made = Client().post(base + "/files", json.dumps(body), "application/json", **bearer(token))
    assert made.status_code == 201
    assert made["Location"] == f"{API}/generations/{version.generation_id}/versions/2"
    assert Client().get(made["Location"], **bearer(token)).json()["number"] == 2
