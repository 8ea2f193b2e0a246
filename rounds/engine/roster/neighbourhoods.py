"""Large-neighbourhood search: free part of the schedule, fix the rest, re-solve what is left.

First a sweep re-solving each person's schedule once (after a rough column roster), then the week
sweep (the same weekdays of every week), then neighbourhoods of people, of days, of blocks (some
people over some days) and of the people who may fill a gap, drawn at random; each kind grows
while its sub-solves end quickly and shrinks while they do not. Cut out of the whole model as
small models (`submodels.py`) unless they hold most of it."""

from __future__ import annotations

from typing import Any

from ortools.sat.python import cp_model

from rounds.engine.roster.cpsat import make_solver, run
from rounds.engine.roster.incumbent import Incumbent


class Neighbourhoods(Incumbent):
    """The neighbourhood search over the incumbent."""

    def lns(self, sweep: bool = True) -> None:
        proto = self.rm.model.proto
        x_items = list(self.rm.x.items())
        # Small neighbourhoods solve to optimality in a fraction of a second and improve a lot;
        # they grow while that stays true.
        knobs = self.settings
        n_people = len(self.rm.problem.people)
        sizes = {
            "people": knobs.people_size / n_people,
            "days": knobs.days_size,
            "block": knobs.block_size,
        }
        if any(pen.short is not None for pen in self.rm.penalties):
            sizes["short"] = knobs.short_size / n_people
        total = self.deadline - self.started
        left = self.remaining() / knobs.sub_solve_parts
        sub_limit = min(knobs.sub_solve_max, max(knobs.sub_solve_min, left))
        stall = 0
        if sweep and self.max_lp:  # pure rostering; trainees' call schedules start close
            self.person_sweep(proto, x_items, knobs.person_sweep * total)
        if self.max_lp and self.rm.days >= knobs.week_sweep_from:
            self.week_sweep(proto, x_items)
        while self.remaining() > knobs.lns_margin and self.values is not None and not self.optimal:
            if self.proven():
                self.optimal = True
                break
            if stall >= knobs.stall_rounds and self.remaining() > knobs.restart_least:
                restart = max(knobs.restart_least, knobs.restart_share * total)
                self.full_from_incumbent(min(self.remaining(), restart))
                stall = 0
                continue
            kind = self.rng.choice(list(sizes))
            free = self.neighbourhood(kind, sizes[kind])
            before = self.objective
            status = self.sub_solve(proto, x_items, free, min(sub_limit, self.remaining()))
            self.lns_rounds += 1
            stall = 0 if (self.objective or 0) < (before or 0) else stall + 1
            if status == cp_model.OPTIMAL and len(free) == len(self.rm.work):
                self.optimal = True  # everything was free: a proof for the whole problem
            # Quick, conclusive sub-solves mean the neighbourhood is easy: make it bigger.
            if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
                sizes[kind] = min(1.0, sizes[kind] * knobs.grow)
            elif status == cp_model.UNKNOWN:
                sizes[kind] = max(knobs.smallest, sizes[kind] * knobs.shrink_unknown)
            else:  # improved but not finished: a little smaller, for more, quicker rounds
                sizes[kind] = max(knobs.smallest, sizes[kind] * knobs.shrink_improved)

    def person_sweep(
        self,
        proto: Any,
        x_items: list[tuple[tuple[int, int, int], cp_model.IntVar]],
        budget: float,
    ) -> None:
        """Each person's whole schedule re-solved once against everyone else's (in random
        order): small exact moves that repair a poor first schedule quickly."""
        until = self.clock.now() + budget
        people = list(range(len(self.rm.problem.people)))
        self.rng.shuffle(people)
        for p in people:
            if self.clock.now() > until or self.remaining() < self.settings.lns_margin:
                break
            free = {(p, d) for d in range(self.rm.days)}
            limit = min(self.settings.person_sweep_limit, self.remaining())
            self.sub_solve(proto, x_items, free, limit)
            self.lns_rounds += 1

    def week_sweep(
        self, proto: Any, x_items: list[tuple[tuple[int, int, int], cp_model.IntVar]]
    ) -> None:
        """`week_sweep_days` weekdays of every week re-solved for everyone, from each weekday in
        turn (the costliest first), until `week_sweep_idle` in a row gain nothing: work moves
        between like days of different weeks, as when one person gives up a weekend so that
        another can take a short one (a window of days around a short weekend cannot do that:
        the person who gives up must work a weekend elsewhere)."""
        knobs = self.settings
        people = range(len(self.rm.problem.people))
        idle = 0
        while True:
            cost = [0.0] * 7
            for day, paid in self.costly_days().items():
                cost[day % 7] += paid
            for weekday in sorted(range(7), key=lambda w: -cost[w]):
                if idle >= knobs.week_sweep_idle or self.remaining() < knobs.lns_margin:
                    return
                if self.proven():
                    return
                days = [d for d in range(self.rm.days) if (d - weekday) % 7 < knobs.week_sweep_days]
                free = {(p, d) for p in people for d in days}
                before = self.objective
                self.sub_solve(proto, x_items, free, min(knobs.week_sweep_limit, self.remaining()))
                self.lns_rounds += 1
                idle = 0 if (self.objective or 0) < (before or 0) else idle + 1

    def neighbourhood(self, kind: str, size: float) -> set[tuple[int, int]]:
        """The (person, day) cells left free."""
        n_people = len(self.rm.problem.people)
        days = self.rm.days
        people = list(range(n_people))
        if kind == "people":
            chosen = self.rng.sample(people, max(1, round(size * n_people)))
            return {(p, d) for p in chosen for d in range(days)}
        if kind == "short":
            chosen = self.short_handed(max(2, round(size * n_people)))
            return {(p, d) for p in chosen for d in range(days)}
        width = max(2, round(size * days))
        first = self.rng.randrange(0, max(1, days - width + 1))
        bad = self.costly_days()
        if bad and self.rng.random() < self.settings.aim:
            # Aim at a day where the schedule pays the most (weighted by cost).
            day = self.rng.choices(list(bad), weights=list(bad.values()))[0]
            first = min(max(0, day - self.rng.randrange(width)), max(0, days - width))
        window = range(first, min(days, first + width))
        if kind == "days":
            return {(p, d) for p in people for d in window}
        chosen = self.rng.sample(
            people, max(2, min(n_people, round(size * n_people * self.settings.block_people)))
        )
        return {(p, d) for p in chosen for d in window}

    def short_handed(self, count: int) -> list[int]:
        """People who may work a shift the schedule lacks (a gap chosen by what it costs). Freed
        for the whole horizon, as taking the shift moves their other shifts too."""
        assert self.values is not None
        gaps = [
            (pen.day, pen.short, pen.weight * self.values[pen.var.index])
            for pen in self.rm.penalties
            if pen.short is not None and self.values[pen.var.index]
        ]
        people = list(range(len(self.rm.problem.people)))
        if not gaps:
            return self.rng.sample(people, min(count, len(people)))
        day, shift, _w = self.rng.choices(gaps, weights=[g[2] for g in gaps])[0]
        able = [p for p in people if (p, day, shift) in self.rm.x] or people
        return self.rng.sample(able, min(count, len(able)))

    def costly_days(self) -> dict[int, int]:
        assert self.values is not None
        cost: dict[int, int] = {}
        for pen in self.rm.penalties:
            if pen.day is not None and self.values[pen.var.index]:
                cost[pen.day] = cost.get(pen.day, 0) + pen.weight * self.values[pen.var.index]
        return cost

    def sub_solve(
        self,
        proto: Any,
        x_items: list[tuple[tuple[int, int, int], cp_model.IntVar]],
        free: set[tuple[int, int]],
        limit: float,
    ) -> int:
        """Re-solve the free cells with every other assignment fixed, as a small model: only the
        constraints that can still change (those reaching a free cell through helper variables)
        are copied, so a few people do not re-presolve the whole model."""
        assert self.values is not None and self.objective is not None
        sub = self._submodels.build(self.values, free)
        if sub is None:
            return self.sub_solve_whole(proto, x_items, free, limit)
        # Without trainees the full linearization solves small neighbourhoods several times faster.
        seed = self.rng.randrange(1 << 30)
        solver = make_solver(limit, self.workers, seed, self.max_lp, clock=self.clock)
        status = run(solver, sub.model, self.clock)
        # Equal moves are taken too (the old search did): they let the search drift on plateaus.
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and (
            solver.objective_value <= sub.before + 1e-6
        ):
            if solver.objective_value < sub.before - 1e-6:
                self.lns_improvements += 1
            solution = solver.response_proto.solution
            values = list(self.values)
            for v, i in sub.variables:
                values[v] = solution[i]
            self.values = values
            self.objective = self.objective - sub.before + solver.objective_value
        return int(status)

    def sub_solve_whole(
        self,
        proto: Any,
        x_items: list[tuple[tuple[int, int, int], cp_model.IntVar]],
        free: set[tuple[int, int]],
        limit: float,
    ) -> int:
        """A large neighbourhood on the whole model: the other assignments fixed through their
        domains, restored afterwards."""
        assert self.values is not None and self.objective is not None
        values = self.values
        others = (
            (var.index, values[var.index], values[var.index])
            for (p, d, _s), var in x_items
            if (p, d) not in free
        )
        self.rm.model.clear_hints()
        hint = proto.solution_hint
        hint.vars.extend(range(len(values)))
        hint.values.extend(values)
        try:
            seed = self.rng.randrange(1 << 30)
            with self.narrowed(others):
                solver = make_solver(limit, self.workers, seed, self.max_lp, self.light, self.clock)
                status = run(solver, self.rm.model, self.clock)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                if solver.objective_value < self.objective:
                    self.lns_improvements += 1
                if solver.objective_value <= self.objective:
                    self.take(solver)
        finally:
            self.rm.model.clear_hints()
        return int(status)
