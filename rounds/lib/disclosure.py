"""Disclosure control: which figures about people may be shown, decided once for all pages.

Every aggregate about people (URiM splits, advancement rates, survey answers, participation)
is a *figure*: a count of the people in some set of *atoms*. An atom is a class of people that
no published figure tells apart, e.g. (program, years in training, events, URiM group). The
atoms' true sizes are known here; the reader of a page knows only the figures shown to them,
that every atom holds a whole, non-negative number of people, and the *relations* the structure
implies (e.g. every question of a survey was answered by each respondent once).

`release_decide` chooses which figures of one canonical table (everything any page or export
shows about one attribute) are hidden:

1. **Primary suppression, cell by cell.** A protected figure of 1 to k-1 people is hidden (k
   the minimum cell size), and so is a protected 0 in a group of fewer than 2k: "Not URiM 0"
   in a fellowship of 6 says every fellow is URiM or did not answer (a full count is the same
   statement about the other cells, which are then zeros).
2. **Partitions.** Where parts of a shown whole are hidden, more parts hide (smallest first)
   until the hidden ones are at least two and together at least the minimum size; otherwise the
   whole partition, whole included, hides (as `hidden_cells` below does for one split).
3. **Audit.** The shown figures are then read as the attacker reads them: a system of linear
   equations over the atoms, in whole numbers. Every hidden figure must be free to take at least
   two values; one that is pinned (by subtraction across tables, margins, years, or pages) makes
   the shown protected figure that shares the most with it, smallest first, hide too; repeat.

The decision depends only on the figures and atoms, so the same counts always give the same
hidden set, and every page and export that reads one `Release` shows the same safe subset.

The audit of a large table takes seconds to minutes, so it never runs inside a web request:
`release_checked` returns the decision cached for the table's exact counts (its *fingerprint*)
or, until a worker has made it, the *conservative* release (every protected figure hidden) and
queues the check once (a `disclosure_check` job, rounds/jobs/disclosure.py). A page therefore
shows either the checked figures or fewer, never figures nobody audited.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import random
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import highspy
import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from rounds.engine import stop

logger = logging.getLogger(__name__)

# Atoms and keys are any hashable values (tuples, in practice); Any keeps dicts of tuples usable.
Atom = Any
Key = Any


# A 0 in a group says every member is outside that cell (and a full count is the same statement
# about the other cells, which are then zeros). In a group of fewer than this many times the
# minimum cell size that names too few people to be safe, so such zeros are hidden too.
ZERO_FACTOR = 2


def min_cell_size() -> int:
    return int(settings.ROUNDS_MIN_CELL_SIZE)


@dataclass(frozen=True)
class Figure:
    """A count of the people in `atoms`. `protected`: it splits people by a protected attribute
    (identity, an answer, an event); a population size everyone can count anyway is not."""

    atoms: frozenset[Atom]
    protected: bool = True
    published: bool = True  # False: shown nowhere, but must not be derivable either
    derived: bool = False  # never printed itself: readable only as its whole minus the rest


@dataclass(frozen=True)
class Release:
    """What may be shown of a set of figures: `value(key)` is None when the figure is hidden."""

    values: Mapping[Key, int]
    hidden: frozenset[Key]
    # True while the audit for these counts has not run yet: every protected figure is hidden,
    # and pages say the figures appear once checked.
    pending: bool = False

    def value(self, key: Key) -> int | None:
        if key in self.hidden or key not in self.values:
            return None
        return self.values[key]

    def shown(self, key: Key) -> bool:
        return key in self.values and key not in self.hidden

    def share(self, part: Key, whole: Key, *, digits: int = 1) -> float | None:
        """`part` as a percentage of `whole`, only when both counts may be shown: a share is
        as telling as the count behind it."""
        count, of = self.value(part), self.value(whole)
        if count is None or not of:
            return None
        return round(100 * count / of, digits)


@dataclass
class Table:
    """The figures of one canonical table, built up by the selector that owns it."""

    atoms: dict[Atom, int] = field(default_factory=dict)
    figures: dict[Key, Figure] = field(default_factory=dict)
    partitions: list[tuple[Key, list[Key]]] = field(default_factory=list)
    margins: set[int] = field(default_factory=set)  # partitions whose whole hides first
    relations: list[dict[Atom, int]] = field(default_factory=list)

    def add(
        self,
        key: Key,
        atoms: Iterable[Atom],
        *,
        protected: bool = True,
        published: bool = True,
        derived: bool = False,
    ) -> None:
        self.figures[key] = Figure(frozenset(atoms), protected, published, derived)

    def partition(self, whole: Key, parts: Sequence[Key], *, margin: bool = False) -> None:
        """`parts` split `whole`. A `margin` (an institution row summing program rows) hides
        itself rather than more programs when its hidden parts would be too few."""
        if margin:
            self.margins.add(len(self.partitions))
        self.partitions.append((whole, list(parts)))

    def decide(self, *, min_size: int | None = None) -> Release:
        return release_decide(
            self.atoms,
            self.figures,
            partitions=self.partitions,
            relations=self.relations,
            margins=self.margins,
            min_size=min_size,
        )


def figure_values(atoms: Mapping[Atom, int], figures: Mapping[Key, Figure]) -> dict[Key, int]:
    return {key: sum(atoms.get(a, 0) for a in f.atoms) for key, f in figures.items()}


def release_decide(
    atoms: Mapping[Atom, int],
    figures: Mapping[Key, Figure],
    *,
    partitions: Sequence[tuple[Key, Sequence[Key]]] = (),
    relations: Sequence[Mapping[Atom, int]] = (),
    margins: Iterable[int] = (),
    min_size: int | None = None,
) -> Release:
    k = min_cell_size() if min_size is None else min_size
    margins = frozenset(margins)
    values = figure_values(atoms, figures)
    hidden = {key for key, f in figures.items() if f.protected and 0 < values[key] < k}
    hidden |= {key for key, f in figures.items() if not f.published}
    for whole, parts in partitions:
        if values[whole] < ZERO_FACTOR * k:
            # A zero over no atom at all is known to be zero already (no such people exist).
            hidden |= {
                p for p in parts if figures[p].protected and values[p] == 0 and figures[p].atoms
            }
    hidden = _close_partitions(values, hidden, partitions, k, margins)
    auditor = _Auditor(atoms, figures, values, relations)
    auditor.k = k
    while True:
        stop.check()  # a check run as a job ends within a round when its job is cancelled
        pinned = auditor.pinned(hidden)
        if not pinned:
            break
        extra: set[Key] = set()
        for key in pinned:
            more = _complement_for(key, figures, values, hidden | extra)
            if not more:
                auditor.free.add(key)  # nothing shown touches it: nothing more to hide
            extra |= more
        hidden |= extra
        hidden = _close_partitions(values, hidden, partitions, k, margins)
    return Release(values, frozenset(hidden))


def _close_partitions(
    values: Mapping[Key, int],
    hidden: set[Key],
    partitions: Sequence[tuple[Key, Sequence[Key]]],
    k: int,
    margins: frozenset[int] = frozenset(),
) -> set[Key]:
    hidden = set(hidden)
    changed = True
    while changed:
        changed = False
        for index, (whole, parts) in enumerate(partitions):
            margin = index in margins
            if whole in hidden:
                # A share needs its whole: the parts of a hidden group go with it (not the
                # programs of a hidden institution row: they are groups of their own).
                if not margin and set(parts) - hidden:
                    hidden |= set(parts)
                    changed = True
                continue
            hid = [p for p in parts if p in hidden]
            if not hid:
                continue
            if len(hid) >= 2 and sum(values[p] for p in hid) >= k:
                continue
            if margin:
                hidden.add(whole)
                changed = True
                continue
            # Smallest first, but zeros last: hiding a 0 protects nobody.
            shown = sorted(
                (p for p in parts if p not in hidden),
                key=lambda p: (values[p] == 0, values[p], repr(p)),
            )
            while shown and (len(hid) < 2 or sum(values[p] for p in hid) < k):
                hid.append(shown.pop(0))
            if len(hid) < 2 or sum(values[p] for p in hid) < k:
                hid = [*parts, whole]
            if set(hid) - hidden:
                hidden |= set(hid)
                changed = True
    return hidden


def _complement_for(
    pinned: Key, figures: Mapping[Key, Figure], values: Mapping[Key, int], hidden: set[Key]
) -> set[Key]:
    """The shown figure to hide with a pinned one: the protected one sharing the most atoms with
    it, smallest first; a population size only when no protected figure touches it."""
    atoms = figures[pinned].atoms
    for protected in (True, False):
        near = [
            key
            for key, f in figures.items()
            if key not in hidden and f.protected == protected and f.atoms & atoms
        ]
        if near:
            best = min(near, key=lambda c: (-len(figures[c].atoms & atoms), values[c], repr(c)))
            return {best}
    return set()


class _Auditor:
    """Integer bounds on hidden figures given the shown ones, with HiGHS.

    A hidden figure is free once some whole-number solution gives it another value than the
    true one. The LP relaxation is solved first: its optimum equal to the true value in both
    directions pins the figure (the integer range lies inside), an integral optimum elsewhere
    frees it, and only a fractional one needs the mixed-integer solve."""

    def __init__(
        self,
        atoms: Mapping[Atom, int],
        figures: Mapping[Key, Figure],
        values: Mapping[Key, int],
        relations: Sequence[Mapping[Atom, int]],
    ) -> None:
        used: set[Atom] = set(atoms)
        for f in figures.values():
            used |= f.atoms
        self.order = sorted(used, key=repr)
        self.index = {a: i for i, a in enumerate(self.order)}
        self.truth = np.array([atoms.get(a, 0) for a in self.order], dtype=float)
        self.columns = {
            key: np.array(sorted(self.index[a] for a in f.atoms), dtype=np.int64)
            for key, f in figures.items()
        }
        self.figures = figures
        self.values = values
        self.relations = relations
        self.free: set[Key] = set()  # hidden figures proven to take two values (stays true)
        self.rng = random.Random(0)
        self.k = min_cell_size()

    def pinned(self, hidden: set[Key]) -> list[Key]:
        """The hidden figures the shown ones determine."""
        # A figure over no atom counts nobody by construction (no such people can exist).
        # Only protected figures are secrets; a population size hidden with its row is not.
        todo = sorted(
            (
                h
                for h in hidden
                if h not in self.free
                and len(self.columns[h])
                and self.figures[h].protected
                # An unpublished group matters only if it is small: working out a group of
                # nobody, or of at least the minimum, identifies no one.
                and (self.figures[h].published or 0 < self.values[h] < self.k)
            ),
            key=repr,
        )
        # A complement never printed that counts exactly the people of a printed figure tells
        # nothing new when pinned (the URiM trainees without an award, when nobody had one).
        shown_sets = {
            f.atoms for key, f in self.figures.items() if key not in hidden and not f.derived
        }
        todo = [
            h for h in todo if not (self.figures[h].derived and self.figures[h].atoms in shown_sets)
        ]
        if not todo:
            return []
        model = self._model(hidden)
        # Random directions over the figures still to prove: one solution frees many at once.
        # Stop when a direction frees none; the rest are tried one by one.
        while todo:
            x = self._solve(model, {h: self.rng.choice((-1.0, 1.0)) for h in todo})
            left = [h for h in todo if x is None or not self._frees(x, h)]
            if len(left) == len(todo):
                break
            todo = left
        pinned = []
        for h in todo:
            if not any(
                (x := self._solve(model, {h: sign})) is not None and self._frees(x, h)
                for sign in (1.0, -1.0)
            ):
                pinned.append(h)
        return pinned

    def _frees(self, x: np.ndarray, key: Key) -> bool:
        if round(float(x[self.columns[key]].sum())) == self.values[key]:
            return False
        self.free.add(key)
        return True

    def _model(self, hidden: set[Key]) -> highspy.Highs:
        n = len(self.order)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("threads", 1)
        # A bound far above any true count keeps every maximum finite without pinning anything.
        ceiling = float(max(1000, 10 * self.truth.sum()))
        h.addVars(n, np.zeros(n), np.full(n, ceiling))
        rows: list[tuple[np.ndarray, np.ndarray, float]] = []
        for key in self.figures:
            if key not in hidden and len(self.columns[key]):
                idx = self.columns[key]
                rows.append((idx, np.ones(len(idx)), float(self.values[key])))
        for relation in self.relations:
            idx = np.array([self.index[a] for a in relation], dtype=np.int64)
            rows.append((idx, np.array([float(c) for c in relation.values()]), 0.0))
        for idx, coefs, rhs in rows:
            h.addRow(rhs, rhs, len(idx), idx.astype(np.int32), coefs)
        return h

    def _solve(self, model: highspy.Highs, signs: Mapping[Key, float]) -> np.ndarray | None:
        """A whole-number solution maximising sum(sign * figure), or None if none was found
        (then this direction proves nothing)."""
        cost = np.zeros(len(self.order))
        for key, sign in signs.items():
            cost[self.columns[key]] -= sign  # HiGHS minimises
        n = len(cost)
        model.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
        x = self._run(model)
        if x is None or np.allclose(x, np.round(x), atol=1e-6):
            return None if x is None else np.round(x)
        integer = np.full(n, highspy.HighsVarType.kInteger)
        model.changeColsIntegrality(n, np.arange(n, dtype=np.int32), integer)
        x = self._run(model)
        model.changeColsIntegrality(
            n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kContinuous)
        )
        return None if x is None else np.round(x)

    @staticmethod
    def _run(model: highspy.Highs) -> np.ndarray | None:
        model.run()
        if model.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return np.array(model.getSolution().col_value)


# -- checked once, in the background, shared by every process ------------------------------------
# A table is rebuilt from the database by its *builder*, a module-level function named
# "module:function" that takes JSON-able keyword arguments and returns the Table; the job that
# audits it in a worker calls the same builder, so both sides decide the same counts.

CHECK_KIND = "disclosure_check"
CACHE_SECONDS = 7 * 24 * 3600
# How long a view's "a check is queued" mark lasts: a second view within it queues nothing; after
# it (the job failed or was lost), the next view queues the check again.
QUEUED_MARK_SECONDS = 15 * 60


def table_build(builder: str, params: Mapping[str, Any]) -> Table:
    module, _, name = builder.partition(":")
    function: Callable[..., Table] = getattr(importlib.import_module(module), name)
    return function(**params)


def table_fingerprint(builder: str, params: Mapping[str, Any], atoms: Mapping[Atom, int]) -> str:
    """A digest of everything the decision depends on: which table (its builder and arguments),
    its exact counts, and the minimum cell size."""
    counts = sorted(atoms.items(), key=repr)
    raw = repr((builder, sorted(params.items()), counts, min_cell_size()))
    return hashlib.sha256(raw.encode()).hexdigest()


def release_checked(
    builder: str,
    params: Mapping[str, Any],
    *,
    atoms: Mapping[Atom, int] | None = None,
    build: Callable[[], Table] | None = None,
) -> Release:
    """The decided release of the table `builder(**params)` builds, never audited in the caller:
    the checked decision when one exists for these exact counts (a small table is checked at
    once), else the conservative release, with the check queued once.

    `atoms` (the table's counts, when the caller has them cheaper than the whole table) and
    `build` (the table from them) spare building the table when the decision is cached."""
    make = build or (lambda: table_build(builder, params))
    table = None
    if atoms is None:
        table = make()
        atoms = table.atoms
    fingerprint = table_fingerprint(builder, params, atoms)
    cached = cache.get(_cache_key(fingerprint))
    if cached is not None:
        return Release(*cached)
    table = table or make()
    hidden = _hidden_of_finished_check(fingerprint)
    if hidden is None and len(table.atoms) <= settings.ROUNDS_DISCLOSURE_INLINE_ATOMS:
        hidden = table.decide().hidden
    if hidden is None:
        _check_queue(builder, params, fingerprint)
        return release_conservative(table)
    return checked_store(fingerprint, table, hidden)


def release_conservative(table: Table) -> Release:
    """Every protected figure hidden: what may be shown before the audit has run. Only the sizes
    of populations (never a secret) remain."""
    values = figure_values(table.atoms, table.figures)
    hidden = {key for key, f in table.figures.items() if f.protected or not f.published}
    return Release(values, frozenset(hidden), pending=True)


def check_run(builder: str, params: Mapping[str, Any]) -> tuple[str, frozenset[Key]]:
    """Audit the table as it is now (the job's work) and store the decision for every process.
    Safe to run twice: the same counts give the same decision."""
    table = table_build(builder, params)
    fingerprint = table_fingerprint(builder, params, table.atoms)
    cached = cache.get(_cache_key(fingerprint))
    hidden = frozenset(cached[1]) if cached is not None else table.decide().hidden
    checked_store(fingerprint, table, hidden)
    return fingerprint, hidden


def checked_store(fingerprint: str, table: Table, hidden: frozenset[Key]) -> Release:
    release = Release(figure_values(table.atoms, table.figures), frozenset(hidden))
    cache.set(_cache_key(fingerprint), (dict(release.values), release.hidden), CACHE_SECONDS)
    return release


def _hidden_of_finished_check(fingerprint: str) -> frozenset[Key] | None:
    """The decision a check job stored in its result, for when the shared cache forgot it."""
    from rounds.jobs.models import Job

    done = (
        Job.objects.filter(
            kind=CHECK_KIND, status=Job.Status.SUCCEEDED, result__fingerprint=fingerprint
        )
        .order_by("-pk")
        .values_list("result", flat=True)
        .first()
    )
    return None if done is None else frozenset(hidden_decode(done["hidden"]))


def hidden_encode(hidden: Iterable[Key]) -> list[Any]:
    """Hidden keys (tuples of plain values) as JSON for a job's result."""
    return sorted((list(key) if isinstance(key, tuple) else key for key in hidden), key=repr)


def hidden_decode(stored: Iterable[Any]) -> set[Key]:
    return {tuple(key) if isinstance(key, list) else key for key in stored}


def _cache_key(fingerprint: str) -> str:
    return f"disclosure:checked:{fingerprint}"


def _check_queue(builder: str, params: Mapping[str, Any], fingerprint: str) -> None:
    """Queue the audit of these counts unless it already is: the shared cache's atomic add lets
    one of many simultaneous views through, and the job table catches a view of another process
    with its own local cache."""
    if not cache.add(f"disclosure:queued:{fingerprint}", 1, QUEUED_MARK_SECONDS):
        return
    from rounds.jobs.models import Job
    from rounds.jobs.services import job_start

    waiting = Job.objects.filter(
        kind=CHECK_KIND,
        status__in=(Job.Status.QUEUED, Job.Status.RUNNING),
        params__fingerprint=fingerprint,
    )
    if waiting.exists():
        return
    with transaction.atomic():
        job_start(
            kind=CHECK_KIND,
            title="Privacy check of published figures",
            started_by=None,
            params={"builder": builder, "params": dict(params), "fingerprint": fingerprint},
        )
    logger.info("disclosure check queued for %s %s", builder, fingerprint[:12])


# -- one partition on its own ----------------------------------------------------------------------
# For a single split of one group that no other figure overlaps (mentoring participation), the
# partition rule alone is enough and needs no solver.

K = TypeVar("K", bound=Hashable)


def hidden_cells(
    counts: Mapping[K, int], *, min_size: int | None = None, total_shown: bool = True
) -> set[K]:
    """The keys of `counts` (a partition of one group of people) that must not be shown.

    `counts[key]` is how many people a cell stands for (respondents, trainees); cells with 0
    people reveal nothing about anyone and are never hidden on their own account. When every
    key comes back, the caller hides the group's total as well.
    """
    k = min_cell_size() if min_size is None else min_size
    total = sum(counts.values())
    if total < k:
        return set(counts)
    hidden = {key for key, n in counts.items() if 0 < n < k}
    if not hidden or not total_shown:
        return hidden
    shown_smallest_first = sorted(
        (key for key, n in counts.items() if key not in hidden and n > 0), key=lambda c: counts[c]
    )
    # The hidden cells' sum is recoverable from the total; it must itself be a safe group, and
    # a single hidden cell is recoverable exactly, so at least two must hide together.
    while shown_smallest_first and (sum(counts[key] for key in hidden) < k or len(hidden) < 2):
        hidden.add(shown_smallest_first.pop(0))
    if sum(counts[key] for key in hidden) < k:
        return set(counts)
    return hidden


def group_is_shown(count: int, *, min_size: int | None = None) -> bool:
    """One group on its own (no total beside it): shown when it is large enough."""
    return count >= (min_cell_size() if min_size is None else min_size)
