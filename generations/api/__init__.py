"""The JSON API, version 1, for programs and the terminal client (django-ninja).

It does what a user can do in the pages, through the same actions (generations.runs,
generations.history) and the same forms for validation, so every rule holds alike: owner
only (another user's objects are 404), run and queue limits, prompt and file limits.
Authentication is an API token (`Authorization: Bearer itm_...`) or the page's session
(then with CSRF, as Django's forms). Creating runs with a token is rate limited.
OpenAPI at /api/v1/openapi.json, interactive docs at /api/v1/docs.

One module per resource (generations, versions, files, projects, webhooks, running, account),
beside the schemas, the authentication and the errors they share.
"""

from ninja import NinjaAPI
from ninja.security import django_auth

from generations.api import account, files, generations, projects, running, versions, webhooks
from generations.api.auth import BearerToken
from generations.api.errors import register_error_handlers

EVENTS_DOC = """
**Live events.** Each version has a Server-Sent Events stream at
`/generations/{generation_id}/v{number}/events/`. Programs that cannot send a session
cookie ask `POST .../stream-token` for a short-lived token and open
`.../events/?token=...` (an API token is never accepted in a URL). Every event's `data` is
JSON with `generation_id`, `version`, `status`, `stage`, `message`, `progress` (0 to 1) and
`timestamp`; stages add fields (`file`, `tokens`, `eta_seconds`, `errors`...). The run's
last event has type `done`, and the stream ends after it. A stream replays the version's
events from its first; reconnect with `Last-Event-ID` to get only what you missed. When the
run has already ended, the stream sends what you lack and the final event (again, if you
had it) at once, then ends. `?follow=1` keeps it open after the run for the version's later
events (`tests`, `preview`, `preview-log`).

```
event: progress
id: version-...-2:7
data: {"generation_id": "...", "version": 2, "status": "processing",
       "stage": "file_generated", "message": "Modified app.py", "progress": 0.41,
       "timestamp": 1796030000.2, "file": "app.py", "action": "modified"}
```
"""


class IterumAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """django-ninja's document, with each operation's responses keyed once: the
        status codes from `response=` and those from `openapi_extra` (a binary body's
        media types) merged under one key. Every operation that takes a body may answer
        413 (config.middleware checks every body's size before any view)."""
        schema = super().get_openapi_schema(*args, **kwargs)
        too_large = {
            "description": "What was sent is larger than a limit (named in the body)",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
        }
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                responses = operation["responses"]
                for status in sorted(key for key in responses if isinstance(key, int)):
                    merged = responses.pop(status) | responses.pop(str(status), {})
                    responses[str(status)] = merged
                if method in ("post", "put", "patch", "delete"):
                    responses.setdefault("413", too_large)
        return schema


api = IterumAPI(
    title="Iterum API",
    version="1",
    description="Generations, versions, files, diffs and live events." + EVENTS_DOC,
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
)
register_error_handlers(api)
api.add_router("/generations", projects.router)  # before /{id}: "import" is a path
api.add_router("/generations", generations.router)
api.add_router("/generations", versions.router)
api.add_router("/generations", files.router)
api.add_router("/generations", webhooks.router)
api.add_router("/generations", running.router)
api.add_router("", account.router)
