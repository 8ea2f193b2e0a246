"""Column generation: a person's best schedule is exact, whole schedules combine into a roster
that the independent Curtois evaluator scores as the solver says, and only problems the
decomposition states exactly are taken."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math

import numpy as np
import pytest

from rounds.engine.clock import WorkClock
from rounds.engine.roster import columns, curtois, decomposition
from rounds.engine.roster.columns import ColumnSearch
from rounds.engine.roster.decomposition import NO_LIMIT, Decomposition, PersonRules
from rounds.engine.roster.pricing import Pricer
from rounds.engine.roster.problem import (
    Acgme,
    Coverage,
    Horizon,
    Person,
    Problem,
    Rule,
    Scope,
    ShiftType,
)
from rounds.engine.roster.settings import DEFAULT_SETTINGS
from rounds.engine.roster.solve import solve


def _random_person(
    rng: np.random.Generator, twins: bool = False
) -> tuple[Decomposition, PersonRules]:
    """A random person's rules. With `twins`, shift types 0 and 1 are alike but for their
    costs and maxima (the same length and successions, as a1, a2 and a3 on Curtois 13)."""
    days = int(rng.integers(4, 9))
    shifts = int(rng.integers(2 if twins else 1, 4))
    length = rng.integers(1, 4, size=shifts).astype(np.int64)
    may_follow = rng.random((shifts, shifts)) < 0.7
    if twins:
        length[1] = length[0]
        may_follow[1, :] = may_follow[0, :]
        may_follow[:, 1] = may_follow[:, 0]
    start = int(rng.integers(0, 7))  # day 0's weekday (0 = Monday)
    weekday = [(start + d) % 7 for d in range(days)]
    weekend_first = np.array([w == 5 or (w == 6 and d == 0) for d, w in enumerate(weekday)])
    weekend_second = np.array([w == 6 and d > 0 for d, w in enumerate(weekday)])
    dec = Decomposition(
        days,
        shifts,
        length,
        may_follow,
        weekend_first,
        weekend_second,
        np.zeros((days, shifts), np.int64),
        np.zeros((days, shifts)),
        np.zeros((days, shifts)),
    )
    allowed = rng.random((days, shifts)) < 0.85
    fixed = np.full(days, -1, np.int64)
    if rng.random() < 0.3:
        d = int(rng.integers(days))
        if allowed[d].any():
            fixed[d] = int(rng.choice(np.nonzero(allowed[d])[0]))
    longest = int(length.max()) * days
    minutes_min = int(rng.integers(0, longest // 2 + 1))
    rules = PersonRules(
        allowed=allowed,
        fixed=fixed,
        wish_cost=rng.integers(-20, 21, size=(days, shifts)).astype(float),
        constant=0.0,
        minutes_min=minutes_min,
        minutes_max=int(rng.integers(minutes_min, longest + 1)),
        run_min=int(rng.integers(0, 3)),
        run_max=int(rng.choice([0, 2, 3, 4])),
        off_min=int(rng.integers(0, 3)),
        weekends_max=int(rng.choice([-1, 0, 1])),
        type_max=rng.choice([1, 2, 3, NO_LIMIT], size=shifts).astype(np.int64),
    )
    return dec, rules


def _keeps_rules(dec: Decomposition, rules: PersonRules, row: tuple[int, ...]) -> bool:
    """The rules, read directly off one whole schedule (-1 = day off)."""
    days = len(row)
    worked = [s >= 0 for s in row]
    for d, s in enumerate(row):
        if s >= 0 and not rules.allowed[d, s]:
            return False
        if rules.fixed[d] >= 0 and s != rules.fixed[d]:
            return False
        if d and s >= 0 and row[d - 1] >= 0 and not dec.may_follow[row[d - 1], s]:
            return False
    minutes = sum(int(dec.length[s]) for s in row if s >= 0)
    if not rules.minutes_min <= minutes <= rules.minutes_max:
        return False
    for s in range(dec.shifts):
        if row.count(s) > rules.type_max[s]:
            return False
    for value, group in itertools.groupby(enumerate(worked), key=lambda x: x[1]):
        run = [d for d, _ in group]
        inside = run[0] > 0 and run[-1] < days - 1
        if value and rules.run_max and len(run) > rules.run_max:
            return False
        if value and inside and len(run) < rules.run_min:
            return False
        if not value and inside and len(run) < rules.off_min:
            return False
    weekends = sum(
        1
        for d in range(days)
        if worked[d] and (dec.weekend_first[d] or (dec.weekend_second[d] and not worked[d - 1]))
    )
    return rules.weekends_max < 0 or weekends <= rules.weekends_max


def _cheapest_of_every_schedule(
    dec: Decomposition, rules: PersonRules, cost: np.ndarray
) -> float | None:
    best = None
    for row in itertools.product(range(-1, dec.shifts), repeat=dec.days):
        if _keeps_rules(dec, rules, row):
            value = sum(cost[d, s] for d, s in enumerate(row) if s >= 0)
            best = value if best is None else min(best, value)
    return best


def _assert_one_of_the_cheapest(
    dec: Decomposition, rules: PersonRules, pricer: Pricer, duals: np.ndarray
) -> None:
    cost = rules.wish_cost - duals
    best = _cheapest_of_every_schedule(dec, rules, cost)
    found = pricer.price(duals)
    if best is None:
        assert found is None
        return
    assert found is not None
    shifts = found[1]
    assert _keeps_rules(dec, rules, tuple(int(s) for s in shifts))
    assert sum(cost[d, s] for d, s in enumerate(shifts) if s >= 0) == pytest.approx(best)


def test_a_persons_best_schedule_is_the_best_of_every_schedule() -> None:
    """Against every one of the (shifts + 1) ** days schedules of 150 random people with random
    rules, priced twice at different prices (the second time with the counts the first may
    have grown): the dynamic program finds one of the cheapest, or rightly none."""
    rng = np.random.default_rng(7)
    for _case in range(150):
        dec, rules = _random_person(rng)
        pricer = Pricer(dec, rules)
        for _time in range(2):
            duals = rng.integers(-10, 11, size=(dec.days, dec.shifts)).astype(float)
            _assert_one_of_the_cheapest(dec, rules, pricer, duals)


def test_shift_types_alike_but_for_their_cost_are_priced_as_one() -> None:
    """Shift types with the same length and successions are one group in the dynamic program,
    priced each day by the group's cheapest type. Against every schedule of 100 random people
    whose first two types are such twins: one of the cheapest schedules, or rightly none."""
    rng = np.random.default_rng(13)
    grouped = 0
    for _case in range(100):
        dec, rules = _random_person(rng, twins=True)
        pricer = Pricer(dec, rules)
        grouped += any({0, 1} <= set(members) for members in pricer.plain.groups.tolist())
        duals = rng.integers(-10, 11, size=(dec.days, dec.shifts)).astype(float)
        _assert_one_of_the_cheapest(dec, rules, pricer, duals)
    assert grouped == 100  # in every case the twins shared a group


def _switched_cost(cost: np.ndarray, switch: np.ndarray, row: tuple[int, ...]) -> float:
    """A schedule's cell costs plus the price of each change between work and rest."""
    changes = sum(switch[d] for d in range(1, len(row)) if (row[d] >= 0) != (row[d - 1] >= 0))
    return float(sum(cost[d, s] for d, s in enumerate(row) if s >= 0) + changes)


