"""Run an SDK's async stream on a private event loop, and read it as a plain iterator.

Why: in async code, cancelling the task that consumes a stream closes the connection at
once, whatever the stream is doing (the sync clients only notice between reads). And the
reader gets a tick while nothing arrives, so it can check for cancellation, stalls and the
wall clock even when the model is silent.
"""

import asyncio
import contextlib
import queue
import threading
from collections.abc import AsyncIterator, Callable

from orchestrator.providers.base import TICK, StreamChunk

_END = object()


class AsyncStream:
    def __init__(
        self, produce: Callable[[], AsyncIterator[StreamChunk]], tick_seconds: float = 0.25
    ) -> None:
        self._produce = produce
        self._tick = tick_seconds
        self._items: queue.Queue = queue.Queue()
        self._loop = asyncio.new_event_loop()
        self._task: asyncio.Task | None = None
        self._ready = threading.Event()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="model-stream", daemon=True)
        self._thread.start()
        self._ready.wait()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._task = self._loop.create_task(self._pump())
        self._ready.set()
        try:
            self._loop.run_until_complete(self._task)
        except asyncio.CancelledError:
            pass
        finally:
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()

    async def _pump(self) -> None:
        try:
            async for chunk in self._produce():
                self._items.put(chunk)
        except asyncio.CancelledError:
            raise
        except BaseException as error:  # handed to the reader, raised in its thread
            self._items.put(error)
        finally:
            self._items.put(_END)

    def __iter__(self) -> "AsyncStream":
        return self

    def __next__(self) -> StreamChunk:
        if self._closed:
            raise StopIteration
        try:
            item = self._items.get(timeout=self._tick)
        except queue.Empty:
            return TICK
        if item is _END:
            self._closed = True
            raise StopIteration
        if isinstance(item, BaseException):
            self._closed = True
            raise item
        return item

    def close(self) -> None:
        """Cancel the stream's task (closing its connection) and wait for the thread."""
        self._closed = True
        if self._thread.is_alive():
            with contextlib.suppress(RuntimeError):  # the loop finished meanwhile
                self._loop.call_soon_threadsafe(self._task.cancel)
            self._thread.join(timeout=5)
