"""Uncertainty: Monte Carlo over the assumptions' ranges and the reported low/high figures.

Each draw picks every uncertain input at once, uniformly within its range (no source gives a
distribution, and a uniform one claims nothing beyond the range):
- reported ranges: a deal's value between value_usd_low and value_usd_high and its capacity between
  capacity_mw_low and capacity_mw_high, where a source reports them;
- ranged parameters (Parameter.low/high): non_nvidia_delay_months and worded_window_slip_months in
  whole months (they move dates by calendar months), installed_nvidia_share, pue, server_overhead
  and tdp_scale; and the benchmark $/MW across
  every benchmark's spread, as the cost chapter's tornado does.
A parameter the scenario sets (in scenarios.yml, or to a value other than its default) is held
there: a scenario is a condition, and the draws vary what it leaves open.

Vectorised: medians are row-wise over a (draws × deals) matrix of the deals that vary, annual
commitments and online capacity are matrix products. The ramp is evaluated as (piece × quarter)
matrices, one per pair of whole-month delay and slip drawn, by the rules of ramp.online_capacity (tests check that the
two agree). Seeded: each input draws from a stream of its own, named after it (and after the deal
for reported figures), so the same seed gives the same intervals and a deal's capacity is the same
draw wherever it is used.

Which headline has an interval: the median $/MW (reported ranges), Nvidia's shares (capacity
ranges, the delay), the peak annual commitment (value ranges). Peak concurrent deals is a point
value: deployment windows are reported dates, without ranges.
"""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from compute_deals import derived
from compute_deals.analysis import cost, dependency, headlines, metrics, overlaps, ramp, reconcile, scenarios
from compute_deals.facts.load import Dataset
from compute_deals.analysis.parameters import BASE, DRAWS, SEED
from compute_deals.analysis.registry import registry

PERCENTILES = (5, 95)
SHARE_DATES = {"nvidia_share_2026": "2026-12-31", "nvidia_share_2028": "2028-12-31"}
MEDIAN_ALL = "median_usd_per_mw_all"
# The headline figures and one more: the median $/MW with derived figures, which the cost
# assumptions move (the headline median, of reported figures only, does not depend on them).
FIGURES = {
    **headlines.HEADLINES,
    MEDIAN_ALL: ("Median cost per MW of every priced deal, derived figures included", "US dollars per MW"),
}
REPORTED_VALUES, REPORTED_CAPACITIES = "reported value ranges", "reported capacity ranges"
SCHEDULE_MONTHS = ("non_nvidia_delay_months", "worded_window_slip_months")  # drawn in whole months
DERIVED_COST_INPUTS = ("value_benchmark", "pue", "server_overhead", "tdp_scale")
VARIED = {  # what the draws vary for each figure (parameters the scenario sets are held)
    "median_usd_per_mw": (REPORTED_VALUES, REPORTED_CAPACITIES),
    **{name: (REPORTED_CAPACITIES, *SCHEDULE_MONTHS, "installed_nvidia_share") for name in SHARE_DATES},
    "peak_concurrent_deals": (),
    "peak_annual_commitment_usd": (REPORTED_VALUES,),
    MEDIAN_ALL: (REPORTED_VALUES, REPORTED_CAPACITIES, *DERIVED_COST_INPUTS),
}

# Random draws -----------------------------------------------------------------------------------

def uniform(seed: int, stream: str, n: int) -> np.ndarray:
    """n draws uniform on [0, 1) from a stream of their own, named: one input's draws do not
    depend on which other inputs are drawn."""
    return np.random.default_rng([seed, zlib.crc32(stream.encode())]).random(n)


def between(low, high, u: np.ndarray) -> np.ndarray:
    return low + u * (high - low)


def has_range(frame: pd.DataFrame, column: str) -> pd.Series:
    low, high = metrics.reading(frame, column, "_low"), metrics.reading(frame, column, "_high")
    return low.notna() & high.notna() & (low != high)


