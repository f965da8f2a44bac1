"""Git's smart HTTP protocol for a generation's repository (dulwich does the protocol).

Clone, fetch and pull at /git/<generation id>.git; push to `main` makes versions
(generations.git.pushes). Authentication is HTTP Basic with an API token as the password
(any user name); a token with the `read` scope may fetch but not push. Another user's
repository answers 404, as every page does.
"""

import base64
import binascii
import tempfile
import zlib
from collections.abc import Iterator

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from dulwich.protocol import ReceivableProtocol
from dulwich.server import DictBackend, ReceivePackHandler, UploadPackHandler

from generations.git.pushes import PushReceiver
from generations.git.repository import locked, sync
from generations.models import ApiToken, Generation
from generations.tokens import authenticate

SERVICES = {"git-upload-pack", "git-receive-pack"}
MAX_REQUEST_BYTES = 10 * 1024 * 1024  # wants and haves of a fetch; a push's pack is apart
SPOOL_IN_MEMORY = 1024 * 1024
CHUNK = 64 * 1024


def _token(request: HttpRequest) -> ApiToken | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:], validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    _, _, password = decoded.partition(":")
    return authenticate(password.strip())


def _ask_for_token() -> HttpResponse:
    response = HttpResponse(
        "Iterum's git needs your user name and an API token as the password "
        "(make one under Account, API tokens).\n",
        status=401,
        content_type="text/plain",
    )
    response["WWW-Authenticate"] = 'Basic realm="Iterum git", charset="UTF-8"'
    return response


def _generation(request: HttpRequest, generation_id, service: str) -> Generation | HttpResponse:
    token = _token(request)
    if token is None:
        return _ask_for_token()
    generation = get_object_or_404(Generation, pk=generation_id, owner=token.user)
    if service == "git-receive-pack" and token.scope == ApiToken.Scope.READ:
        return HttpResponse(
            "This token may only read (its scope is read): use a full token to push.\n",
            status=403,
            content_type="text/plain",
        )
    request.user = token.user
    request.api_token = token
    return generation


def _spooled(fill) -> Iterator[bytes]:
    """Run `fill(write)` into a spooled file, then hand the bytes on in chunks: a clone's
    pack never sits whole in memory, and no database work is left for the response."""
    spool = tempfile.SpooledTemporaryFile(SPOOL_IN_MEMORY)  # noqa: SIM115 - closed by chunks()
    fill(spool.write)
    spool.seek(0)

    def chunks() -> Iterator[bytes]:
        with spool:
            while chunk := spool.read(CHUNK):
                yield chunk

    return chunks()


def _no_cache(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-cache, max-age=0, must-revalidate"
    response["Expires"] = "Fri, 01 Jan 1980 00:00:00 GMT"
    return response


@require_GET
def info_refs(request: HttpRequest, generation_id) -> HttpResponse:
    service = request.GET.get("service", "")
    if service not in SERVICES:
        return HttpResponse(
            "Iterum serves git's smart HTTP protocol only; use git 1.6.6 or newer.\n",
            status=403,
            content_type="text/plain",
        )
    found = _generation(request, generation_id, service)
    if isinstance(found, HttpResponse):
        return found

    def fill(write) -> None:
        with locked(found.pk) as repo:
            sync(found, repo)
            proto = ReceivableProtocol(lambda size=-1: b"", write)
            handler_class = (
                UploadPackHandler if service == "git-upload-pack" else ReceivePackHandler
            )
            handler = handler_class(
                DictBackend({"/": repo}), ["/"], proto, stateless_rpc=True, advertise_refs=True
            )
            proto.write_pkt_line(f"# service={service}\n".encode())
            proto.write_pkt_line(None)
            handler.handle()

    response = StreamingHttpResponse(
        _spooled(fill), content_type=f"application/x-{service}-advertisement"
    )
    return _no_cache(response)


class BodyTooLarge(Exception):
    pass


def _body(request: HttpRequest, limit: int | None):
    """The request's body as a file; gzip (which git uses for long fetches) unpacked
    within `limit` (BodyTooLarge past it)."""
    if request.headers.get("Content-Encoding", "") != "gzip":
        return request
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    spool = tempfile.SpooledTemporaryFile(SPOOL_IN_MEMORY)  # noqa: SIM115 - the body's file
    produced = 0
    while chunk := request.read(CHUNK):
        while chunk:
            out = inflater.decompress(chunk, CHUNK)
            produced += len(out)
            if limit is not None and produced > limit:
                raise BodyTooLarge
            spool.write(out)
            chunk = inflater.unconsumed_tail
    spool.seek(0)
    return spool


@csrf_exempt
@require_POST
def service(request: HttpRequest, generation_id, name: str) -> HttpResponse:
    if name not in SERVICES:
        raise Http404("No such service.")
    found = _generation(request, generation_id, name)
    if isinstance(found, HttpResponse):
        return found
    if request.content_type != f"application/x-{name}-request":
        return HttpResponse("Wrong content type.\n", status=415, content_type="text/plain")
    try:
        body = _body(request, MAX_REQUEST_BYTES if name == "git-upload-pack" else None)
    except BodyTooLarge:
        message = f"The request expands to more than {MAX_REQUEST_BYTES:,} bytes.\n"
        return HttpResponse(message, status=413, content_type="text/plain")

    def fill(write) -> None:
        with locked(found.pk) as repo:
            # A fetch asks for what the advertisement (synced) offered: objects derived
            # already. A push must see the newest version.
            if name == "git-receive-pack":
                sync(found, repo)
            proto = ReceivableProtocol(body.read, write)
            backend = DictBackend({"/": repo})
            if name == "git-upload-pack":
                UploadPackHandler(backend, ["/"], proto, stateless_rpc=True).handle()
                return
            receiver = PushReceiver(backend, ["/"], proto, stateless_rpc=True)
            receiver.bind(generation=found, user=request.user, api_token=request.api_token)
            receiver.handle()
            sync(found, repo)

    response = StreamingHttpResponse(_spooled(fill), content_type=f"application/x-{name}-result")
    return _no_cache(response)
