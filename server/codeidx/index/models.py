"""The embedding model of one process, loaded once, on first need, off the event loop.

Loading a sentence-transformers model takes seconds and hundreds of MB, so
navigation never waits for it: the language server starts it on the
embedding thread once the index is current, and a search that arrives while
it loads is answered from BM25 with a note instead of waiting (``get(wait=
False)``).  The CLI simply waits.

The holder serialises calls into the model: the embedding thread and query
threads share one model (one copy in memory), and a query waits at most for
the batch being embedded.  A model that failed to load stays failed, with
its reason, until ``reset`` (a settings change).

Any thread may call any method.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from codeidx.errors import CodeidxError, EmbedderUnavailable

if TYPE_CHECKING:
    import numpy as np

    from codeidx.store.embedder import Embedder

log = logging.getLogger(__name__)


class SharedEmbedder:
    """An Embedder whose calls are serialised by the holder's lock."""

    def __init__(self, inner: Embedder, lock: threading.Lock) -> None:
        self._inner = inner
        self._lock = lock
        self.model_id = inner.model_id
        self.dim = inner.dim
        self.max_tokens = inner.max_tokens

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        with self._lock:
            return self._inner.count_tokens(texts)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return self._inner.encode(texts)

    def close(self) -> None:
        """The holder closes the model; users of a shared one do not."""


class ModelHolder:
    """One lazily loaded model (see module doc)."""

    def __init__(
        self,
        model: str,
        device: str | None = None,
        loader: Callable[[str, str | None], Embedder] | None = None,
        threads: int | None = None,
    ) -> None:
        self.model = model
        self.device = device
        #: Torch threads for batches; None leaves a core free (the server embeds
        #: in the background), a command in the foreground may use every core.
        self.threads = threads
        self._loader = loader
        self._lock = threading.Lock()  # guards the state below
        self._call_lock = threading.Lock()  # serialises calls into the model
        self._ready = threading.Event()
        self._loading = False
        self._embedder: Embedder | None = None
        self._shared: SharedEmbedder | None = None
        self._error: str | None = None

    @property
    def settings_key(self) -> str:
        """The settings that decide which model loads (``VectorSync``'s ``settings_key``)."""
        return f"{self.model}|{self.device or 'auto'}"

    @property
    def error(self) -> str | None:
        """Why the model is unavailable, once loading failed."""
        return self._error

    @property
    def loading(self) -> bool:
        return self._loading

    def get(self, wait: bool = True) -> SharedEmbedder:
        """The model; loads it (waiting) or, with ``wait=False``, raises while it loads.

        Raises EmbedderUnavailable when it cannot load, or (no wait) is still loading.
        """
        with self._lock:
            if self._shared is not None:
                return self._shared
            if self._error is not None:
                raise EmbedderUnavailable(self._error)
            start = not self._loading
            self._loading = True
        if start:
            if not wait:
                threading.Thread(target=self._load, name="codeidx-model", daemon=True).start()
            else:
                self._load()
        if not wait:
            raise EmbedderUnavailable("the embedding model is still loading")
        self._ready.wait()
        with self._lock:
            if self._shared is not None:
                return self._shared
            raise EmbedderUnavailable(self._error or "the embedding model failed to load")

    def _load(self) -> None:
        try:
            loader = self._loader
            if loader is None:
                from codeidx.store.embedder import load_embedder

                loader = _call_loader(load_embedder, self.threads)
            embedder = loader(self.model, self.device)
        except CodeidxError as exc:
            error: str | None = str(exc)
            embedder = None
        except Exception as exc:  # an unexpected library failure must not kill a thread silently
            log.exception("loading the embedding model %s failed", self.model)
            kind = type(exc).__name__
            error = f"the embedding model {self.model!r} failed to load: {kind}: {exc}"
            embedder = None
        else:
            error = None
        with self._lock:
            self._embedder = embedder
            self._shared = SharedEmbedder(embedder, self._call_lock) if embedder else None
            self._error = error
            self._loading = False
        if error is not None:
            log.warning("vector search is unavailable: %s", error)
        self._ready.set()

    def close(self) -> None:
        """Release the model (its process or memory); later calls reload it."""
        with self._lock:
            embedder, self._embedder, self._shared = self._embedder, None, None
            self._error = None
            self._ready.clear()
        if embedder is not None:
            with self._call_lock:
                embedder.close()


def _call_loader(
    load: Callable[..., Embedder], threads: int | None
) -> Callable[[str, str | None], Embedder]:
    def call(model: str, device: str | None) -> Embedder:
        return load(model, device=device, threads=threads)

    return call
