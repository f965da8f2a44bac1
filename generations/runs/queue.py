"""Starting runs: a new generation's version 1, or an iteration on a finished version.
Each is written under the user's limits and queued; the worker's task is enqueued when the
transaction commits."""

from django.db import transaction

from generations.live.events import publish
from generations.models import Generation, Version
from generations.refusals import ActionRefused
from generations.runs.limits import check_api_rate, check_queue_room, lock_user
from generations.runs.tasks import enqueue_run
from generations.storage import next_number
from orchestrator import ProgressEvent


def create_generation(
    *,
    owner,
    title: str,
    prompt: str,
    tech_stack: str,
    domain: str = "",
    constraints: str = "",
    api_token=None,
    api_session: bool = False,
) -> Version:
    """Create a generation and its version 1, queued; the worker starts after commit."""
    with transaction.atomic():
        lock_user(owner.pk)
        check_queue_room(user=owner)
        check_api_rate(user=owner, api_token=api_token, api_session=api_session)
        generation = Generation.objects.create(
            owner=owner,
            title=title,
            prompt=prompt,
            tech_stack=tech_stack,
            domain=domain,
            constraints=constraints,
        )
        version = Version.objects.create(
            generation=generation,
            number=1,
            kind=Version.Kind.GENERATE,
            prompt=prompt,
            created_by=owner,
            api_token=api_token,
            api_session=api_session,
        )
        queue(version)
    return version


def start_iteration(
    *, base: Version, prompt: str, user, api_token=None, api_session: bool = False
) -> Version:
    """Queue a new version that applies `prompt` to the files of `base`."""
    if base.status not in (Version.Status.COMPLETED, Version.Status.NO_CHANGES):
        raise ActionRefused(
            f"Version {base.number} is {base.get_status_display().lower()}; only a completed "
            "version can be iterated on."
        )
    with transaction.atomic():
        lock_user(user.pk)
        check_queue_room(user=user)
        check_api_rate(user=user, api_token=api_token, api_session=api_session)
        generation, number = next_number(base.generation_id)
        version = Version.objects.create(
            generation=generation,
            number=number,
            parent=base,
            kind=Version.Kind.ITERATE,
            prompt=prompt,
            created_by=user,
            api_token=api_token,
            api_session=api_session,
        )
        generation.save(update_fields=["updated_at"])
        queue(version)
    return version


def queue(version: Version) -> None:
    """Announce a version as queued and enqueue its run when the transaction commits."""
    publish(version, ProgressEvent("queued", "queued", "Waiting for a worker...", 0.0))
    enqueue_run(version)
