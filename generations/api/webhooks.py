"""A generation's webhook: the URL told when each of its versions ends."""

from ninja import Router
from ninja.errors import HttpError

from generations.api.schemas import MessageOut, WebhookIn, WebhookOut
from generations.forms import WebhookForm
from generations.ownership import owned_generation
from generations.webhooks import set_webhook

router = Router(tags=["generations"])


@router.put("/{uuid:generation_id}/webhook", response={200: WebhookOut, 422: MessageOut})
def put_webhook(request, generation_id, payload: WebhookIn):
    """Set (or, with an empty URL, remove) the URL told when a version ends; the secret
    that signs each delivery is made once and returned."""
    generation = owned_generation(request, generation_id)
    form = WebhookForm(payload.dict())
    if not form.is_valid():
        raise HttpError(422, "The webhook was not saved: " + "; ".join(form.errors["url"]))
    set_webhook(generation, form.cleaned_data["url"])
    return {"url": generation.webhook_url, "secret": generation.webhook_secret}
