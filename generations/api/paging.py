"""Pages of a list: `limit` and `offset` in the query; the body stays a JSON list, the
`Link` header names the next page and `X-Total-Count` the whole count (RFC 8288)."""

from collections.abc import Callable, Sequence

from django.http import HttpRequest, HttpResponse
from django.utils.http import urlencode
from ninja import Field, Schema


class Page(Schema):
    limit: int = Field(50, ge=1, le=200, description="How many to return (1-200)")
    offset: int = Field(0, ge=0, le=1_000_000_000, description="How many to skip")


def paginated(
    request: HttpRequest, response: HttpResponse, rows: Sequence, page: Page, out: Callable
) -> list:
    """One page of `rows`, each through `out`; the paging headers set on `response`."""
    total = rows.count() if hasattr(rows, "count") and not isinstance(rows, list) else len(rows)
    items = [out(row) for row in rows[page.offset : page.offset + page.limit]]
    response["X-Total-Count"] = str(total)
    if page.offset + page.limit < total:
        query = request.GET.copy()
        query["offset"], query["limit"] = page.offset + page.limit, page.limit
        response["Link"] = f'<{request.path}?{urlencode(sorted(query.items()))}>; rel="next"'
    return items
