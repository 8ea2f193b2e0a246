"""Every tuning constant of the roster search, in one frozen object.

`solve(problem, settings=...)` takes a `SearchSettings`; `DEFAULT_SETTINGS` is what every caller
gets without one. Change a knob with `dataclasses.replace(DEFAULT_SETTINGS, stalled=0.2)`; never by
patching a module. Each field says its unit, what it trades and the test that touches it (the same
table, rendered by `knob_table()`, is in docs/scheduling.md; a test keeps the two equal).

Shares are of the whole time limit unless said otherwise; "gap" is the largest under-cover weight
of the problem (one missing person at the dearest cell). Why each default was chosen, with the
measurements, is in docs/scheduling-decisions.md and in the bench output, not here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

NO_TEST = "-"


def knob(default: Any, unit: str, trades: str, test: str = NO_TEST) -> Any:
    """A field with its documentation attached (read back by `knob_table()`)."""
    return field(default=default, metadata={"unit": unit, "trades": trades, "test": test})


@dataclass(frozen=True)
class HorizonKnobs:
    """Tuning of the year path (`horizon.py`): long pure rosters solved in windows over time."""

    split_above_days: int = knob(
        91,
        "days",
        "longer pure rosters are solved in windows: whole-horizon search quality against memory "
        "(every Curtois instance and the quarter rows stay whole)",
        "test_roster_horizon::test_applies_only_above_the_threshold",
    )
    forward_days: int = knob(
        28,
        "days",
        "per forward window (whole weeks): shorter gives a sooner first schedule, but a tight "
        "roster's short windows cannot keep pace on their own",
        "test_roster_horizon::test_seams_respected",
    )
    window_days: int = knob(
        28,
        "days",
        "per repair window: longer sees more of the year at once but prices more states and "
        "gets fewer repair rounds",
        "test_roster_horizon::test_seams_respected",
    )
    lookahead_days: int = knob(
        3,
        "days",
        "solved beyond each forward window and dropped (minimums shared over them, maxima "
        "not): time per window against seams a later window cannot continue",
        "test_roster_horizon::test_seams_respected",
    )
    first_pass: float = knob(
        0.6,
        "share",
        "of the time for the forward pass (at least what it needs to finish); the rest repairs "
        "seams: the first schedule's quality against repair",
        "test_roster_horizon::test_seams_respected",
    )
    root_share: float = knob(
        0.5, "share", "of a window's time for its root master; the rest for best replies"
    )
    stalled: float = knob(
        0.2, "share", "of a window's time without a better roster after which replies stop"
    )
    share_slack: float = knob(
        0.15,
        "share",
        "of a forward window's part of a horizon-wide limit it may go beyond or stay below: "
        "windows that find a schedule against later windows left more to do",
        "test_roster_horizon::test_seams_respected",
    )
    ease_people: int = knob(
        5,
        "people",
        "a forward window may let fall behind the steady pace before it backs up instead: "
        "fewer backups against later windows left more to do",
        "test_roster_horizon::test_seams_respected",
    )
    max_backtrack: int = knob(
        3,
        "windows",
        "times a window may back up (re-solved with the one before) before the pass gives up "
        "without a schedule: time against giving up",
    )
    reserve: float = knob(1.0, "clock s", "kept at the end for adding up the result")
    hurry_margin: float = knob(
        1.25,
        "factor",
        "a forward window hurries (its first greedy roster only, no master, no replies) "
        "once the time left is under this many times what "
        "the windows left need for their first rosters at the slowest pace seen: quality on "
        "a slow machine against a schedule at all",
        "test_roster_horizon::test_a_tight_year_hurries_and_still_returns_a_whole_schedule",
    )
    overtime: float = knob(
        0.05,
        "share",
        "of the time limit a hurried forward pass may run past it before giving up with no "
        "schedule (the promise is the limit plus 10 %)",
        "test_roster_horizon::test_a_tight_year_hurries_and_still_returns_a_whole_schedule",
    )


@dataclass(frozen=True)
class SearchSettings:
    # ------------------------------------------------------------ phases and their time
    light_above_constraints: int = knob(
        1_000_000,
        "constraints",
        "above it the whole model is searched without presolve and LP: a first schedule "
        "sooner and in less memory on huge models, a weaker search on smaller ones",
        "test_roster_solve::test_a_model_searched_without_presolve_still_keeps_every_rule",
    )
    first_phase_trainees: float = knob(
        0.25,
        "share",
        "whole-model search before the neighbourhoods when trainees are rostered (ACGME call "
        "schedules are often proven by it); more is less time for neighbourhoods",
    )
    first_phase_staff: float = knob(
        0.1,
        "share",
        "the same for staff rosters the column search does not take; neighbourhoods beat the "
        "whole-model search early on pure rostering",
    )
    explain_at_least: float = knob(
        5.0,
        "clock s",
        "time given to explaining an infeasible problem even when the search used its budget",
        "test_roster_solve::test_call_every_third_night_conflict_names_the_requirements",
    )
    # ------------------------------------------------------------ column search: the root
    root_share: float = knob(
        0.5,
        "share",
        "deadline of the root master (column generation to convergence); a slow master cut "
        "short leaves worse duals, a long one leaves less for what follows",
    )
    warm_up: int = knob(
        25,
        "Lagrangian steps",
        "subgradient steps before the first master: more columns (a master that settles in "
        "fewer rounds) against time",
        "test_roster_columns::test_warm_up_gives_a_true_bound_and_a_master_that_settles_in_a_few_rounds",
    )
    warm_up_patience: int = knob(
        4, "steps", "steps without a better Lagrangian value before the step size halves"
    )
    settling_rounds: int = knob(
        20,
        "master rounds",
        "the root gives up when this many rounds (at least forecast_rounds_left) will not fit "
        "in its time at the pace so far",
    )
    forecast_after: int = knob(
        5, "master rounds", "rounds seen before the root forecasts whether it will settle"
    )
    forecast_rounds_left: int = knob(
        10, "master rounds", "the least rounds the forecast assumes are still to come"
    )
    nearly_settled: float = knob(
        0.1,
        "share of the master's value",
        "a master this close to its bound is never given up by the forecast",
    )
    tailing_rounds: int = knob(
        4, "master rounds", "a master that gained less than tailing_gain over this many stops"
    )
    tailing_gain: float = knob(
        1e-3, "share of the master's value", "what counts as no gain for tailing_rounds"
    )
    trusted: float = knob(
        0.5,
        "share of the master's value",
        "best replies price at the master's duals once its bound is within this share, else at "
        "the warm-up's last prices",
        "test_roster_columns::test_best_replies_after_one_master_round_keep_the_warm_up_prices",
    )
    # ------------------------------------------------------------ column search: dives
    dives_after: float = knob(
        0.1,
        "share",
        "a root settled within this share dives; a slower one hands its time to best replies "
        "(each dive settles the master again many times)",
        "test_roster_curtois::test_a_master_slow_to_settle_hands_its_time_to_best_replies_not_to_dives",
    )
    support_share: float = knob(
        0.05,
        "share",
        "time for the compact model on the settled master's support before the dives",
    )
    dives_until: float = knob(0.55, "share", "deadline of the dives")
    combine_until: float = knob(
        0.65, "share", "deadline of CP-SAT combining the pool of columns into one roster"
    )
    fix_level: float = knob(
        0.9,
        "share of a person's weight",
        "the first dive fixes a cell once this much of a person's weight works it: higher "
        "dives closer to the master, slower",
        "test_roster_columns::test_column_search_scores_schedules_as_the_published_evaluator_does",
    )
    dive_level_low: float = knob(
        0.6, "share of a person's weight", "later dives draw their fixing level from here ..."
    )
    dive_level_high: float = knob(0.97, "share of a person's weight", "... to here")
    dive_share_low: float = knob(
        0.3,
        "share of undecided people",
        "later dives fix only a drawn share of the undecided people at each step (from here "
        "to 1): slower dives that end elsewhere",
    )
    dive_level_floor: float = knob(
        0.5,
        "share of a person's weight",
        "a dive step lowers its level (by dive_level_decay) no further than this before fixing "
        "whole columns",
    )
    dive_level_decay: float = knob(0.9, "factor", "how a dive step lowers its fixing level")
    dive_pace: int = knob(
        8,
        "people",
        "each dive step fixes at least one in this many undecided people: larger is a slower, "
        "finer dive",
    )
    combine_least: float = knob(
        0.05, "clock s", "combining the pool is skipped with less time than this left"
    )
    # ------------------------------------------------------------ column search: best replies
    replies_until: float = knob(
        0.9, "share", "deadline of best replies; the neighbourhood search gets the rest"
    )
    stalled: float = knob(
        0.1,
        "share",
        "best replies stop after this long without a better roster: more patience for the "
        "replies, less time for the neighbourhood search",
        "test_roster_columns::test_stalled_best_replies_hand_back_their_time",
    )
    stalled_near: float = knob(
        0.4,
        "share",
        "the patience while the best roster's cover is within a gap of the master's (the "
        "replies close the last gap sooner than the neighbourhoods)",
        "test_roster_columns::test_best_replies_within_a_gap_of_the_masters_cover_are_more_patient",
    )
    reply_blend: float = knob(
        3.0,
        "factor",
        "a reply weighs the master's duals this many times the cover's true marginal cost: "
        "higher stays near the master's optimum, lower fills the gaps the others leave",
    )
    reply_noise: float = knob(
        0.02,
        "share of a gap",
        "uniform noise added to each cell's price per reply: ties break differently each time "
        "(too much and the replies stop following the prices)",
        "test_roster_columns::test_noise_carries_best_replies_past_where_no_single_person_gains",
    )
    rejoin_every: int = knob(
        2,
        "reply rounds",
        "how often a chain more than level behind the best roster continues from it: sharing "
        "against keeping walks apart",
        "test_roster_columns::test_a_chain_of_replies_well_behind_the_best_roster_continues_from_it",
    )
    same_gaps: float = knob(
        0.5,
        "gaps",
        "two costs closer than this are level: chains rejoin only a roster more than level "
        "ahead, and replies stop at a cover level with the settled master's",
        "test_roster_columns::test_best_replies_stop_once_the_cover_is_level_with_the_settled_masters",
    )
    weekend_split: float = knob(
        0.05,
        "share of a gap",
        "what a reply pays for a weekend worked on one day only (people with a weekend "
        "maximum): too much and the weekdays go short",
    )
    # ------------------------------------------------------------ pricing
    small_cap: int = knob(
        6,
        "shifts",
        "per-type maxima up to this are counted exactly in the pricing program",
        "test_roster_columns::test_replies_after_a_root_that_grew_counts_keep_every_rule",
    )
    counter_limit: int = knob(
        48,
        "counter states",
        "... as long as the product of counted maxima stays this small (more states, slower "
        "pricing)",
    )
    price_down_step: float = knob(
        0.05,
        "share of the price scale",
        "the least step by which a broken large maximum's price rises",
    )
    price_down_rises: int = knob(
        12, "pricing calls", "rises of that price before the person is given up at these prices"
    )
    price_down_halvings: int = knob(
        3, "pricing calls", "halvings back towards the least price that keeps the maximum"
    )
    price_down_keep: float = knob(
        0.8, "factor", "the next call starts from this share of the price that kept it"
    )
    # ------------------------------------------------------------ neighbourhood search
    lns_margin: float = knob(
        0.2, "clock s", "the neighbourhood search stops with this little time left"
    )
    sub_solve_min: float = knob(0.25, "clock s", "the least limit of one neighbourhood's sub-solve")
    sub_solve_max: float = knob(3.0, "clock s", "the most limit of one neighbourhood's sub-solve")
    sub_solve_parts: float = knob(
        50.0,
        "sub-solves",
        "a sub-solve's limit is the time left at the start over this many (within min and max)",
    )
    person_sweep: float = knob(
        0.4,
        "share",
        "budget of the sweep re-solving each person's whole schedule once, after a rough "
        "column roster",
    )
    person_sweep_limit: float = knob(1.0, "clock s", "limit of one person's re-solve in it")
    week_sweep_days: int = knob(
        3,
        "weekdays",
        "the week sweep frees this many weekdays of every week for everyone: larger moves, "
        "slower sub-solves",
        "test_roster_solve::test_the_week_sweep_moves_a_weekend_between_people",
    )
    week_sweep_limit: float = knob(3.0, "clock s", "limit of one week-sweep sub-solve")
    week_sweep_idle: int = knob(
        7, "sub-solves", "the week sweep ends after this many without a gain"
    )
    week_sweep_from: int = knob(14, "days", "horizons shorter than this skip the week sweep")
    people_size: float = knob(
        1.5, "people", "first size of a 'people' neighbourhood (whole schedules freed)"
    )
    days_size: float = knob(
        0.12, "share of the days", "first size of a 'days' neighbourhood (everyone, a window)"
    )
    block_size: float = knob(
        0.25, "share of the days", "first size of a 'block' neighbourhood (some people, a window)"
    )
    block_people: float = knob(
        1.5, "factor", "a block frees this many times its size of the people"
    )
    short_size: float = knob(
        3.0,
        "people",
        "first size of a 'short' neighbourhood (people who may fill a gap)",
        "test_roster_solve::test_neighbourhoods_aimed_at_a_gap_free_people_who_can_fill_it",
    )
    aim: float = knob(
        0.6,
        "probability",
        "a window is placed at a day the schedule pays for (else anywhere)",
    )
    grow: float = knob(
        1.3, "factor", "a neighbourhood solved to the end grows by this: bigger, slower moves"
    )
    shrink_unknown: float = knob(0.8, "factor", "one that found nothing in time shrinks by this")
    shrink_improved: float = knob(
        0.85, "factor", "one that improved without finishing shrinks by this"
    )
    smallest: float = knob(0.03, "share", "no neighbourhood shrinks below this")
    stall_rounds: int = knob(
        12,
        "sub-solves",
        "this many without a gain start a whole-model search from the incumbent",
    )
    restart_least: float = knob(
        3.0, "clock s", "that whole-model search runs at least this long (and needs this left)"
    )
    restart_share: float = knob(0.15, "share", "... and at most this share of the limit")
    whole_fraction: float = knob(
        0.3,
        "share of the constraints",
        "a neighbourhood reaching more of the model than this is solved on the whole model "
        "with fixed domains instead of being cut out",
        "test_roster_curtois::test_neighbourhood_search_keeps_the_objective_exact",
    )
    # ------------------------------------------------------------ the year path
    horizon: HorizonKnobs = field(default_factory=HorizonKnobs)


DEFAULT_SETTINGS = SearchSettings()


def knobs(settings: SearchSettings = DEFAULT_SETTINGS) -> list[tuple[str, Any, Any]]:
    """(name, value, field) of every knob; the year path's as `horizon.NAME`."""
    out: list[tuple[str, Any, Any]] = []
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        if isinstance(value, HorizonKnobs):
            out += [
                (f"horizon.{g.name}", getattr(value, g.name), g) for g in dataclasses.fields(value)
            ]
        else:
            out.append((f.name, value, f))
    return out


