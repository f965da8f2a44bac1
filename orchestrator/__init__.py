"""Iterum's pipeline as plain Python: files, a prompt and a provider in; a result out.

Nothing here imports Django; the web app passes an `emit` callback for progress.
"""

from orchestrator.errors import Cancelled, PipelineError
from orchestrator.pipeline import PipelineResult, ProjectBrief, generate, iterate
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
