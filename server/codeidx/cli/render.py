"""Human-readable output of every command, and the JSON form of any result.

Each ``render_*`` function turns one query result into lines of text for
stdout.  Positions are shown the way users type them (``path:line:col``,
1-based, columns in characters), converted from the query layer's 0-based
UTF-16 positions with the line text the result carries.  JSON output is the
result dataclass as is (0-based lines, UTF-16 columns, as LSP counts).
Pure formatting: no I/O besides reading line texts through ``SourceLines``.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from typing import Any

from codeidx.cli.position import char_column
from codeidx.index.pipeline import RunResult
from codeidx.query.implementation import ImplementationResult
from codeidx.query.types import (
    CallsResult,
    Coverage,
    DefinitionResult,
    DependencyCycle,
    DepsSummary,
    FileDeps,
    Location,
    ReferencesResult,
    SourceLines,
    StatusReport,
    Symbol,
    SymbolsResult,
)
from codeidx.store.stats import SessionRow


def to_json(result: Any) -> str:
    """One JSON document for a result dataclass (or plain data)."""
    is_instance = dataclasses.is_dataclass(result) and not isinstance(result, type)
    data = dataclasses.asdict(result) if is_instance else result
    return json.dumps(data, indent=2, ensure_ascii=False)


def coverage_note(coverage: Coverage) -> str | None:
    """A one-line warning when an answer comes from a partial index."""
    if not coverage.partial:
        return None
    return f"note: the index is partial ({coverage.reason}); answers may be incomplete"


def where(path: str, line: int, col: int, text: str) -> str:
    """``path:line:col`` as users type it."""
    return f"{path}:{line + 1}:{char_column(text, col)}"


def symbol_where(symbol: Symbol, source: SourceLines) -> str:
    return where(symbol.path, symbol.line, symbol.col, source.line(symbol.path, symbol.line))


def _trust(confidence: float, resolution: str) -> str:
    if resolution == "exact" and confidence >= 1.0:
        return ""
    if resolution == "local":
        return ""
    return f"  [{resolution.replace('_', ' ')}, confidence {confidence:.2f}]"


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


# index ----------------------------------------------------------------------


def render_index(result: RunResult, root: str, index_dir: str, elapsed: float) -> list[str]:
    """The summary printed after ``codeidx index``."""
    c = result.counts
    lines = [f"indexed {root}: {result.status} in {elapsed:.2f} s"]
    lines.append(
        f"  files: {c.files_parsed} parsed, {c.files_restored} restored,"
        f" {c.files_unchanged} unchanged, {c.files_skipped} skipped,"
        f" {c.files_deleted} deleted ({c.files_seen} seen)"
    )
    if c.reasons:
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(c.reasons.items()))
        lines.append(f"  reasons: {reasons}")
    for path, reason in result.skipped_examples[:10]:
        lines.append(f"    skipped {path} ({reason})")
    if result.status == "interrupted":
        lines.append("  the index is partial: run `codeidx index` again to finish it")
    else:
        lines.append(f"  index: {c.nodes} nodes, {c.edges} edges")
    lines.append(f"  index folder: {index_dir}")
    return lines


def index_line(result: RunResult, elapsed: float) -> str:
    """The single stderr line that replaces the progress bar off a terminal."""
    c = result.counts
    return (
        f"codeidx: {result.status}: {c.files_parsed} parsed, {c.files_unchanged} unchanged,"
        f" {c.files_skipped} skipped, {c.files_deleted} deleted in {elapsed:.2f} s"
    )


# def / refs -------------------------------------------------------------------


def _location(loc: Location, label: str) -> str:
    trust = _trust(loc.confidence, loc.resolution)
    return f"{where(loc.path, loc.line, loc.col, loc.text)}: {label}{trust}"


def render_definition(result: DefinitionResult, spec: str) -> list[str]:
    if result.name is None:
        return [f"no identifier at {spec}"]
    if not result.definitions:
        return [f"no definition found for `{result.name}`"]
    lines: list[str] = []
    for d in result.definitions:
        if d.parameter_of is not None:
            label = f"parameter {result.name} of {d.parameter_of.qualified_name}"
        elif d.symbol is None:
            label = f"local variable {result.name}"
        else:
            label = f"{d.symbol.kind} {d.symbol.qualified_name}"
        lines.append(_location(d.location, label))
        lines.append(f"    {d.location.text.strip()}")
    return lines


def render_references(result: ReferencesResult, spec: str) -> list[str]:
    if result.name is None:
        return [f"no identifier at {spec}"]
    lines = [
        f"{where(r.path, r.line, r.col, r.text)}: {r.role:<10} {r.text.strip()}"
        f"{_trust(r.confidence, r.resolution)}"
        for r in result.references
    ]
    files = len({r.path for r in result.references})
    if result.local and result.symbols:
        what = f"parameter {result.name} of {result.symbols[0].qualified_name}"
    elif result.local:
        what = f"local variable {result.name}"
    elif result.symbols:
        what = ", ".join(s.qualified_name for s in result.symbols)
    else:
        lines.append(f"no definition found for `{result.name}`")
        return lines
    lines.append(
        f"{_plural(len(result.references), 'reference')} to {what} in {_plural(files, 'file')}"
    )
    return lines


# impl -----------------------------------------------------------------------


def render_implementations(result: ImplementationResult, spec: str) -> list[str]:
    if result.name is None:
        return [f"no identifier at {spec}"]
    if not result.symbols:
        if result.guesses_left_out:
            return [
                f"`{result.name}` resolves only to guesses among"
                f" {result.guesses_left_out} unrelated definitions; --guesses follows them"
            ]
        return [f"`{result.name}` is not a type or method with a definition in the workspace"]
    lines: list[str] = []
    for item in result.implementations:
        step = "implements" if item.relation == "structural" else item.relation
        label = f"{item.symbol.kind} {item.symbol.qualified_name} ({step} {item.of.qualified_name})"
        lines.append(_location(item.location, label))
        lines.append(f"    {item.location.text.strip()}")
    what = ", ".join(s.qualified_name for s in result.symbols)
    lines.append(f"{_plural(len(result.implementations), 'implementation')} of {what}")
    return lines


# callers / callees ---------------------------------------------------------


def calls_document(result: CallsResult) -> dict[str, Any]:
    """A callers or callees answer as ``--json`` prints it: ``dataclasses.asdict``'s shape.

    ``asdict`` itself cannot walk a group's calls (a ``CallList``, whose
    records are made when read), so the groups are spelled out here.
    """
    return {
        "name": result.name,
        "incoming": result.incoming,
        "groups": [
            {
                "symbol": dataclasses.asdict(group.symbol),
                "calls": [dataclasses.asdict(call) for call in group.calls],
                "recursion": None
                if group.recursion is None
                else dataclasses.asdict(group.recursion),
                "recursion_complete": group.recursion_complete,
            }
            for group in result.groups
        ],
        "coverage": dataclasses.asdict(result.coverage),
    }


def render_calls(result: CallsResult, source: SourceLines) -> list[str]:
    direction = "callers" if result.incoming else "callees"
    if not result.groups:
        return [f"no function or class named `{result.name}` in the index"]
    lines: list[str] = []
    for group in result.groups:
        s = group.symbol
        head = f"{direction} of {s.qualified_name} ({s.kind}, {symbol_where(s, source)})"
        r = group.recursion
        if r is not None:
            cycle = " → ".join(x.qualified_name for x in r.cycle)
            head += f"\n  recursive ({r.kind}): {cycle}"
            if r.confidence < 1.0:
                head += f"  [lowest confidence {r.confidence:.2f}]"
        elif not group.recursion_complete:
            head += "\n  recursion: unknown (the call graph is larger than the search bound)"
        lines.append(head)
        if not group.calls:
            lines.append(f"  no {direction} in the index")
        for call in group.calls:
            o = call.symbol
            verb = "calls" if call.kind == "calls" else "instantiates"
            lines.append(
                f"  {o.qualified_name} ({o.kind}, {symbol_where(o, source)})"
                f"  {verb} ×{call.count}{_trust(call.confidence, call.resolution)}"
            )
            for site in call.sites:
                lines.append(
                    f"      {where(site.path, site.line, site.col, site.text)}  {site.text.strip()}"
                )
        total = sum(c.count for c in group.calls)
        lines.append(
            f"  {_plural(len(group.calls), direction[:-1])}, {_plural(total, 'call site')}"
        )
    return lines


# deps -------------------------------------------------------------------------


def render_cycles(cycles: list[DependencyCycle]) -> list[str]:
    if not cycles:
        return ["no circular dependencies"]
    lines = [f"{_plural(len(cycles), 'circular dependency', 'circular dependencies')}:"]
    for c in cycles:
        lines.append(f"  {' → '.join(c.path)}  ({_plural(len(c.members), 'file')} in the cycle)")
        if len(c.members) > len(c.path) - 1:
            lines.append(f"      all members: {', '.join(c.members)}")
    return lines


def render_deps_summary(summary: DepsSummary, cycles: bool) -> list[str]:
    lines = [
        f"{_plural(summary.files, 'file')} indexed, {summary.importing_files} with imports",
        f"imports resolved inside the workspace: {summary.internal}",
        f"imports of external or unresolved modules: {summary.external}",
    ]
    if summary.most_imported:
        lines.append("most imported files:")
        lines.extend(f"  {p}  ({_plural(n, 'importer')})" for p, n in summary.most_imported)
    if summary.most_used_external:
        lines.append("most used external modules:")
        lines.extend(f"  {m}  ({_plural(n, 'file')})" for m, n in summary.most_used_external)
    if cycles:
        lines.extend(render_cycles(summary.cycles))
    else:
        n = len(summary.cycles)
        lines.append(f"circular dependencies: {n}" + (" (see --cycles)" if n else ""))
    return lines


def render_file_deps(deps: FileDeps, cycles: bool) -> list[str]:
    lines = [f"{deps.path} imports:"]
    if not deps.imports:
        lines.append("  nothing")
    for imp in deps.imports:
        target = imp.target if imp.target is not None else "(external or unresolved)"
        lines.append(f"  {imp.line + 1}: {imp.text.strip()}  → {target}")
    lines.append(f"{deps.path} is imported by:")
    if not deps.importers:
        lines.append("  no file in the workspace")
    for importer in deps.importers:
        lines.append(f"  {importer.path}:{importer.line + 1}: {importer.text.strip()}")
    if cycles:
        lines.extend(render_cycles(deps.cycles))
    return lines


# status -----------------------------------------------------------------------


def _when(ts: float | None) -> str:
    if ts is None:
        return "-"
    return datetime.datetime.fromtimestamp(ts).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def _counts(values: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in values.items()) or "none"


def _session(label: str, s: SessionRow) -> list[str]:
    lines = [
        f"{label}: #{s.session_id} {s.status} ({s.mode}), started {_when(s.started_at)},"
        f" ended {_when(s.ended_at)}",
        f"  files: {s.files_parsed} parsed, {s.files_restored} restored,"
        f" {s.files_unchanged} unchanged, {s.files_skipped} skipped, {s.files_failed} failed,"
        f" {s.files_deleted} deleted ({s.files_seen} seen); {s.nodes} nodes, {s.edges} edges",
    ]
    if s.reasons:
        lines.append(f"  reasons: {_counts(dict(sorted(s.reasons.items())))}")
    if s.git_commit:
        branch = f" on {s.git_branch}" if s.git_branch else ""
        lines.append(f"  git: {s.git_commit[:12]}{branch} by {s.git_author or 'unknown'}")
    if s.error:
        lines.append(f"  error: {s.error}")
    if s.status == "running":
        lines.append(
            "  (still running, or its process was killed: the next `codeidx index` closes it)"
        )
    return lines


def render_status(report: StatusReport) -> list[str]:
    lines = [
        f"workspace: {report.root}",
        f"index: {report.index_dir} (schema {report.schema_version})",
        f"database: {_bytes(report.database_bytes)} + {_bytes(report.wal_bytes)} write-ahead log",
        f"files: {report.files} ({report.lines} lines): {_counts(report.files_by_language)}",
        f"nodes by kind: {_counts(report.nodes_by_kind)}",
        f"nodes by language: {_counts(report.nodes_by_language)}",
        f"edges by kind: {_counts(report.edges_by_kind)}",
        f"edges by language: {_counts(report.edges_by_language)}",
    ]
    if report.files_with_syntax_errors:
        lines.append(f"files with syntax errors: {report.files_with_syntax_errors}")
    if report.last_session is None:
        lines.append("last run: none")
    else:
        lines.extend(_session("last run", report.last_session))
        complete = report.last_complete_session
        if complete is not None and complete.session_id != report.last_session.session_id:
            lines.append(f"last complete run: #{complete.session_id}, {_when(complete.ended_at)}")
    if report.stale_counts:
        lines.append(f"stale files: {_counts(report.stale_counts)} (run `codeidx index` to update)")
        for s in report.stale[:20]:
            lines.append(f"  {s.reason:<9} {s.path}")
        if sum(report.stale_counts.values()) > 20:
            lines.append("  …")
    else:
        scope = "" if report.new_files_scanned else " (new files not checked)"
        lines.append(f"stale files: none{scope}")
    lines.append(f"unlinked files: {report.unlinked_count}")
    for path in report.unlinked[:20]:
        lines.append(f"  {path}")
    note = coverage_note(report.coverage)
    if note:
        lines.append(note)
    return lines


def _bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


# symbols ------------------------------------------------------------------------


def render_symbols(result: SymbolsResult, source: SourceLines) -> list[str]:
    if not result.matches:
        return ["no matching symbols"]
    rows = [
        (m.symbol.name, m.symbol.kind, symbol_where(m.symbol, source), m.symbol.qualified_name)
        for m in result.matches
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return [
        f"{name:<{widths[0]}}  {kind:<{widths[1]}}  {loc:<{widths[2]}}  {qual}"
        for name, kind, loc, qual in rows
    ]
