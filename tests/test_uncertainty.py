"""The Monte Carlo: closed-form cases worked by hand, determinism, and agreement with the ramp."""

import numpy as np
import pytest

from compute_deals.analysis import dependency, headlines, ramp, uncertainty
from compute_deals.facts.load import load_dataset
from conftest import ROOT, acme_sources, deal, write_dataset

N = 10_000


def test_a_reported_range_is_drawn_uniformly(tmp_path):
    # One deal worth $100 to $200 (headline $150) over the whole of 2025: the peak year holds it all,
    # so the peak is uniform on [100, 200]: mean 150, 5th percentile 105, 95th 195.
    data = load_dataset(write_dataset(tmp_path / "d", [deal(
        value_usd="150", value_usd_low="100", value_usd_high="200", term_years="1",
        deploy_start="2025-01-01", deploy_end="2025-12-31")], acme_sources()))
    simulation = uncertainty.simulate(data, "Acme AI")
    peaks = simulation.figures["peak_annual_commitment_usd"]
    assert peaks.mean() == pytest.approx(150, abs=1.5)
    p5, p95 = uncertainty.percentiles(peaks)
    assert p5 == pytest.approx(105, abs=1.0) and p95 == pytest.approx(195, abs=1.0)
    assert peaks.min() >= 100 and peaks.max() <= 200


def test_a_capacity_range_moves_the_share_through_the_ramp(tmp_path):
    # Nvidia 100 to 300 MW and 100 MW of Quartz, both online from mid-2025: Nvidia's share is
    # c / (c + 100) with c uniform on [100, 300], increasing in c, so its 5th percentile is the
    # share at c = 110 and its 95th the share at c = 290.
    deals = [deal(capacity_mw="200", capacity_mw_low="100", capacity_mw_high="300",
                  deploy_start="2025-01-01", deploy_end="2025-06-30"),
             deal(deal_id="acme-quartz", accelerator_vendor="Quartz", capacity_mw="100",
                  deploy_start="2025-01-01", deploy_end="2025-06-30")]
    data = load_dataset(write_dataset(tmp_path / "d", deals, acme_sources()))
    held = {"non_nvidia_delay_months": 0}
    p5, p95 = uncertainty.percentiles(
        uncertainty.simulate(data, "Acme AI", held, sets=held).figures["nvidia_share_2026"])
    assert p5 == pytest.approx(110 / 210, abs=0.003) and p95 == pytest.approx(290 / 390, abs=0.003)


@pytest.mark.parametrize("name, high", [("non_nvidia_delay_months", 24), ("worded_window_slip_months", 12)])
def test_a_schedule_parameter_is_whole_months_each_equally_likely(name, high):
    months = uncertainty.month_draws({}, {}, name, N, uncertainty.SEED)
    assert set(months) == set(range(0, high + 1))
    assert months.mean() == pytest.approx(high / 2, abs=0.2)
    assert np.bincount(months).min() / N == pytest.approx(1 / (high + 1), abs=0.01)
    assert (uncertainty.month_draws({name: 3}, {name: 3}, name, 5, 1) == 3).all()


def test_a_parameter_the_scenario_sets_is_held_even_at_its_default():
    assert uncertainty.held_parameters({"pue": 1.14, "tdp_scale": 0.9, "scenario": "x"}) == {"tdp_scale": 0.9}
    assert uncertainty.held_parameters({"pue": 1.14}, sets={"pue": 1.14}) == {"pue": 1.14}
    assert (uncertainty.parameter_draws({"pue": 1.2}, {"pue": 1.2}, "pue", 5, 1) == 1.2).all()
    pue = uncertainty.parameter_draws({}, {}, "pue", N, 1)
    assert pue.min() >= 1.10 and pue.max() <= 1.30


@pytest.fixture
def acme(acme_dir):
    return load_dataset(acme_dir)


def test_the_same_seed_gives_the_same_draws_and_another_seed_others(acme):
    first, again = (uncertainty.simulate(acme, "Acme AI") for _ in range(2))
    other = uncertainty.simulate(acme, "Acme AI", {"seed": 7})
    for name in first.figures:
        np.testing.assert_array_equal(first.figures[name], again.figures[name])
    np.testing.assert_array_equal(first.total_mw_draws, again.total_mw_draws)
    assert not np.array_equal(first.total_mw_draws, other.total_mw_draws)  # Quartz's delay
    assert len(uncertainty.simulate(acme, "Acme AI", {"draws": 50}).total_mw_draws) == 50


@pytest.mark.parametrize("shape", ramp.RAMP_SHAPES)
@pytest.mark.parametrize("months, slip", [(0, 0), (5, 0), (12, 7), (0, 12)])
def test_the_ramp_matrices_give_the_ramp_model(acme, shape, months, slip):
    schedule = {"non_nvidia_delay_months": months, "worded_window_slip_months": slip}
    for data, buyer in ((acme, "Acme AI"), (load_dataset(ROOT / "data"), "OpenAI")):
        timeline = dependency.nvidia_share_timeline_table(data, buyer, ramp_shape=shape, **schedule)
        simulation = uncertainty.simulate(data, buyer, {"ramp_shape": shape, **schedule, "draws": 10})
        np.testing.assert_allclose(simulation.total_mw, timeline["total_mw"])
        np.testing.assert_allclose(simulation.nvidia_mw, timeline["nvidia_mw"])


def test_the_points_are_the_headlines(acme):
    figures = uncertainty.headline_intervals_table(acme, "Acme AI").set_index("figure")
    points = headlines.headlines(acme, "Acme AI")
    simulation = uncertainty.simulate(acme, "Acme AI")
    for name, day in uncertainty.SHARE_DATES.items():
        assert uncertainty.share(simulation.nvidia_mw, simulation.total_mw)[
            simulation.dates.get_loc(day)] == pytest.approx(points[name])
    assert figures.loc["peak_concurrent_deals", "varied"] == "nothing: a point value"
    assert np.isnan(figures.loc["peak_concurrent_deals", "p5"])
    # Acme's priced deals: $20M per MW and $16.7M per MW drawn between $4B/300 and $6B/300
    low, high = figures.loc["median_usd_per_mw", ["p5", "p95"]]
    assert (4e9 / 300 + 20e6) / 2 < low < high < (6e9 / 300 + 20e6) / 2


@pytest.mark.parametrize("n_fixed, n_drawn", [(0, 3), (7, 2), (8, 5), (40, 3), (3, 0)])
def test_the_median_per_draw_is_the_median_of_every_value(n_fixed, n_drawn):
    rng = np.random.default_rng(n_fixed)
    fixed, drawn = rng.random(n_fixed), rng.random((500, n_drawn))
    expected = np.median(np.hstack([np.broadcast_to(fixed, (500, n_fixed)), drawn]), axis=1)
    np.testing.assert_allclose(uncertainty.median_per_draw(fixed, drawn, block=64), expected)


def test_undefined_draws_are_left_out_of_percentiles():
    draws = np.array([[np.nan, np.nan], [1.0, np.nan], [3.0, np.nan]])
    p5, p95 = uncertainty.percentiles(draws)
    assert p5[0] == pytest.approx(1.1) and p95[0] == pytest.approx(2.9)
    assert np.isnan(p5[1]) and np.isnan(p95[1])
