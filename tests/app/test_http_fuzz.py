"""Fuzz the HTTP surface with Hypothesis: generated paths, query strings, headers
(Last-Event-ID, Host, cookies, Referer, htmx's) and form bodies (NUL, invalid UTF-8, huge
numbers, very long values, Unicode digits) against every URL, and generated JSON (lone
surrogates, nesting, huge numbers) against every operation of the API, as the owner of one
project while another user's project holds a secret. Never a 500, never the other user's
data.

Requests per run: FUZZ_REQUESTS pages and FUZZ_API_REQUESTS API calls (counted and printed;
`pytest -s` shows the figure).
"""

import json
import os
import uuid
from urllib.parse import quote

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import get_user_model
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generations.models import Generation, Version
from generations.storage import save_files

FUZZ_REQUESTS = int(os.environ.get("FUZZ_REQUESTS", "1500"))
SECRET = "BOB-SECRET-7f3a"
ROUTES = [
    "/",
    "/generations/",
    "/generations/new/",
    "/generations/{g}/",
    "/generations/{g}/compare/",
    "/generations/{g}/v{n}/",
    "/generations/{g}/v{n}/iterate/",
    "/generations/{g}/v{n}/diff/",
    "/generations/{g}/v{n}/restore/",
    "/generations/{g}/v{n}/edit/",
    "/generations/{g}/v{n}/name/",
    "/generations/{g}/v{n}/cancel/",
    "/generations/{g}/v{n}/download/",
    "/generations/{g}/v{n}/events/",
    "/accounts/login/",
    "/accounts/password_change/",
    "/admin/",
    "/admin/generations/version/",
    "/static/css/iterum.css",
    "/{junk}",
]
QUERY_KEYS = ["file", "from", "to", "mode", "ws", "full", "expand", "part", "lastEventId", "next"]
NASTY = [
    "",
    "\x00",
    "²",
    "١٢٣",
    "9" * 30,
    "9" * 5000,
    "-1",
    "0",
    "1e9",
    "../../etc/passwd",
    "//evil.example/",
    "https://evil.example/",
    "%00",
    "%ED%A0%80",
    "a" * 10_000,
    "README.md",
    "app.py",
    "1-2-3",
    "0-999999999999-0",
    "unified",
    "split",
    "ignore",
    "live",
    "\u202egpj.exe",
    "<script>alert(1)</script>",
]
text = st.one_of(st.sampled_from(NASTY), st.text(max_size=40))
safe_text = text.map(lambda value: value.encode("utf-8", "replace").decode("utf-8"))


@pytest.fixture
def world(db):
    alice = get_user_model().objects.create_user("alice", password="alice-password-1")
    bob = get_user_model().objects.create_user("bob", password="bob-password-1")
    mine = Generation.objects.create(owner=alice, title="Mine", prompt="p", tech_stack="flask")
    theirs = Generation.objects.create(owner=bob, title=SECRET, prompt=SECRET, tech_stack="flask")
    for generation, content in ((mine, "hello\n"), (theirs, SECRET + "\n")):
        for number in (1, 2):
            version = Version.objects.create(
                generation=generation,
                number=number,
                kind="generate",
                prompt="p",
                status="completed",
                parent=None,
            )
            save_files(version=version, files={"README.md": content, f"v{number}.txt": content})
    client = Client(raise_request_exception=True)
    client.force_login(alice)
    return {"client": client, "mine": mine, "theirs": theirs}


counted = {"requests": 0}


@st.composite
def requests(draw, world: dict, route: str):
    mine, theirs = str(world["mine"].pk), str(world["theirs"].pk)
    generation = draw(st.sampled_from([mine, mine, mine, theirs, str(uuid.uuid4()), "x"]))
    number = draw(st.sampled_from(["1", "2", "99", "0", "9" * 12, "x"]))
    junk = quote(draw(safe_text), safe="/")
    path = route.format(g=generation, n=number, junk=junk)
    keys = draw(st.lists(st.sampled_from(QUERY_KEYS), min_size=1, max_size=4))
    query = "&".join(f"{key}={quote(draw(safe_text))}" for key in keys)
    headers = {}
    if draw(st.booleans()):
        headers["HTTP_LAST_EVENT_ID"] = draw(
            st.sampled_from(NASTY).map(lambda v: f"version-{generation}-{number}:{v}")
        )
    if draw(st.booleans()):
        headers["HTTP_HOST"] = draw(st.sampled_from(["testserver", "evil.example", "", "a" * 300]))
    if draw(st.booleans()):
        headers["HTTP_HX_REQUEST"] = "true"
        headers["HTTP_HX_TARGET"] = draw(st.sampled_from(["file-browser", "diff-main", "x"]))
    if draw(st.booleans()):
        headers["HTTP_REFERER"] = draw(st.sampled_from(NASTY))
    if draw(st.booleans()):
        headers["HTTP_COOKIE"] = draw(
            st.sampled_from(["sessionid=junk", "csrftoken=\x00", "a=b;;"])
        )
    method = draw(st.sampled_from(["GET", "GET", "POST", "POST", "HEAD", "PUT", "DELETE"]))
    fields = draw(
        st.dictionaries(
            st.sampled_from(
                [
                    "title",
                    "prompt",
                    "tech_stack",
                    "domain",
                    "constraints",
                    "name",
                    "next",
                    "path",
                    "content",
                    "username",
                    "password",
                ]
            ),
            safe_text,
            max_size=5,
        )
    )
    raw = draw(st.one_of(st.none(), st.binary(max_size=200)))
    return method, path + (f"?{query}" if query else ""), headers, fields, raw


