"""What the dry run could not apply, and why: the repair round's input."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Failure:
    """Something the answer asked for that could not be applied, and why."""

    path: str | None
    reason: str
    # edit, claim (a new file that exists, a file written twice, a change already made),
    # provenance (a line that is not content the model wrote), wrong_path, missing, lazy,
    # refused, unnamed_code, cut_off, restated (said twice, in two forms that disagree),
    # withdrawn (a file only a withdrawn attempt of a restarted answer touched), mentioned
    # (prose that names files of the project but holds no operation)
    kind: str = "edit"
    block: int | None = None  # the block's number among the answer's blocks for this path
    search: str = ""  # the block's SEARCH text, quoted back in the repair request
    suggestion: str | None = None  # an existing file the model may have meant