def test_a_price_on_changing_between_work_and_rest_steers_the_schedule_but_is_not_its_cost() -> (
    None
):
    """The replies' price on a one-day weekend (weekend_split) is a price on the change
    between work and rest into a day. Against every schedule of 100 random people with random
    such prices: the dynamic program finds one of the cheapest counting them, and the cost it
    returns is the schedule's wishes alone (a column's cost in the master)."""
    rng = np.random.default_rng(11)
    for _case in range(100):
        dec, rules = _random_person(rng)
        duals = rng.integers(-10, 11, size=(dec.days, dec.shifts)).astype(float)
        switch = np.where(rng.random(dec.days) < 0.5, rng.integers(1, 15, dec.days), 0.0)
        cost = rules.wish_cost - duals
        rows = itertools.product(range(-1, dec.shifts), repeat=dec.days)
        kept = [row for row in rows if _keeps_rules(dec, rules, row)]
        found = Pricer(dec, rules).price(duals, switch=switch)
        if not kept:
            assert found is None
            continue
        assert found is not None
        shifts = tuple(int(s) for s in found[1])
        assert _keeps_rules(dec, rules, shifts)
        best = min(_switched_cost(cost, switch, row) for row in kept)
        assert _switched_cost(cost, switch, shifts) == pytest.approx(best)
        assert found[0] == pytest.approx(decomposition.wishes(rules, found[1]))