def figure_draws(frame: pd.DataFrame, column: str, rows: pd.Series, n: int, seed: int) -> np.ndarray:
    """n draws of a reported figure for the chosen rows (draws × rows): uniform between its low
    and high, the headline where no range is reported. Each deal draws from its own stream."""
    chosen = frame[rows.to_numpy()]
    low, high = metrics.reading(chosen, column, "_low").to_numpy(), metrics.reading(chosen, column, "_high").to_numpy()
    streams = [uniform(seed, f"{column}:{deal_id}", n) for deal_id in chosen["deal_id"]]
    return between(low, high, np.column_stack(streams) if streams else np.empty((n, 0)))


def parameter_draws(parameters: dict, held: dict, name: str, n: int, seed: int) -> np.ndarray:
    """n draws of a ranged parameter, uniform over its range; its value where the scenario sets it."""
    if name in held:
        return np.full(n, float(parameters[name]))
    declared = registry()[name]
    return between(declared.low, declared.high, uniform(seed, name, n))


def month_draws(parameters: dict, held: dict, name: str, n: int, seed: int) -> np.ndarray:
    """Whole months of a schedule parameter, each of low..high equally likely (dates move by
    calendar months); its value where the scenario sets it."""
    declared = registry()[name]
    if name in held:
        return np.full(n, int(parameters[name]))
    u = uniform(seed, name, n)
    return np.floor(between(declared.low, declared.high + 1, u)).astype(int)


def benchmark_draws(benchmarks: pd.DataFrame, parameters: dict, held: dict, n: int,
                    seed: int) -> np.ndarray:
    """$/MW of the benchmark: across every benchmark's spread, or within the chosen benchmark's
    own published range where the scenario names one."""
    if "value_benchmark" in held:
        chosen = benchmarks[benchmarks["benchmark_id"] == parameters["value_benchmark"]]
        low = chosen["usd_per_mw_low"].fillna(chosen["usd_per_mw"]).max()
        high = chosen["usd_per_mw_high"].fillna(chosen["usd_per_mw"]).max()
    else:
        low, high = cost.benchmark_spread(benchmarks)
    return between(low, high, uniform(seed, "value_benchmark", n))


def held_parameters(parameters: dict, sets=()) -> dict:
    """The parameters a run holds at their values: those its scenario sets (the names in `sets`)
    and those set to something other than their default (the scenario's name aside)."""
    declared = registry()
    return {name: value for name, value in parameters.items()
            if name in declared and name != "scenario"
            and (name in sets or value != declared[name].default)}


def scenario_sets(scenarios_file: str | Path, scenario: str) -> dict:
    """What a scenario of the file sets; nothing for a name the file does not have (a run of
    one's own)."""
    return scenarios.read_scenarios(Path(scenarios_file)).get(scenario, {})


def parameters_from(namespace: dict) -> dict:
    """Every declared parameter found in a notebook's namespace, by name."""
    return {name: namespace[name] for name in registry() if name in namespace}


# Statistics over draws --------------------------------------------------------------------------

