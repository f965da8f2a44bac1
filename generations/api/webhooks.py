"""A generation's webhook: the URL told when each of its versions ends, its secret (which
may be rotated), and the deliveries made."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from generations.api.errors import responses
from generations.api.paging import Page, paginated
from generations.api.schemas import WebhookIn, WebhookOut
from generations.forms import WebhookForm
from generations.models import WebhookDelivery
from generations.ownership import owned_generation
from generations.webhooks import rotate_secret, set_webhook

router = Router(tags=["webhooks"])
DeliveryStatus = StrEnum("DeliveryStatus", {v: v for v in WebhookDelivery.Status.values})


class DeliveryOut(Schema):
    id: UUID = Field(description="Sent as X-Iterum-Delivery, the same on every attempt")
    version: int
    event: str = Field(examples=["version.ended"])
    url: str
    status: DeliveryStatus
    attempts: int
    response_status: int | None = Field(description="The receiver's last HTTP status")
    error: str
    created_at: datetime
    finished_at: datetime | None


@router.put(
    "/{uuid:generation_id}/webhook",
    response=responses({200: WebhookOut}, 413),
    summary="Set, rotate or remove a generation's webhook",
    operation_id="setWebhook",
)
def put_webhook(request, generation_id: UUID, payload: WebhookIn):
    """Set the URL told when a version ends (an empty URL turns it off). The secret that
    signs deliveries is made once and returned; `rotate_secret` makes a new one, and the
    old one signs nothing more. A private or unresolvable address is 422."""
    generation = owned_generation(request, generation_id)
    form = WebhookForm({"url": payload.url})
    if not form.is_valid():
        raise HttpError(422, "The webhook was not saved: " + "; ".join(form.errors["url"]))
    set_webhook(generation, form.cleaned_data["url"])
    if payload.rotate_secret and generation.webhook_url:
        rotate_secret(generation)
    return {"url": generation.webhook_url, "secret": generation.webhook_secret}


@router.get(
    "/{uuid:generation_id}/webhook/deliveries",
    response=responses({200: list[DeliveryOut]}),
    summary="List a generation's webhook deliveries",
    operation_id="listWebhookDeliveries",
)
def list_deliveries(request, response: HttpResponse, generation_id: UUID, page: Query[Page]):
    """Each version end sent to the webhook, newest first: status, attempts, the
    receiver's answer or the error."""
    generation = owned_generation(request, generation_id)
    deliveries = WebhookDelivery.objects.filter(version__generation=generation).select_related(
        "version"
    )
    return paginated(request, response, deliveries.order_by("-created_at", "-pk"), page, _out)


def _out(delivery: WebhookDelivery) -> dict:
    return {
        "id": delivery.delivery_id,
        "version": delivery.version.number,
        "event": delivery.event,
        "url": delivery.url,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "response_status": delivery.response_status,
        "error": delivery.error,
        "created_at": delivery.created_at,
        "finished_at": delivery.finished_at,
    }
