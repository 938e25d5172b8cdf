"""Keyword arguments: what the ``name`` of ``f(name=…)`` names.

The callee is resolved as the call it is: ``self.run`` in the enclosing
class, ``mod.f`` in its module, a method of an unknown receiver by a guess
(whose confidence the answer keeps).  A callable answers when it declares a
parameter of that name; a class answers through its constructors
(``hooks.constructor_names``, inherited ones too) and, when none declares
the name, through a member of that name (a dataclass's field).  Nothing
answers for a callee that is a local or an expression (``handlers[k](x=1)``),
nor for a name only ``**kwargs`` takes.

An object literal's key passed to a call (TypeScript's options objects)
names a member of a parameter's type instead (``option_targets``).

Functions of a Resolver (``Resolver.argument`` and ``Resolver.resolve``
with the role ``option`` are the entry points); they keep nothing and never
write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from codeidx.index.targets import CALLABLE, CLASS_LIKE, ArgumentTarget, Target, dedupe
from codeidx.parse import registry
from codeidx.parse.hooks import LanguageHooks
from codeidx.store.symbols import FileFacts

if TYPE_CHECKING:
    from codeidx.index.resolve import Resolver


def argument_targets(
    resolver: Resolver, facts: FileFacts, name: str, callee: str, enclosing: int
) -> list[ArgumentTarget]:
    """What the keyword argument ``name`` of a call of ``callee`` names (see module doc)."""
    out: list[ArgumentTarget] = []
    for target in _callees(resolver, facts, callee, enclosing):
        if target.kind in CALLABLE:
            if name in resolver.parameter_names(target.node_id):
                out.append(ArgumentTarget(target, True))
        elif target.kind in CLASS_LIKE:
            out.extend(_constructed(resolver, target, name, facts))
    return out


def option_targets(
    resolver: Resolver, facts: FileFacts, name: str, callee: str, enclosing: int
) -> list[Target]:
    """The members the key ``name`` of an object literal passed to ``callee`` sets.

    ``connect(url, { timeoutMS: 10 })`` and ``new Client({ timeoutMS: 10 })``
    pass an options object: the callee is resolved as the call it is (a
    class through its constructors), and the members ``name`` of its
    parameters' annotated types answer, as sure as the less sure of the
    callee and the member.  Which argument the literal is, is not known:
    every parameter's type is asked.
    """
    hooks: LanguageHooks = registry.hooks(facts.language).HOOKS
    out: list[Target] = []
    for target in _callees(resolver, facts, callee, enclosing):
        callables = [target] if target.kind in CALLABLE else []
        if target.kind in CLASS_LIKE:
            for constructor in hooks.constructor_names:
                callables.extend(
                    _weakest(c, target)
                    for c in resolver.members(target.node_id, constructor, facts)
                    if c.kind in CALLABLE
                )
        for c in callables:
            out.extend(_weakest(m, c) for m in resolver.parameter_members(c.node_id, name))
    return dedupe(out)


def _callees(resolver: Resolver, facts: FileFacts, callee: str, enclosing: int) -> list[Target]:
    """What a call of ``callee`` (``self.run``, ``mod.f``) calls, as linking resolves it."""
    sep = registry.LANGUAGES[facts.language].separator
    receiver, _, called = callee.rpartition(sep)
    if not called.isidentifier():
        return []
    found = resolver.resolve(facts, called, receiver, enclosing, "call")
    return found if isinstance(found, list) else []


def _constructed(
    resolver: Resolver, cls: Target, name: str, facts: FileFacts
) -> list[ArgumentTarget]:
    """What a keyword argument of a call of the class ``cls`` names (see module doc)."""
    hooks: LanguageHooks = registry.hooks(facts.language).HOOKS
    out: list[ArgumentTarget] = []
    for constructor in hooks.constructor_names:
        for found in resolver.members(cls.node_id, constructor, facts):
            if found.kind in CALLABLE and name in resolver.parameter_names(found.node_id):
                out.append(ArgumentTarget(_weakest(found, cls), True))
    if out:
        return out
    return [
        ArgumentTarget(_weakest(found, cls), False)
        for found in resolver.members(cls.node_id, name, facts)
        if found.kind not in CALLABLE and found.kind not in CLASS_LIKE
    ]


def _weakest(found: Target, through: Target) -> Target:
    """``found`` reached through ``through``: as sure as the less sure of the two."""
    confidence = min(found.confidence, through.confidence)
    resolution = "by_name" if "by_name" in (found.resolution, through.resolution) else "exact"
    return Target(found.node_id, found.kind, confidence, resolution, found.file_id)


def keyword_parameters(params: list[tuple[str, bool]]) -> frozenset[str]:
    """The parameters of (name, variadic) that a keyword argument can name.

    Not ``*args`` nor ``**kw``, nor those before a ``/`` (positional only).
    """
    names = [name for name, _variadic in params]
    if "/" in names:
        params = params[names.index("/") + 1 :]
    return frozenset(name for name, variadic in params if name.isidentifier() and not variadic)