def median_per_draw(fixed: np.ndarray, drawn: np.ndarray, block: int = 2000) -> np.ndarray:
    """The median of each draw's values: `fixed` (the same in every draw) with that draw's row of
    `drawn`. Only fixed values near the middle can be the median, so as many are dropped from
    each end as keeps that true; memory stays draws × (varying values + a few)."""
    fixed = np.sort(fixed[~np.isnan(fixed)])
    drop = max(0, (len(fixed) - drawn.shape[1]) // 2 - 1)
    kept = fixed[drop:len(fixed) - drop]
    if len(kept) + drawn.shape[1] == 0:
        return np.full(len(drawn), np.nan)
    return np.concatenate([  # in blocks of draws, so memory stays bounded on large data
        np.median(np.hstack([np.broadcast_to(kept, (len(part), len(kept))), part]), axis=1)
        for part in np.array_split(drawn, max(1, len(drawn) // block))
    ])


def percentiles(draws: np.ndarray) -> np.ndarray:
    """The 5th and 95th percentiles over draws (axis 0), leaving out draws where the figure is
    undefined (NaN); NaN where every draw is."""
    flat = draws.reshape(len(draws), -1)
    defined = ~np.isnan(flat).all(axis=0)
    out = np.full((len(PERCENTILES), flat.shape[1]), np.nan)
    out[:, defined] = np.nanpercentile(flat[:, defined], PERCENTILES, axis=0)
    return out.reshape((len(PERCENTILES), *draws.shape[1:]))


# The ramp as matrices ---------------------------------------------------------------------------

def fractions(pieces: pd.DataFrame, dates: pd.DatetimeIndex, shape: str, months: int,
              slip: int = 0) -> np.ndarray:
    """Share of each piece online at each date (pieces × dates), by the ramp's rules, on the
    schedule of dependency.scheduled: window ends coded from words moved `slip` months later,
    then the pieces not on Nvidia `months` later."""
    moved = ~pieces["nvidia"]

    def shifted(end: str) -> pd.Series:
        slipped = pieces[end].mask(pieces[f"{end}_worded"], pieces[end] + pd.DateOffset(months=slip))
        return slipped.mask(moved, slipped + pd.DateOffset(months=months))

    return ramp.fraction_matrix(shifted("start"), shifted("end"), dates, shape)


def online_mw(pieces: pd.DataFrame, dates: pd.DatetimeIndex, shape: str, delays: np.ndarray,
              slips: np.ndarray, ranged: np.ndarray,
              drawn_mw: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """MW online at each date in each draw: on Nvidia, with an attributed vendor, and in all
    (draws × dates each). Pieces marked `ranged` take their MW from drawn_mw (draws × ranged
    pieces), the others their mw. One matrix product per pair of whole-month delay and slip
    drawn: a loop over schedules, not over deals."""
    fixed = pieces["mw"].where(~ranged, 0.0).to_numpy(float)
    weights = np.column_stack([pieces["nvidia"].to_numpy(float),
                               (pieces["vendor"] != metrics.NOT_REPORTED).to_numpy(float),
                               np.ones(len(pieces))])
    out = np.zeros((3, len(delays), len(dates)))
    for months, slip in np.unique(np.column_stack([delays, slips]), axis=0):
        rows = (delays == months) & (slips == slip)
        share = fractions(pieces, dates, shape, int(months), int(slip))
        for k in range(3):
            weighted = share * weights[:, k:k + 1]
            out[k, rows] = fixed @ weighted + drawn_mw[rows] @ weighted[ranged]
    return out[0], out[1], out[2]


# The simulation ---------------------------------------------------------------------------------

class Simulation(NamedTuple):
    dates: pd.DatetimeIndex
    nvidia_mw: np.ndarray  # MW online on Nvidia at each date under the scenario's parameters
    attributed_mw: np.ndarray  # MW online whose vendor is attributed (Nvidia's share is of these)
    total_mw: np.ndarray  # MW online in all
    nvidia_mw_draws: np.ndarray  # the same in each draw (draws × dates)
    attributed_mw_draws: np.ndarray
    total_mw_draws: np.ndarray
    figures: dict[str, np.ndarray]  # figure -> its draws, for the figures with an interval
    point_median_all: float  # the median $/MW with derived figures, under the scenario
    held: dict  # the parameters the scenario sets (held at their values)


def online_draws(deals: pd.DataFrame, tranches: pd.DataFrame, reported: pd.Series, parameters: dict,
                 held: dict, n: int, seed: int) -> tuple:
    """The scenario's path of online MW (on Nvidia, attributed, in all) and its draws, with the
    installed base that reconciles the scenario's path with `reported` (the buyer's own fleet
    figures); the installed base's Nvidia share is drawn."""
    pieces = ramp.pieces(deals, tranches)
    pieces["nvidia"] = dependency.is_nvidia(pieces["vendor"])
    dates, shape = ramp.quarter_ends(), parameters["ramp_shape"]
    rests = pieces["rest"].to_numpy(bool)
    rest_deals = deals.set_index("deal_id").loc[pieces.loc[rests, "deal_id"]].reset_index()
    ranged_deals = has_range(rest_deals, "capacity_mw")
    ranged = rests.copy()
    ranged[rests] = ranged_deals.to_numpy()
    capacity = figure_draws(rest_deals, "capacity_mw", ranged_deals, n, seed)
    drawn_mw = np.clip(capacity - pieces.loc[ranged, "in_tranches"].to_numpy(), 0.0, None)
    point = online_mw(pieces, dates, shape, *(np.array([parameters[name]]) for name in SCHEDULE_MONTHS),
                      np.zeros(len(pieces), bool), np.empty((1, 0)))
    draws = online_mw(pieces, dates, shape, *(month_draws(parameters, held, name, n, seed)
                                              for name in SCHEDULE_MONTHS), ranged, drawn_mw)
    installed = reconcile.installed_mw(dates, reconcile.gaps(pd.Series(point[2][0], index=dates),
                                                             reported)).to_numpy()
    nvidia_share = parameter_draws(parameters, held, "installed_nvidia_share", n, seed)
    nvidia = point[0][0] + installed * parameters["installed_nvidia_share"]
    nvidia_draws = draws[0] + installed[None, :] * nvidia_share[:, None]
    return (dates, nvidia, point[1][0] + installed, point[2][0] + installed,
            nvidia_draws, draws[1] + installed, draws[2] + installed)


def cost_draws(deals: pd.DataFrame, benchmarks: pd.DataFrame, parameters: dict, held: dict,
               n: int, seed: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Draws of the median $/MW of reported figures and of every priced deal, and the point value
    of the latter. A derived value is the benchmark's $/MW; a derived capacity scales with
    PUE × server overhead × TDP scale, so its $/MW with the inverse."""
    assumptions = headlines.cost_assumptions(parameters)
    central = cost.costs(deals, assumptions, cost.chosen_benchmark(benchmarks, assumptions.value_benchmark))
    reported = central["basis"] == cost.REPORTED
    varies = reported & (has_range(deals, "value_usd") | has_range(deals, "capacity_mw"))
    fixed = central["usd_per_mw"][reported & ~varies].to_numpy(float)
    reported_draws = (figure_draws(deals, "value_usd", varies, n, seed)
                      / figure_draws(deals, "capacity_mw", varies, n, seed))
    from_benchmark = int((central["derived"] == "value").sum())
    from_accelerators = central["derived"] == "capacity"
    power = {name: parameter_draws(parameters, held, name, n, seed)
             for name in ("pue", "server_overhead", "tdp_scale")}
    setting = parameters["pue"] * parameters["server_overhead"] * parameters["tdp_scale"]
    scale = setting / (power["pue"] * power["server_overhead"] * power["tdp_scale"])
    accelerator_draws = (central["usd_per_mw"][from_accelerators].to_numpy(float)
                         * figure_draws(deals, "value_usd", from_accelerators, n, seed)
                         / deals["value_usd"][from_accelerators].to_numpy(float) * scale[:, None])
    benchmark = benchmark_draws(benchmarks, parameters, held, n, seed)
    every_draw = np.hstack([reported_draws, np.repeat(benchmark[:, None], from_benchmark, axis=1),
                            accelerator_draws])
    point_all = float(central["usd_per_mw"][central["basis"] != cost.NOT_COMPUTABLE].median())
    return median_per_draw(fixed, reported_draws), median_per_draw(fixed, every_draw), point_all


def annual_peak_draws(deals: pd.DataFrame, price_bases, n: int, seed: int) -> np.ndarray:
    """Draws of the largest committed value in one year (overlaps.annual_commitments of the values
    that are a price of capacity): each deal's share of its value per year stays, its value is
    drawn."""
    annual = overlaps.annual_commitments(overlaps.committed(overlaps.value_spans(deals), price_bases))
    if annual.empty:
        return np.full(n, np.nan)
    per_deal = annual.pivot_table(index="deal_id", columns="year", values="value_usd",
                                  aggfunc="sum", fill_value=0.0)
    spread = deals.set_index("deal_id").loc[per_deal.index].reset_index()
    varies = has_range(spread, "value_usd")
    fixed = per_deal[~varies.to_numpy()].sum().to_numpy()
    share = per_deal[varies.to_numpy()].to_numpy() / spread.loc[varies, "value_usd"].to_numpy()[:, None]
    return (fixed + figure_draws(spread, "value_usd", varies, n, seed) @ share).max(axis=1)


def share(nvidia_mw: np.ndarray, total_mw: np.ndarray) -> np.ndarray:
    """Nvidia's share of online MW (of the MW with an attributed vendor, as in
    dependency.nvidia_share_timeline); NaN where nothing is online (as dependency.ratio)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total_mw > 0, nvidia_mw / total_mw, np.nan)


def simulate(data: Dataset, buyer: str, parameters: dict | None = None, sets=()) -> Simulation:
    """The Monte Carlo for one buyer under one parameter set (others at their defaults; draws
    and seed are parameters too); `sets` names what the scenario sets (see `held_parameters`)."""
    p = headlines.with_defaults(parameters or {})
    kept, n, seed = held_parameters(p, sets), int(p["draws"]), int(p["seed"])
    rows = metrics.buyer_deals(data.deals, buyer, p["statuses"])
    deals = metrics.summable(rows)
    reported = reconcile.reported_online(data.buyer_capacity, buyer)
    dates, nvidia, attributed, total, nvidia_draws, attributed_draws, total_draws = online_draws(
        deals, data.tranches, reported, p, kept, n, seed)
    # A cost per MW is each deal's own reported ratio: an umbrella's, not what its parts leave.
    median, median_all, point_all = cost_draws(metrics.current(rows), data.benchmarks, p, kept, n, seed)
    shares = share(nvidia_draws, attributed_draws)
    figures = {
        "median_usd_per_mw": median,
        **{name: shares[:, dates.get_loc(pd.Timestamp(day))] for name, day in SHARE_DATES.items()},
        "peak_annual_commitment_usd": annual_peak_draws(deals, p["price_bases"], n, seed),
        MEDIAN_ALL: median_all,
    }
    return Simulation(dates, nvidia, attributed, total, nvidia_draws, attributed_draws, total_draws,
                      figures, point_all, kept)


# What pages show --------------------------------------------------------------------------------

def varied_text(figure: str, held: dict) -> str:
    """What the draws vary for one figure, parameters with their range."""
    declared = registry()
    inputs = []
    for name in VARIED[figure]:
        if name == "value_benchmark":
            inputs.append(f"the published range of benchmark {held[name]}" if name in held
                          else "the benchmark across every benchmark's spread")
        elif name in declared and name not in held:
            p = declared[name]
            inputs.append(f"{name} ({p.low:g} to {p.high:g} {p.unit})")
        elif name not in declared:
            inputs.append(name)
    return "; ".join(inputs) or "nothing: a point value"


def intervals(points: dict, simulation: Simulation) -> pd.DataFrame:
    """Each figure (the headlines, then the median with derived figures): its value under the
    scenario and the 5th and 95th percentiles of its draws (NaN for a point value)."""
    values = {**points, MEDIAN_ALL: simulation.point_median_all}
    rows = []
    for name, (label, unit) in FIGURES.items():
        drawn = simulation.figures.get(name)
        p5, p95 = percentiles(drawn) if drawn is not None else (np.nan, np.nan)
        rows.append({"figure": name, "label": label, "unit": unit, "value": values[name],
                     "p5": float(p5), "p95": float(p95), "varied": varied_text(name, simulation.held)})
    return pd.DataFrame(rows)


def paths(simulation: Simulation) -> pd.DataFrame:
    """Nvidia's share and the MW online at each quarter end: the scenario's path and the 5th and
    95th percentiles of the draws, from the first quarter with anything online in any draw."""
    share_p5, share_p95 = percentiles(share(simulation.nvidia_mw_draws, simulation.attributed_mw_draws))
    online_p5, online_p95 = percentiles(simulation.total_mw_draws)
    frame = pd.DataFrame({
        "date": simulation.dates,
        "nvidia_share": share(simulation.nvidia_mw, simulation.attributed_mw),
        "nvidia_share_p5": share_p5, "nvidia_share_p95": share_p95,
        "online_mw": simulation.total_mw, "online_mw_p5": online_p5, "online_mw_p95": online_p95,
        "nvidia_mw": simulation.nvidia_mw,
    })
    anything = (simulation.total_mw_draws.max(axis=0) > 0) | (simulation.total_mw > 0)
    first = int(np.argmax(anything)) if anything.any() else 0
    return frame.iloc[first:].reset_index(drop=True)


# Tables (keyword defaults are the parameters' defaults) -----------------------------------------

class ScenarioRun(NamedTuple):
    """What a page shows of a simulation: each figure with its interval, and the paths over time."""

    intervals: pd.DataFrame
    paths: pd.DataFrame


@derived.table
def scenario_run(data: Dataset, buyer: str, held: dict) -> ScenarioRun:
    """One scenario's figures and paths, from the parameters it holds (held_parameters: every
    other parameter is at its default, so these alone say what is simulated). The comparison
    of scenarios and each scenario's page ask for the same run in the same words."""
    simulation = simulate(data, buyer, held, sets=held)
    return ScenarioRun(intervals(headlines.headlines(data, buyer, held), simulation), paths(simulation))


def run_of(data: Dataset, buyer: str, parameters: dict | None = None, sets=()) -> ScenarioRun:
    return scenario_run(data, buyer, held_parameters(headlines.with_defaults(parameters or {}), sets))


def headline_intervals_table(data: Dataset, buyer: str, parameters: dict | None = None,
                             sets=()) -> pd.DataFrame:
    return run_of(data, buyer, parameters, sets).intervals


def paths_table(data: Dataset, buyer: str, parameters: dict | None = None, sets=()) -> pd.DataFrame:
    return run_of(data, buyer, parameters, sets).paths


def paths_table_name(scenario: str) -> str:
    return f"scenario-{scenario}-paths.csv"


def scenario_tables(data: Dataset, buyer: str, scenario: str, parameters: dict) -> dict[str, pd.DataFrame]:
    """The tables behind a scenario page's charts, by file name, for the build to write into
    tables/ beside the generated page (the names carry the scenario, so pages share a folder).
    `parameters` are the scenario's own (as in scenarios.yml)."""
    return {paths_table_name(scenario): paths_table(data, buyer, parameters, sets=parameters)}


def scenario_comparison(data: Dataset, buyer: str, named: dict[str, dict]) -> pd.DataFrame:
    """Every figure of every scenario (in the file's order), with its interval: a long table."""
    frames = [headline_intervals_table(data, buyer, values, sets=values).assign(scenario=name)
              for name, values in named.items()]
    frame = pd.concat(frames, ignore_index=True)
    return frame[["scenario", *frame.columns.drop("scenario")]]


@derived.table(files=("scenarios_file",))
def scenario_comparison_table(data: Dataset, buyer: str,
                              scenarios_file: Path = Path(scenarios.SCENARIOS_FILE)) -> pd.DataFrame:
    """scenario_comparison.csv. scenarios_file is relative to the working folder: the repository
    root when `python -m compute_deals tables` or the build runs from there."""
    return scenario_comparison(data, buyer, scenarios.read_scenarios(Path(scenarios_file)))
