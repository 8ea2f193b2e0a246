"""Best replies: local search from the master's rounding, one chain of rounds per worker."""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass

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
    draws and its own pricers (one per person)."""

    schedule: np.ndarray
    count: np.ndarray
    rng: np.random.Generator
    pricers: list[Pricer]


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
        list(
            self.pool.map(
                lambda chain: self._reply(
                    chain, replies, deadline, patience, near_patience, rounds
                ),
                chains,
            )
        )

    def _chain_pricers(self) -> list[list[Pricer]]:
        """A set of pricers per worker: a pricer's work buffers are its own, so two chains
        must not price one person with the same pricer at once. Built the first time."""
        while len(self.reply_pricers) < self.workers - 1:
            self.reply_pricers.append(
                [Pricer(self.dec, rules, self.settings) for rules in self.dec.people]
            )
        return [self.pricers, *self.reply_pricers]

    def _reply(
        self,
        chain: Chain,
        replies: Replies,
        deadline: float,
        patience: float | None,
        near_patience: float | None,
        rounds: int | None = None,
    ) -> None:
        """One chain of reply rounds from its start until the deadline, `patience` seconds
        (`near_patience` within a gap of the master's cover) without a better roster, or a
        roster whose cover is level with the master's; each better roster is offered."""
        knobs = self.settings
        best, since = math.inf, time.monotonic()
        for done in itertools.count(1):
            if time.monotonic() >= deadline or (rounds is not None and done > rounds):
                return
            gaps = self.gaps_from_master()
            if gaps is not None and gaps < knobs.same_gaps:
                return  # level with the master's cover
            near = gaps is not None and gaps < 1 + knobs.same_gaps
            waited = near_patience if near else patience
            if waited is not None and time.monotonic() - since > waited:
                return
            self._reply_round(chain, replies, deadline)
            value = self.cost(chain.schedule)
            if value < best - 1e-9:
                best, since = value, time.monotonic()
                with self.lock:
                    self.offer(chain.schedule)
            if done % knobs.rejoin_every == 0:
                best = min(best, self.rejoin(chain, value))
            with self.lock:
                self.reply_rounds += 1

    def gaps_from_master(self) -> float | None:
        """How many gaps (the largest under-cover weight) the best roster's cover is behind the
        settled root master's; None before both exist."""
        with self.lock:
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
        with self.lock:
            if self.best is None or self.best_cost is None:
                return value
            if self.best_cost > value - behind:
                return value
            chain.schedule[:] = self.best
            joined = self.best_cost
        chain.count[:] = self.cover_of(chain.schedule)
        return joined

    def _reply_round(self, chain: Chain, replies: Replies, deadline: float) -> None:
        """Every person in random order replies to the others (the chain's schedule and cover
        change in place)."""
        dec = self.dec
        blend = self.settings.reply_blend
        schedule, count = chain.schedule, chain.count
        for p in chain.rng.permutation(self.n):
            if time.monotonic() >= deadline:
                return  # a year's round of replies is long: stop mid-round
            count[worked(schedule[p])] -= 1
            marginal = np.where(count < dec.required, dec.under, -dec.over)
            prices = (blend * replies.duals + marginal) / (blend + 1)
            prices += replies.noise * chain.rng.random(prices.shape)
            found = chain.pricers[p].price(prices, self.fixed[p], self.banned[p], replies.switch[p])
            if found is not None and not np.array_equal(found[1], schedule[p]):
                schedule[p] = found[1]
                with self.lock:
                    self.master.add(p, found[1], found[0])
            count[worked(schedule[p])] += 1
