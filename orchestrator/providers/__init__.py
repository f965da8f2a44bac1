"""Model providers: one small streaming interface, several implementations."""

from orchestrator.providers.base import ModelProvider, ModelRequest, StreamChunk, Usage

__all__ = ["ModelProvider", "ModelRequest", "StreamChunk", "Usage"]