def knob_table(settings: SearchSettings = DEFAULT_SETTINGS) -> str:
    """The knobs as a markdown table: name, unit, default, what it trades, the test."""
    rows = [
        "| knob | unit | default | what it trades | test |",
        "|---|---|---|---|---|",
    ]
    for name, value, f in knobs(settings):
        meta = f.metadata
        test = meta["test"] if meta["test"] == NO_TEST else f"`{meta['test']}`"
        rows.append(f"| `{name}` | {meta['unit']} | {value!r} | {meta['trades']} | {test} |")
    return "\n".join(rows)


def with_knobs(settings: SearchSettings, assignments: list[str]) -> SearchSettings:
    """`settings` with knobs set from NAME=VALUE texts (the command line's `--knob`; the year
    path's as horizon.NAME); an unknown name or a value of the wrong kind is a ProblemError
    naming it."""
    from rounds.engine.errors import ProblemError

    kinds: dict[str, type] = {name: type(value) for name, value, _f in knobs(settings)}
    changes: dict[str, Any] = {}
    for text in assignments:
        name, _, value = text.partition("=")
        name = name.strip().replace("-", "_")
        if name not in kinds:
            raise ProblemError(f"--knob {text}", "no such knob (see docs/scheduling.md)")
        try:
            changes[name] = kinds[name](value)
        except ValueError:
            kind = "a whole number" if kinds[name] is int else "a number"
            raise ProblemError(f"--knob {text}", f"{name} must be {kind}") from None
    year = {k.removeprefix("horizon."): v for k, v in changes.items() if k.startswith("horizon.")}
    top = {k: v for k, v in changes.items() if not k.startswith("horizon.")}
    if year:
        top["horizon"] = dataclasses.replace(settings.horizon, **year)
    return dataclasses.replace(settings, **top)