@pytest.mark.parametrize("route", ROUTES)
@given(data=st.data())
@settings(
    max_examples=max(FUZZ_REQUESTS // len(ROUTES), 1),
    deadline=None,
    derandomize="FUZZ_RANDOM" not in os.environ,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_request_fails_with_a_500_or_shows_another_users_data(world, route, data):
    method, url, headers, fields, raw = data.draw(requests(world, route))
    client = world["client"]
    if raw is not None and method == "POST":
        response = client.generic(
            "POST", url, raw, content_type="application/x-www-form-urlencoded", **headers
        )
    elif method == "POST":
        response = client.post(url, fields, **headers)
    else:
        response = client.generic(method, url, **headers)
    counted["requests"] += 1
    assert response.status_code < 500, (method, url, headers)
    if response.streaming and "/events/" in url:
        return  # a stream the owner may read goes on for ever; access is tested elsewhere
    assert SECRET.encode() not in body_of(response), (method, url)
    assert Version.objects.filter(generation=world["theirs"]).count() == 2


def body_of(response) -> bytes:
    if not response.streaming:
        return response.content
    if not response.is_async:
        return b"".join(response.streaming_content)

    async def read() -> bytes:
        return b"".join([part async for part in response.streaming_content])

    return async_to_sync(read)()


# The JSON API: every operation of its OpenAPI document, with generated bodies ---------------

API_REQUESTS = int(os.environ.get("FUZZ_API_REQUESTS", "1000"))
SURROGATES = ["\ud800", "a\udfffb", "\udbff\udc00"]  # JSON can carry what forms cannot
json_text = st.one_of(st.sampled_from(NASTY), st.sampled_from(SURROGATES), st.text(max_size=40))
json_value = st.recursive(
    st.one_of(
        json_text,
        st.integers(min_value=-(10**30), max_value=10**30),
        st.booleans(),
        st.none(),
        st.floats(allow_nan=False),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(json_text, inner, max_size=3)
    ),
    max_leaves=6,
)
BODY_KEYS = ["title", "prompt", "tech_stack", "domain", "constraints", "name", "url", "files"]


VALID_BODIES = [
    {"title": "T", "prompt": "a todo api", "tech_stack": "flask", "domain": "", "constraints": ""},
    {"prompt": "add a health-check endpoint"},
    {"name": "before auth"},
    {"url": "https://example.com/hook"},
    {"files": {"notes.txt": "hello\n"}},
]


@st.composite
def nearly_valid_bodies(draw) -> dict:
    """A body that would pass, but for one value: the likeliest way past the first checks."""
    body = dict(draw(st.sampled_from(VALID_BODIES)))
    key = draw(st.sampled_from(sorted(body)))
    if key == "files":
        body[key] = draw(
            st.one_of(
                st.dictionaries(json_text, json_text, min_size=1, max_size=2),
                st.builds(lambda text: {"notes.txt": text}, json_text),
            )
        )
    elif key == "url":
        body[key] = draw(json_text.map(lambda text: f"https://{text}/"))
    else:
        body[key] = draw(json_text)
    return body


def api_operations() -> list[tuple[str, str]]:
    from generations.api import api

    paths = api.get_openapi_schema()["paths"]
    return sorted((method, path) for path, methods in paths.items() for method in methods)


@pytest.fixture
def api_world(world, settings):
    from generations.tokens import create_token

    # Run limits would refuse most creates before their values reached the database.
    settings.MAX_QUEUED_PER_USER = settings.API_RUNS_PER_MINUTE = 10**6

    _, raw = create_token(user=world["mine"].owner, name="fuzz")
    world["api"] = Client(raise_request_exception=True, HTTP_AUTHORIZATION=f"Bearer {raw}")
    return world


@pytest.mark.parametrize(("method", "template"), api_operations())
@given(data=st.data())
@settings(
    max_examples=max(API_REQUESTS // len(api_operations()), 1),
    deadline=None,
    derandomize="FUZZ_RANDOM" not in os.environ,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_api_request_fails_with_a_500_or_shows_another_users_data(
    api_world, method, template, data
):
    world = api_world
    mine, theirs = str(world["mine"].pk), str(world["theirs"].pk)
    values = {
        "generation_id": data.draw(st.sampled_from([mine, mine, theirs, str(uuid.uuid4()), "x"])),
        "number": data.draw(st.sampled_from(["1", "2", "99", "0", "9" * 30, "-1", "x"])),
        "path": quote(data.draw(safe_text), safe="") or "README.md",
    }
    url = template.format(**values)
    keys = data.draw(st.lists(st.sampled_from(["a", "b", "whitespace", "limit"]), max_size=3))
    if keys:
        url += "?" + "&".join(f"{key}={quote(data.draw(safe_text))}" for key in keys)
    body = data.draw(
        st.one_of(
            nearly_valid_bodies(),
            nearly_valid_bodies(),
            st.dictionaries(st.sampled_from(BODY_KEYS), json_value, max_size=5),
            json_value,
            st.binary(max_size=60),
        )
    )
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    client = world["api"]
    response = client.generic(method.upper(), url, payload, content_type="application/json")
    counted["requests"] += 1
    assert response.status_code < 500, (method, url, payload[:200])
    assert SECRET.encode() not in body_of(response), (method, url)
    assert Version.objects.filter(generation=world["theirs"]).count() == 2


def test_zz_report_the_number_of_fuzzed_requests():
    print(f"\nHTTP fuzz: {counted['requests']} generated requests, no 500, no other user's data")
    expected = FUZZ_REQUESTS + API_REQUESTS
    assert counted["requests"] == 0 or counted["requests"] >= expected * 0.9