def _tiny_problem(**changes: object) -> Problem:
    horizon = Horizon(dt.date(2026, 1, 5), 14, "UTC")
    people = tuple(Person(f"N{i}") for i in range(5))
    shifts = (ShiftType("D", "07:00", 480), ShiftType("N", "20:00", 720))
    fields: dict[str, object] = {
        "horizon": horizon,
        "people": people,
        "shifts": shifts,
        "coverage": (
            Coverage("D", None, required=2, weight_under=100, weight_over=1),
            Coverage("N", None, required=1, weight_under=100, weight_over=1),
        ),
        "rules": (
            Rule("runs", "consecutive_days", Scope(), hard_min=2, hard_max=4),
            Rule("rest", "consecutive_days_off", Scope(), hard_min=2),
            Rule("minutes", "minutes", Scope(), hard_max=80 * 60),
            Rule("nights", "shifts", Scope(), shift="N", hard_max=3),
        ),
        "acgme": Acgme(enabled=False),
    }
    fields.update(changes)
    return Problem(**fields)  # type: ignore[arg-type]


def test_only_problems_the_decomposition_states_exactly_are_taken() -> None:
    assert decomposition.unsupported(_tiny_problem()) is None
    trainees = tuple(Person(f"R{i}", pgy=2) for i in range(3))
    assert (
        decomposition.unsupported(_tiny_problem(people=trainees, acgme=Acgme())) == "ACGME trainees"
    )
    soft = (Rule("few", "weekends", Scope(), soft_max=1, max_weight=5),)
    assert decomposition.unsupported(_tiny_problem(rules=soft)) == "soft rules"
    hard_cover = (Coverage("D", None, min=1),)
    assert decomposition.unsupported(_tiny_problem(coverage=hard_cover)) == "hard cover"


def test_a_night_that_runs_into_the_next_day_cannot_be_followed_by_an_early_shift() -> None:
    """The 20:00-08:00 night overlaps the 07:00 day shift of the next day: the decomposition
    forbids that succession on its own, as the compact model does."""
    dec = decomposition.decompose(_tiny_problem())
    assert not dec.may_follow[1, 0]
    assert dec.may_follow[0, 1] and dec.may_follow[1, 1] and dec.may_follow[0, 0]


def test_the_solver_starts_from_columns_and_keeps_every_rule() -> None:
    problem = _tiny_problem()
    result = solve(problem, time_limit=0.5, workers=2, clock=WorkClock())
    assert result.has_schedule
    assert result.stats["columns"]["rounds"] > 0
    shifts = {s.id: s for s in problem.shifts}
    nights: dict[str, int] = {}
    for a in result.assignments:
        nights[a.person] = nights.get(a.person, 0) + (a.shift == "N")
    assert max(nights.values()) <= 3
    for person in problem.people:
        minutes = sum(shifts[a.shift].length for a in result.assignments if a.person == person.id)
        assert minutes <= 80 * 60
    assert result.best_bound is not None and result.best_bound <= result.objective


