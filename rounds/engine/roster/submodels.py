"""Neighbourhood models cut out of the whole model, so a small neighbourhood is a small model."""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from rounds.engine.roster.model import RosterModel


@dataclass
class SubModel:
    model: cp_model.CpModel
    variables: list[tuple[int, int]]  # (whole-model index, sub-model index) it may change
    before: float  # the incumbent's objective over those variables


class SubModels:
    """Neighbourhood models cut from the whole model. Every constraint is read once into flat
    arrays (its kind, its literals, a linear constraint's coefficients and bounds), with the
    constraints using each variable: reading the model's own objects again for every cut made
    cutting the main cost of a round. A neighbourhood's model holds the free
    assignment variables, every helper variable linked to them (work days, weekends, penalty
    counts, fairness totals, ...) and every constraint on those; the other assignment variables
    it mentions are fixed to the incumbent. Constraints left out touch only unchanged
    variables, so the incumbent still satisfies them."""

    def __init__(self, rm: RosterModel, whole_fraction: float) -> None:
        proto = rm.model.proto
        self.proto = proto
        self.whole_fraction = whole_fraction
        n_vars = len(proto.variables)
        self.x_index = {key: var.index for key, var in rm.x.items()}
        self.is_x = bytearray(n_vars)
        for index in self.x_index.values():
            self.is_x[index] = 1
        self.table = ConstraintTable(proto)
        self.usable = self.table.complete
        self.objective = dict(zip(proto.objective.vars, proto.objective.coeffs, strict=True))
        self.by_cell: dict[tuple[int, int], list[int]] = {}
        for (p, d, _s), index in self.x_index.items():
            self.by_cell.setdefault((p, d), []).append(index)

    def build(self, values: list[int], free: set[tuple[int, int]]) -> SubModel | None:
        """The neighbourhood's model, or None when it holds most of the whole model anyway
        (copying it costs more than presolving the whole model with fixed domains)."""
        if not self.usable:
            return None
        table = self.table
        seeds = [v for cell in free for v in self.by_cell.get(cell, ())]
        inside = set(seeds)
        constraints: set[int] = set()
        frontier = list(seeds)
        limit = self.whole_fraction * table.size
        while frontier:
            v = frontier.pop()
            for ci in table.users(v):
                if ci in constraints:
                    continue
                constraints.add(ci)
                for u in table.variables(ci):
                    if u not in inside and not self.is_x[u]:
                        inside.add(u)
                        frontier.append(u)
            if len(constraints) > limit:
                return None
        variables = sorted(inside)
        model = cp_model.CpModel()
        sub = model.proto
        index: dict[int, int] = {}
        for v in variables:
            index[v] = len(sub.variables)
            sub.variables.add().copy_from(self.proto.variables[v])
        for ci in sorted(constraints):
            table.write(ci, sub.constraints.add(), index, inside, values, sub)
        before = 0.0
        for v, coeff in self.objective.items():
            if v in inside:
                sub.objective.vars.append(index[v])
                sub.objective.coeffs.append(coeff)
                before += coeff * values[v]
        sub.solution_hint.vars.extend(index[v] for v in variables)
        sub.solution_hint.values.extend(values[v] for v in variables)
        return SubModel(model, [(v, index[v]) for v in variables], before)


