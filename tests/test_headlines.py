"""The headline figures, worked by hand on the Acme AI dataset."""

import pytest

from compute_deals.analysis import headlines
from compute_deals.facts.load import load_dataset


@pytest.fixture
def acme(acme_dir):
    return load_dataset(acme_dir)


def test_the_median_cost_is_of_deals_reporting_both_value_and_capacity(acme):
    # $2B / 100 MW = $20M per MW and $5B / 300 MW = $16.7M per MW
    assert headlines.headlines(acme, "Acme AI")["median_usd_per_mw"] == pytest.approx((20e6 + 5e9 / 300) / 2)


def test_headlines_follow_the_parameters(acme):
    base = headlines.headlines(acme, "Acme AI")
    signed_only = headlines.headlines(acme, "Acme AI", {"statuses": ["signed"]})
    assert signed_only["median_usd_per_mw"] == base["median_usd_per_mw"]  # both priced deals are signed
    # Acme reports 80 MW at the end of 2025; its deals then place 213/394 of Bolt Cloud's 100 MW
    # (linear from 2025-06-01 to 2026-06-30), so the installed base is the rest, 95% Nvidia.
    installed = 80 - 100 * 213 / 394
    # End of 2028: 100 MW on Nvidia, the LOI's 500 MW on Quartz (fully online by then), the base.
    assert base["nvidia_share_2028"] == pytest.approx((100 + 0.95 * installed) / (600 + installed))
    assert signed_only["nvidia_share_2028"] == pytest.approx((100 + 0.95 * installed) / (100 + installed))


def test_every_headline_is_described(acme):
    assert set(headlines.headlines(acme, "Acme AI")) == set(headlines.HEADLINES)