def test_column_search_scores_schedules_as_the_published_evaluator_does() -> None:
    instance = curtois.load("5")
    problem = curtois.to_problem(instance)
    search = ColumnSearch(problem)
    try:
        search.root(float("inf"))
        assert search.bound is not None
        assert search.bound <= curtois.BEST_KNOWN[5]
        search.dive(float("inf"))
    finally:
        search.close()
    assert search.best is not None and search.best_cost is not None
    objective, errors = curtois.evaluate(instance, _rows(problem, search.best))
    assert errors == []
    assert objective == search.best_cost


def _rows(problem: Problem, schedule: np.ndarray) -> list[dict[str, object]]:
    """A [person, day] shift-index schedule as the evaluator's assignment rows."""
    return [
        {"person": problem.people[p].id, "day": d, "shift": problem.shifts[s].id}
        for p, row in enumerate(schedule)
        for d, s in enumerate(row)
        if s >= 0
    ]


def test_best_replies_turn_the_masters_rounding_into_a_roster_that_keeps_every_rule() -> None:
    """Curtois 12 (best known 4040): each person's heaviest schedule in the settled master
    costs over 10 000 together; people replying in turn to everyone else bring it to less
    than half of that within fifteen rounds, and the published evaluator agrees with the cost."""
    instance = curtois.load("12")
    problem = curtois.to_problem(instance)
    search = ColumnSearch(problem)
    try:
        assert search.root(float("inf")) is not None
        rounding = search.cost(search.chosen())
        search.best, search.best_cost = None, None  # forget the greedy rosters
        search.best_replies(math.inf, rounds=15)
    finally:
        search.close()
    assert rounding > 10_000
    assert search.best is not None and search.best_cost is not None
    assert search.best_cost < 0.5 * rounding
    objective, errors = curtois.evaluate(instance, _rows(problem, search.best))
    assert errors == []
    assert objective == search.best_cost


@dataclasses.dataclass
class _Replied:
    cost: float  # the best roster's
    work: float  # the replies did (units of a work clock)
    gaps: float  # the best roster's cover behind the settled master's, in largest under weights
    rounds: int  # reply rounds, every chain's


BUDGET = 10_000  # reply rounds a chain may take: far more than any test needs


def _replies_from_settled_master(
    instance: str,
    noise: float,
    rounds: int = BUDGET,
    patience: float | None = None,
    near_patience: float | None = None,
) -> _Replied:
    """Best replies from a settled master's rounding, for at most `rounds` rounds a chain."""
    settings = dataclasses.replace(DEFAULT_SETTINGS, reply_noise=noise)
    clock = WorkClock()
    problem = curtois.to_problem(curtois.load(instance))
    search = ColumnSearch(problem, settings=settings, clock=clock)
    try:
        assert search.root(float("inf")) is not None
        search.best, search.best_cost = None, None  # forget the greedy rosters
        started = clock.now()
        search.best_replies(math.inf, patience, near_patience, rounds=rounds)
        taken = clock.now() - started
    finally:
        search.close()
    gaps = search.gaps_from_master()
    assert search.best_cost is not None and gaps is not None
    return _Replied(search.best_cost, taken, gaps, search.reply_rounds)


def test_noise_carries_best_replies_past_where_no_single_person_gains() -> None:
    """Curtois 12 from its settled master: without noise the replies soon reach a roster where
    nobody gains alone and stay there; with it a person also moves to a schedule as good as
    their own, freeing a shift for the next, and the same rounds end on a better roster."""
    still = _replies_from_settled_master("12", noise=0.0, rounds=30)
    noisy = _replies_from_settled_master("12", noise=DEFAULT_SETTINGS.reply_noise, rounds=30)
    assert noisy.cost < still.cost


def test_stalled_best_replies_hand_back_their_time() -> None:
    """Replies that find nothing better for `patience` (a unit of work here) return (the
    neighbourhood search gets the time) without a deadline, long before their budget of
    rounds."""
    replied = _replies_from_settled_master("12", noise=0.0, patience=1)
    assert replied.rounds < BUDGET


