"""The search commands of the ``codeidx`` command line: ``search``, ``doctor``, and embedding.

- ``codeidx search QUERY``: ``query.search`` over the stores of the index
  (hybrid by default), with the same filters as ``codeidx/semanticSearch``.
- ``codeidx doctor [--repair]``: ``index.doctor`` checks (and repairs) the
  three stores against each other.
- ``sync_after_index``: what ``codeidx index`` does after the SQLite run:
  sync the full-text store, then embed what changed, with a progress bar,
  unless ``--no-embed``.  A model that cannot load is a note, not a failure:
  search then runs on BM25 and says so.

Same conventions as ``cli.commands``: results on stdout (text or
``--json``), progress and notes on stderr, ``CodeidxError`` for the user.
Main thread only.
"""

from __future__ import annotations

import dataclasses
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codeidx.cli.commands import EXIT_ERROR, EXIT_OK, Context
from codeidx.cli.progress import ProgressBar, StopOnInterrupt
from codeidx.config import SearchSettings
from codeidx.errors import CodeidxError
from codeidx.index import doctor
from codeidx.index.models import ModelHolder
from codeidx.index.search_sync import SyncReport, TextSync, VectorSync
from codeidx.query.search import SearchQuery, SearchResult, Weights, search
from codeidx.query.search_stores import SearchStores
from codeidx.query.status import open_index
from codeidx.store import db


def search_settings(ctx: Context) -> SearchSettings:
    """Environment settings, overridden by ``--model`` / ``--device`` when given."""
    settings = SearchSettings.parse(None, "environment")
    model = getattr(ctx.args, "model", None)
    device = getattr(ctx.args, "device", None)
    if model:
        settings = dataclasses.replace(settings, model=model)
    if device:
        settings = dataclasses.replace(settings, device=None if device == "auto" else device)
    return settings


def holder_for(settings: SearchSettings) -> ModelHolder | None:
    """The model of a command: it runs in the foreground, so batches use every core."""
    if not settings.embed:
        return None
    return ModelHolder(settings.model, settings.device, threads=os.cpu_count() or 1)


@dataclass(frozen=True, slots=True)
class EmbedSummary:
    """What ``codeidx index`` did to the search stores after the SQLite run."""

    text: SyncReport
    vectors: SyncReport | None
    notes: list[str]


def sync_after_index(ctx: Context, root: Path, index_dir: Path, embed: bool) -> EmbedSummary:
    """Full-text sync, then embedding with progress (see module doc)."""
    notes: list[str] = []
    settings = search_settings(ctx)
    conn = db.connect_reader(index_dir / db.DB_NAME)
    try:
        text = TextSync(root, index_dir)
        text_report = text.sync(conn)
        notes.extend(text.notes)
        vectors_report: SyncReport | None = None
        models = holder_for(settings) if embed else None
        if models is not None:
            vectors_report = _embed(ctx, conn, root, index_dir, models, notes)
        elif not embed:
            notes.append("embedding skipped (--no-embed); `codeidx search` uses BM25 until then")
    finally:
        conn.close()
    return EmbedSummary(text_report, vectors_report, notes)


def _embed(
    ctx: Context,
    conn: sqlite3.Connection,
    root: Path,
    index_dir: Path,
    models: ModelHolder,
    notes: list[str],
) -> SyncReport | None:
    bar = ProgressBar(ctx.err, enabled=ctx.err.isatty())
    vectors = VectorSync(
        root, index_dir, lambda: models.get(wait=True), settings_key=models.settings_key
    )
    try:
        with StopOnInterrupt(ctx.err) as stop:
            report = vectors.sync(
                conn, stop.requested, lambda done, total: bar("embed", done, total)
            )
        notes.extend(vectors.notes)
        if report.stopped:
            notes.append("embedding interrupted; the next `codeidx index` goes on where it stopped")
        return report
    except CodeidxError as exc:
        notes.append(f"vector search unavailable: {exc}; search uses BM25")
        return None
    finally:
        bar.finish()
        vectors.close()
        models.close()


def cmd_search(ctx: Context) -> int:
    """``codeidx search QUERY``: hybrid (or --mode) search over definitions."""
    args = ctx.args
    root = ctx.root_for()
    index_dir = ctx.index_dir(root)
    settings = search_settings(ctx)
    mode = args.mode
    models = holder_for(settings) if mode != "fts" else None
    weights = Weights(
        settings.fts_weight, settings.vector_weight, settings.symbol_weight, settings.rrf_k
    )
    query = SearchQuery(
        args.query,
        args.limit,
        mode,
        tuple(args.language or ()),
        tuple(args.kind or ()),
        args.path,
    )
    query.check()
    conn = open_index(index_dir)
    stores = SearchStores(index_dir, models, weights)
    try:
        result = search(conn, stores.backends(conn), query)
    finally:
        stores.close()
        conn.close()
        if models is not None:
            models.close()
    ctx.emit(_search_json(result), lambda: render_search(result), None)
    for note in result.notes:
        print(f"codeidx: {note}", file=ctx.err)
    if result.coverage.partial:
        print(f"codeidx: note: the search stores lag ({result.coverage.reason})", file=ctx.err)
    return EXIT_OK


