"""Best replies: local search from the master's rounding, one chain of rounds per worker."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from rounds.engine.roster.column_root import RootSearch
from rounds.engine.roster.decomposition import worked
from rounds.engine.roster.pricing import Pricer


@dataclass
class Replies:
    """What every reply is priced with: the cover duals [D, S], the noise's range and, per
    person, the price of each day's change between work and rest [D] (`weekend_split`; None for
    a person without a maximum of weekends)."""

    duals: np.ndarray
    noise: float
    switch: list[np.ndarray | None]


@dataclass
class Chain:
    """One run of best replies: its roster [n, D], that roster's cover [D, S], its own random
    draws and its own pricers (one per person); the best value it reached and when, the work
    its pricers did in the current round, and the schedules that round found (added to the
    master after the round, in the order of the chains)."""

    schedule: np.ndarray
    count: np.ndarray
    rng: np.random.Generator
    pricers: list[Pricer]
    best: float = math.inf
    since: float = 0.0
    spent: float = 0.0
    found: list[tuple[int, np.ndarray, float]] = field(default_factory=list)


class BestReplies(RootSearch):
    """Chains of best replies sharing the master and the best roster."""

    def best_replies(
        self,
        deadline: float,
        patience: float | None = None,
        near_patience: float | None = None,
        rounds: int | None = None,
    ) -> None:
        """Local search from the master's rounding: each person in turn takes their best schedule
        against everyone else's, priced by the master's duals blended with what the cover really
        gains or loses (`reply_blend`), plus a little noise (`reply_noise`); round after round
        until the deadline, until `patience` seconds pass without a better roster
        (`near_patience` while its cover is within a gap of the settled master's), or until the
        best roster's cover is level with the master's (`same_gaps`): the wishes left are the
        neighbourhood search's to mend. The duals keep the replies near the master's optimum,
        where a roster of its value lies when the bound is tight; the true marginal cost makes
        each reply fill the gaps the others leave; the noise lets a person move to an equally
        good schedule, which frees a shift for the next person to take (without it the replies
        stop where no single person gains); a weekend worked on one day costs a little
        (`weekend_split`). Each worker runs its own chain of rounds from the same start with its
        own draws, and the best roster of any is kept; a chain more than level behind it
        continues from it (`rejoin_every`). When a short limit ended the root inside the
        warm-up, no master was solved: the replies start from the best roster (the greedy one)
        at the warm-up's last prices, and so do replies after a master still far from its bound
        (`trusted`). Every reply is a column of the master too. `rounds` caps each chain's
        rounds (a budget that does not depend on the machine's speed, for tests)."""
        duals = self.duals
        start = self.chosen() if len(self.master.values) else self.best
        if duals is None or start is None:
            return  # neither the warm-up nor the master got to prices
        knobs = self.settings
        split = np.where(self.dec.weekend_second, knobs.weekend_split * self.gap_weight, 0.0)
        switch = [split if rules.weekends_max >= 0 else None for rules in self.dec.people]
        replies = Replies(duals, knobs.reply_noise * self.gap_weight, switch)
        chains = [
            Chain(start.copy(), self.cover_of(start), np.random.default_rng(seed), pricers)
            for seed, pricers in zip(
                self.rng.integers(2**32, size=self.workers), self._chain_pricers(), strict=True
            )
        ]
        near_patience = patience if near_patience is None else near_patience
        for chain in chains:
            chain.since = self.now()
        active = chains
        for done in itertools.count(1):
            if self.now() >= deadline or (rounds is not None and done > rounds):
                return
            active = [c for c in active if self._goes_on(c, patience, near_patience)]
            if not active:
                return
            # The chains' rounds run at once; what they found is taken in chain order after.
            list(self.pool.map(lambda chain: self._reply_round(chain, replies, deadline), active))
            self.charge()
            for chain in active:
                self._after_round(chain, done)

    def _goes_on(self, chain: Chain, patience: float | None, near_patience: float | None) -> bool:
        """A chain stops once the best roster's cover is level with the master's, or after
        `patience` (`near_patience` within a gap of it) without a better roster of its own."""
        gaps = self.gaps_from_master()
        if gaps is not None and gaps < self.settings.same_gaps:
            return False  # level with the master's cover
        near = gaps is not None and gaps < 1 + self.settings.same_gaps
        waited = near_patience if near else patience
        return waited is None or self.now() - chain.since <= waited

    def _after_round(self, chain: Chain, done: int) -> None:
        """The round's schedules become columns, a better roster is offered, and every
        `rejoin_every` rounds a chain well behind the best continues from it."""
        for p, shifts, cost in chain.found:
            self.master.add(p, shifts, cost)
        chain.found.clear()
        value = self.cost(chain.schedule)
        if value < chain.best - 1e-9:
            chain.best, chain.since = value, self.now()
            self.offer(chain.schedule)
        if done % self.settings.rejoin_every == 0:
            chain.best = min(chain.best, self.rejoin(chain, value))
        self.reply_rounds += 1

    def _chain_pricers(self) -> list[list[Pricer]]:
        """A set of pricers per worker: a pricer's work buffers are its own, so two chains
        must not price one person with the same pricer at once. Built the first time."""
        while len(self.reply_pricers) < self.workers - 1:
            self.reply_pricers.append(
                [Pricer(self.dec, rules, self.settings) for rules in self.dec.people]
            )
        return [self.pricers, *self.reply_pricers]

    def gaps_from_master(self) -> float | None:
        """How many gaps (the largest under-cover weight) the best roster's cover is behind the
        settled root master's; None before both exist."""
        best = self.best
        if self.cover_target is None or best is None:
            return None
        return (self.cover_cost_of(best) - self.cover_target) / max(self.gap_weight, 1e-9)

    def _level(self) -> float:
        """Costs closer than this are level (`same_gaps`)."""
        return max(self.settings.same_gaps * self.gap_weight, 1e-9)

    def rejoin(self, chain: Chain, value: float) -> float:
        """A chain whose roster (of this value) is more than level behind the best roster
        found continues from that one (`rejoin_every`, `same_gaps`); the value it continues from."""
        behind = self._level()
        if self.best is None or self.best_cost is None:
            return value
        if self.best_cost > value - behind:
            return value
        chain.schedule[:] = self.best
        chain.count[:] = self.cover_of(chain.schedule)
        return self.best_cost

    def _reply_round(self, chain: Chain, replies: Replies, deadline: float) -> None:
        """Every person in random order replies to the others (the chain's schedule and cover
        change in place; the schedules found wait in `chain.found`). Runs in a pricing thread:
        the deadline is read as the clock at the round's start plus this chain's own work, so
        a work clock stops it at the same person whatever the other chain does."""
        dec = self.dec
        blend = self.settings.reply_blend
        schedule, count = chain.schedule, chain.count
        chain.spent = 0.0
        for p in chain.rng.permutation(self.n):
            if self._chain_now(chain) >= deadline:
                return  # a year's round of replies is long: stop mid-round
            count[worked(schedule[p])] -= 1
            marginal = np.where(count < dec.required, dec.under, -dec.over)
            prices = (blend * replies.duals + marginal) / (blend + 1)
            prices += replies.noise * chain.rng.random(prices.shape)
            pricer = chain.pricers[p]
            before = pricer.work
            found = pricer.price(prices, self.fixed[p], self.banned[p], replies.switch[p])
            chain.spent += pricer.work - before
            if found is not None and not np.array_equal(found[1], schedule[p]):
                schedule[p] = found[1]
                chain.found.append((int(p), found[1], found[0]))
            count[worked(schedule[p])] += 1

    def _chain_now(self, chain: Chain) -> float:
        if self.clock.deterministic:  # nobody charges the clock while the chains run
            return self.clock.now() + self.clock.pace * chain.spent
        return self.clock.now()