def test_best_replies_within_a_gap_of_the_masters_cover_are_more_patient() -> None:
    """Curtois 9: the replies stall 1.35 missing people from the settled master's cover, where
    one more person placed is worth more than the neighbourhood search makes in the time; with
    one unit of work of patience they return soon, with more near the master's cover they use
    it and end no worse."""
    hasty = _replies_from_settled_master("9", DEFAULT_SETTINGS.reply_noise, patience=1)
    assert DEFAULT_SETTINGS.same_gaps <= hasty.gaps < 1 + DEFAULT_SETTINGS.same_gaps
    assert hasty.rounds < BUDGET  # returned on its own
    patient = _replies_from_settled_master(
        "9", DEFAULT_SETTINGS.reply_noise, patience=1, near_patience=8
    )
    assert patient.rounds > hasty.rounds
    assert patient.cost <= hasty.cost


def test_best_replies_stop_once_the_cover_is_level_with_the_settled_masters() -> None:
    """Curtois 3: the settled master pays 1000 for cover and its rounding far more; the replies
    bring the cover within half a missing person of the master's and return then, long before
    their budget (the neighbourhood search is the better hand at the wishes left)."""
    search = ColumnSearch(curtois.to_problem(curtois.load("3")))
    try:
        assert search.root(float("inf")) is not None
        assert search.cover_target is not None
        search.round()
        assert search.best is not None
        rounded = search.cover_cost_of(search.best)
        search.best_replies(math.inf, rounds=BUDGET)
    finally:
        search.close()
    half_a_person = DEFAULT_SETTINGS.same_gaps * float(search.dec.under.max())
    assert rounded >= search.cover_target + half_a_person
    assert search.cover_cost_of(search.best) < search.cover_target + half_a_person
    assert search.reply_rounds < BUDGET  # returned on its own


def test_best_replies_after_one_master_round_keep_the_warm_up_prices() -> None:
    """Curtois 13 on a slow day: the root's time ends after one master round, whose exact
    pricing finds schedules thousands below it. Replies at those duals never beat the greedy
    roster (9772); at the warm-up's last prices, from the master's rounding, they halve it."""
    search = ColumnSearch(curtois.to_problem(curtois.load("13")))
    try:
        search.offer(search.greedy(list(range(search.n))))
        greedy = search.best_cost
        search.warm_up(float("inf"))
        warm = search.duals
        search.converge(math.inf, list(range(search.n)), bound=True, rounds=1)
        assert search.rounds == 1 and search.last_below is not None
        assert -search.last_below > DEFAULT_SETTINGS.trusted * 1348
        search.best_replies(math.inf, rounds=20)
    finally:
        search.close()
    assert search.duals is warm
    assert greedy is not None and search.best_cost is not None
    assert search.best_cost < 0.5 * greedy


def test_warm_up_gives_a_true_bound_and_a_master_that_settles_in_a_few_rounds() -> None:
    """Curtois 3 (optimum 1001): the Lagrangian steps bound the optimum from below, and with
    their schedules the master settles on 1001 in at most five rounds (fifteen without)."""
    search = ColumnSearch(curtois.to_problem(curtois.load("3")))
    try:
        search.warm_up(float("inf"))
        assert search.bound is not None and 0 < search.bound <= curtois.BEST_KNOWN[3]
        assert len(search.master.columns) > 3 * search.n  # several schedules per person
        value = search.root(float("inf"))
    finally:
        search.close()
    assert value == pytest.approx(1001)
    assert search.rounds <= 5