def _search_json(result: SearchResult) -> dict[str, Any]:
    return {
        "mode": result.mode,
        "results": [
            {
                "path": h.row.path,
                "range": [h.row.start_line, h.row.start_col, h.row.end_line, h.row.end_col],
                "selectionRange": [
                    h.row.name_line,
                    h.row.name_col,
                    h.row.name_line,
                    h.row.name_end_col,
                ],
                "name": h.row.name,
                "qualifiedName": h.row.qualified_name,
                "kind": h.row.kind,
                "language": h.row.language,
                "snippet": h.snippet,
                "score": h.score,
                "scores": h.scores,
            }
            for h in result.hits
        ],
        "coverage": dataclasses.asdict(result.coverage),
        "notes": result.notes,
    }


def render_search(result: SearchResult) -> list[str]:
    if not result.hits:
        return ["no results"]
    lines = []
    for i, hit in enumerate(result.hits, start=1):
        row = hit.row
        where = f"{row.path}:{row.name_line + 1}"
        lines.append(f"{i:>3}. {row.qualified_name}  ({row.kind}, {where})")
        lines.append(f"     {hit.snippet}")
    return lines


def cmd_doctor(ctx: Context) -> int:
    """``codeidx doctor [--repair]``: check the stores; 1 when a problem is left."""
    root = ctx.root_for()
    index_dir = ctx.index_dir(root)
    settings = search_settings(ctx)
    models = holder_for(settings)
    conn = open_index(index_dir)
    try:
        report = doctor.check(conn, index_dir, models)
        if ctx.args.repair and not report.ok:
            bar = ProgressBar(ctx.err, enabled=ctx.err.isatty())
            with StopOnInterrupt(ctx.err) as stop:
                try:
                    done = doctor.repair(
                        conn,
                        root,
                        index_dir,
                        models,
                        lambda d, t: bar("embed", d, t),
                        stop.requested,
                    )
                finally:
                    bar.finish()
            report = doctor.check(conn, index_dir, models)
            report.repairs = done
    finally:
        conn.close()
        if models is not None:
            models.close()
    ctx.emit(
        {
            "ok": report.ok,
            "stores": [dataclasses.asdict(s) for s in report.stores],
            "repairs": report.repairs,
        },
        lambda: render_doctor(report),
        None,
    )
    return EXIT_OK if report.ok else EXIT_ERROR


def render_doctor(report: doctor.DoctorReport) -> list[str]:
    lines = []
    for store in report.stores:
        state = "ok" if store.ok else "PROBLEM"
        line = f"{store.name:<8} {state:<8} {store.count:>8} entries"
        if store.lag:
            line += f", lag {store.lag} files ({store.stale} stale, {store.orphans} orphaned)"
        lines.append(line)
        if store.detail:
            lines.append(f"         {store.detail}")
        if store.problem:
            lines.append(f"         {store.problem}")
    for done in report.repairs:
        lines.append(f"repaired: {done}")
    if not report.ok and not report.repairs:
        lines.append("run `codeidx doctor --repair` to bring the stores in step with the index")
    return lines


def render_embed_summary(summary: EmbedSummary) -> list[str]:
    text = summary.text
    lines = [f"full text: {text.updated} files updated, {text.deleted} removed"]
    vec = summary.vectors
    if vec is not None:
        lines.append(
            f"vectors: {vec.updated} files embedded ({vec.embedded} chunks by the model,"
            f" {vec.cached} from the cache) in {vec.seconds:.1f} s"
        )
    lines.extend(f"note: {n}" for n in summary.notes)
    return lines


def render_stores(stores: list[doctor.StoreHealth]) -> list[str]:
    """The search stores' lines of ``codeidx status``."""
    lines = ["search stores:"]
    labels = {"text": "full text", "vectors": "vectors"}
    for store in stores:
        what = "documents" if store.name == "text" else "chunks"
        line = f"  {labels.get(store.name, store.name)}: {store.count} {what}"
        if store.detail:
            line += f" ({store.detail})"
        if store.lag:
            line += f"; lag {store.lag} files ({store.stale} stale, {store.orphans} orphaned)"
        else:
            line += "; in step with the index"
        lines.append(line)
        if store.problem:
            lines.append(f"    {store.problem}")
    return lines
