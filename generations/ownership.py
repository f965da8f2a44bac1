"""Fetching what a request may touch: the user's own generations and versions, else 404
(staff included: they inspect everything in the admin). The pages and the API use these."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from generations.models import Generation, Version


def owned_generation(request: HttpRequest, generation_id) -> Generation:
    """The generation if the request's user owns it; 404 for everyone else."""
    return get_object_or_404(Generation, pk=generation_id, owner=request.user)


def owned_version(request: HttpRequest, generation_id, number: int) -> Version:
    """The version if the request's user owns its generation; 404 for everyone else."""
    return get_object_or_404(
        Version.objects.select_related("generation", "parent"),
        generation_id=generation_id,
        generation__owner=request.user,
        number=number,
    )