class ConstraintTable:
    """The model's constraints in flat arrays: kind, enforcement count, literals (a linear
    constraint's variables) with their coefficients, and the bounds of linear constraints; and
    for each variable the constraints that use it. Kinds other than clauses, at-most-one,
    exactly-one, linear and lin_max make it incomplete (whole-model neighbourhoods only)."""

    KINDS = ("bool_or", "bool_and", "at_most_one", "exactly_one", "linear", "lin_max")

    def __init__(self, proto: Any) -> None:
        self.proto = proto
        self.kind = array("b")
        self.enforced = array("i")
        self.start = array("q", [0])
        self.lits = array("q")
        self.coeffs = array("q")
        self.bounds: dict[int, list[int]] = {}
        self.complete = True
        for ci, c in enumerate(proto.constraints):
            if not self._read(ci, c):
                self.complete = False
                break
        self.size = len(self.kind)
        self._index_users(len(proto.variables))

    def _read(self, ci: int, c: Any) -> bool:
        enforcement = list(c.enforcement_literal)
        coeffs: list[int] = []
        if c.has_bool_or():
            kind, body = 0, list(c.bool_or.literals)
        elif c.has_bool_and():
            kind, body = 1, list(c.bool_and.literals)
        elif c.has_at_most_one():
            kind, body = 2, list(c.at_most_one.literals)
        elif c.has_exactly_one():
            kind, body = 3, list(c.exactly_one.literals)
        elif c.has_linear():
            kind, body, coeffs = 4, list(c.linear.vars), list(c.linear.coeffs)
            self.bounds[ci] = list(c.linear.domain)
        elif c.has_lin_max():  # rare (weekends worked): read again from the model when cut
            kind = 5
            body = list(c.lin_max.target.vars) + [v for e in c.lin_max.exprs for v in e.vars]
        else:
            return False
        self.kind.append(kind)
        self.enforced.append(len(enforcement))
        self.lits.extend(enforcement)
        self.lits.extend(body)
        self.coeffs.extend([0] * len(enforcement))
        self.coeffs.extend(coeffs or [0] * len(body))
        self.start.append(len(self.lits))
        return True

    def _index_users(self, n_vars: int) -> None:
        counts = array("q", bytes(8 * (n_vars + 1)))
        for ci in range(self.size):
            for v in self.variables(ci):
                counts[v + 1] += 1
        for v in range(n_vars):
            counts[v + 1] += counts[v]
        self.user_start = counts
        self.user_list = array("q", bytes(8 * counts[n_vars]))
        fill = array("q", counts)
        for ci in range(self.size):
            for v in self.variables(ci):
                self.user_list[fill[v]] = ci
                fill[v] += 1

    def users(self, v: int) -> array[int]:
        return self.user_list[self.user_start[v] : self.user_start[v + 1]]

    def variables(self, ci: int) -> set[int]:
        return {v if v >= 0 else -v - 1 for v in self.lits[self.start[ci] : self.start[ci + 1]]}

    def write(
        self,
        ci: int,
        new: Any,
        index: dict[int, int],
        inside: set[int],
        values: list[int],
        sub: Any,
    ) -> None:
        """Write constraint ci onto sub-model indices into the empty `new`; variables outside
        the neighbourhood are fixed to their values (in a linear constraint they become a
        constant moved into the bounds: coverage counts mention everyone)."""

        def var(v: int) -> int:
            if v not in index:
                index[v] = len(sub.variables)
                sub.variables.add().domain.extend([values[v], values[v]])
            return index[v]

        def lit(literal: int) -> int:
            return var(literal) if literal >= 0 else -var(-literal - 1) - 1

        first, end = self.start[ci], self.start[ci + 1]
        body = first + self.enforced[ci]
        if body > first:
            new.enforcement_literal.extend([lit(v) for v in self.lits[first:body]])
        kind = self.kind[ci]
        if kind < 4:
            field = getattr(new, self.KINDS[kind])
            field.literals.extend([lit(v) for v in self.lits[body:end]])
        elif kind == 4:
            constant = 0
            keep_v, keep_c = [], []
            for v, coeff in zip(self.lits[body:end], self.coeffs[body:end], strict=True):
                if v in inside:
                    keep_v.append(var(v))
                    keep_c.append(coeff)
                else:
                    constant += coeff * values[v]
            new.linear.vars.extend(keep_v)
            new.linear.coeffs.extend(keep_c)
            new.linear.domain.extend(
                [b if abs(b) >= 2**62 else b - constant for b in self.bounds[ci]]
            )
        else:
            c = self.proto.constraints[ci].lin_max
            for target, source in [
                (new.lin_max.target, c.target),
                *((new.lin_max.exprs.add(), e) for e in c.exprs),
            ]:
                target.vars.extend([var(v) for v in source.vars])
                target.coeffs.extend(source.coeffs)
                target.offset = source.offset
