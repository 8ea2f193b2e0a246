"""The attacker of tests/test_disclosure_attack.py: every figure a role read, as linear relations
over the true underlying cells (atoms), and for each suppressed cell its least and greatest
value in whole numbers. Written apart from rounds.lib.disclosure on purpose: it shares nothing
with the code it attacks but the solver."""

from __future__ import annotations

import random
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

import highspy
import numpy as np

Atom = Hashable


@dataclass
class Attacker:
    """`atoms`: the true size of every atom (used only to start from a feasible point and to say
    what was found); the attacker knows which atoms exist, not their sizes."""

    atoms: dict[Atom, int]
    equal: list[tuple[dict[Atom, float], float]] = field(default_factory=list)
    between: list[tuple[dict[Atom, float], float, float]] = field(default_factory=list)
    hidden: dict[str, frozenset[Atom]] = field(default_factory=dict)

    def count(self, atoms: Iterable[Atom], value: int) -> None:
        """A shown count: these atoms hold `value` people."""
        self.equal.append(({a: 1.0 for a in atoms}, float(value)))

    def share(self, part: Iterable[Atom], whole: Iterable[Atom], pct: float, half: float) -> None:
        """A shown percentage, rounded to +-`half`: (pct - half) * whole <= 100 * part <= ..."""
        coefs: dict[Atom, float] = {}
        for a in whole:
            coefs[a] = coefs.get(a, 0.0) - (pct - half)
        for a in part:
            coefs[a] = coefs.get(a, 0.0) + 100.0
        self.between.append((coefs, 0.0, highspy.kHighsInf))
        coefs = {}
        for a in whole:
            coefs[a] = coefs.get(a, 0.0) - (pct + half)
        for a in part:
            coefs[a] = coefs.get(a, 0.0) + 100.0
        self.between.append((coefs, -highspy.kHighsInf, 0.0))

    def suppressed(self, name: str, atoms: Iterable[Atom]) -> None:
        cell = frozenset(atoms)
        if cell:  # over no atom: no such person can exist, there is nothing to recover
            self.hidden[name] = cell

    def recovered(self) -> dict[str, int]:
        """Every suppressed cell whose least and greatest feasible values are equal."""
        order = sorted(self.atoms, key=repr)
        index = {a: i for i, a in enumerate(order)}
        truth = {name: sum(self.atoms[a] for a in cell) for name, cell in self.hidden.items()}
        h = self._model(order, index)
        open_ = sorted(self.hidden)
        rng = random.Random(1)
        for _ in range(6):  # random directions free many cells at once
            if not open_:
                break
            x = self._run(h, order, index, {n: rng.choice((-1.0, 1.0)) for n in open_})
            open_ = [n for n in open_ if x is None or self._at(x, index, n) == truth[n]]
        found = {}
        for name in open_:
            low = self._run(h, order, index, {name: -1.0})
            high = self._run(h, order, index, {name: 1.0})
            assert low is not None and high is not None, "the true data must be feasible"
            if self._at(low, index, name) == self._at(high, index, name):
                found[name] = truth[name]
        return found

    def _at(self, x: np.ndarray, index: dict[Atom, int], name: str) -> int:
        return round(float(sum(x[index[a]] for a in self.hidden[name])))

    def _model(self, order: list[Atom], index: dict[Atom, int]) -> highspy.Highs:
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", 0.0)
        n = len(order)
        ceiling = float(max(1000, 10 * sum(self.atoms.values())))
        h.addVars(n, np.zeros(n), np.full(n, ceiling))
        h.changeColsIntegrality(
            n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger)
        )
        rows = [(c, v, v) for c, v in self.equal] + list(self.between)
        for coefs, low, high in rows:
            if coefs:
                idx = np.array([index[a] for a in coefs], dtype=np.int32)
                h.addRow(low, high, len(idx), idx, np.array(list(coefs.values())))
        return h

    def _run(
        self, h: highspy.Highs, order: list[Atom], index: dict[Atom, int], signs: dict[str, float]
    ) -> np.ndarray | None:
        cost = np.zeros(len(order))
        for name, sign in signs.items():
            for a in self.hidden[name]:
                cost[index[a]] -= sign
        h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return np.array(h.getSolution().col_value)
