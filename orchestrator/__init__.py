"""Iterum's pipeline as plain Python: files, a prompt and a provider in; a result out.

Nothing here imports Django; the web app passes an `emit` callback for progress.

Where things are: flows.py (generate, iterate), calls.py (a model call with retries, stalls
and logging), repair.py (the repair loop), prompts.py (the texts), edit_format.py and its
helpers (reading answers), merge.py (applying them), paths.py (the path policy),
laziness.py, context.py, intent.py, stages.py, providers/.
"""

from orchestrator.errors import Cancelled, PipelineError
from orchestrator.flows import generate, iterate
from orchestrator.results import PipelineResult, ProjectBrief
from orchestrator.stages import STAGES, ProgressEvent, Reporter

__all__ = [
    "STAGES",
    "Cancelled",
    "PipelineError",
    "PipelineResult",
    "ProgressEvent",
    "ProjectBrief",
    "Reporter",
    "generate",
    "iterate",
]