def test_best_replies_without_a_master_start_from_the_greedy_roster() -> None:
    """A short limit can end the root inside the warm-up (Curtois 13 at 10 s): no master was
    solved, so the replies start from the greedy roster at the warm-up's last prices, and
    still cut its cost by more than a third."""
    instance = curtois.load("12")
    problem = curtois.to_problem(instance)
    search = ColumnSearch(problem)
    try:
        search.offer(search.greedy(list(range(search.n))))
        greedy = search.best_cost
        search.warm_up(float("inf"), iterations=5)
        assert len(search.master.values) == 0  # the master was never solved
        search.best_replies(math.inf, rounds=10)
    finally:
        search.close()
    assert greedy is not None and search.best is not None and search.best_cost is not None
    assert search.best_cost < 2 / 3 * greedy
    objective, errors = curtois.evaluate(instance, _rows(problem, search.best))
    assert errors == []
    assert objective == search.best_cost


def test_a_chain_of_replies_well_behind_the_best_roster_continues_from_it() -> None:
    """Two greedy rosters of Curtois 1 in different orders: a chain on the worse one rejoins
    the better (its cover recounted) when it is behind by more than same_gaps of the largest
    under-cover weight, and keeps its own walk when it is behind by less; a chain on the best
    roster stays where it is."""
    search = ColumnSearch(curtois.to_problem(curtois.load("1")))
    try:
        first = search.greedy(list(range(search.n)))
        second = search.greedy(list(range(search.n))[::-1])
        better, worse = sorted((first, second), key=search.cost)
        gap = search.cost(worse) - search.cost(better)
        assert gap > 0
        search.offer(better)
        unit = float(search.dec.under.max())

        def chain(schedule: np.ndarray) -> columns.Chain:
            return columns.Chain(
                schedule.copy(), search.cover_of(schedule), np.random.default_rng(0), []
            )

        search.settings = dataclasses.replace(DEFAULT_SETTINGS, same_gaps=1.01 * gap / unit)
        near = chain(worse)
        assert search.rejoin(near, search.cost(worse)) == search.cost(worse)
        search.settings = dataclasses.replace(DEFAULT_SETTINGS, same_gaps=0.99 * gap / unit)
        behind, level = chain(worse), chain(better)
        assert search.rejoin(behind, search.cost(worse)) == search.cost(better)
        assert search.rejoin(level, search.cost(better)) == search.cost(better)
    finally:
        search.close()
    assert np.array_equal(near.schedule, worse)
    assert np.array_equal(behind.schedule, better)
    assert np.array_equal(behind.count, search.cover_of(better))
    assert np.array_equal(level.schedule, better)


def test_replies_after_a_root_that_grew_counts_keep_every_rule() -> None:
    """The root's early prices make pricers count shift types exactly (Curtois 8: 22 of 30
    people count their nights after the root, one their lates too); a pricer prices without
    its counts first and counts only when that breaks a maximum, and every roster the
    replies give still keeps each person's maxima, as the published evaluator checks."""
    instance = curtois.load("8")
    problem = curtois.to_problem(instance)
    search = ColumnSearch(problem)
    try:
        assert search.root(float("inf")) is not None
        assert any(pricer.counted for pricer in search.pricers)
        search.best, search.best_cost = None, None  # forget the greedy rosters
        search.best_replies(math.inf, rounds=10)
    finally:
        search.close()
    assert search.best is not None
    objective, errors = curtois.evaluate(instance, _rows(problem, search.best))
    assert errors == []
    assert objective == search.best_cost


def test_a_person_who_cannot_keep_their_own_rules_is_explained_not_a_crash() -> None:
    """N0 must work 200 hours in two weeks of 8- and 12-hour shifts with at most four days in
    a row: no schedule of N0's exists, the decomposition stops, and the compact model names the
    rule."""
    rules = (
        *_tiny_problem().rules,
        Rule("too-much", "minutes", Scope(people=("N0",)), hard_min=200 * 60),
    )
    result = solve(_tiny_problem(rules=rules), time_limit=2.5, workers=2, clock=WorkClock())
    assert result.status.value == "infeasible"
    assert any("N0 needs at least 12000 minutes" in line for line in result.explanation)
