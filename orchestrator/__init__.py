"""Iterum's pipeline as plain Python: files, a prompt and a provider in; a result out.

Nothing here imports Django; whoever runs the pipeline implements one interface, the host
(host.py: events, cancel, the call log, forecasts, checks, the fact store).

Where things are: flows.py (generate, iterate), calls.py (a model call with retries, stalls
and logging), repair.py (the repair loop), verify.py (the checking stage and its fix
round), prompts.py (the texts), answers/ (reading answers, one reader per dialect), merge.py
(applying them), paths.py (the path policy), laziness.py, context.py, intent.py,
stages.py (every stage, the final ones and their messages), providers/.
"""

from orchestrator.errors import Cancelled, PipelineError
from orchestrator.flows import generate, iterate
from orchestrator.host import Host, LocalHost
from orchestrator.results import PipelineResult, ProjectBrief
from orchestrator.stages import STAGES, ProgressEvent, Reporter

__all__ = [
    "STAGES",
    "Cancelled",
    "Host",
    "LocalHost",
    "PipelineError",
    "PipelineResult",
    "ProgressEvent",
    "ProjectBrief",
    "Reporter",
    "generate",
    "iterate",
]
