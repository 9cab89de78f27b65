"""The ramp model, worked by hand on a few made-up deals."""

import numpy as np
import pandas as pd
import pytest

from compute_deals.analysis import ramp

DATES = pd.DatetimeIndex(["2025-12-31", "2026-03-31", "2026-06-30", "2026-12-31"])


def deals_frame(**columns) -> pd.DataFrame:
    base = {
        "deal_id": ["d1"], "accelerator_vendor": ["Nvidia"], "capacity_mw": [100.0],
        "capacity_mw_low": [np.nan], "capacity_mw_high": [np.nan],
        "deploy_start": pd.to_datetime(["2026-01-01"]), "deploy_end": pd.to_datetime(["2026-12-31"]),
    }
    base.update(columns)
    return pd.DataFrame(base)


def no_tranches() -> pd.DataFrame:
    return pd.DataFrame({"deal_id": pd.Series(dtype=str), "online": pd.to_datetime([]),
                         "capacity_mw": pd.Series(dtype=float), "accelerator_vendor": pd.Series(dtype=str)})


@pytest.mark.parametrize("shape, expected", [
    ("linear", [0.0, 89 / 364, 180 / 364, 1.0]),  # days since 2026-01-01 over a 364-day window
    ("step_start", [0.0, 1.0, 1.0, 1.0]),
    ("step_end", [0.0, 0.0, 0.0, 1.0]),
])
def test_fraction_online_in_the_middle_of_a_window(shape, expected):
    start, end = pd.Timestamp("2026-01-01"), pd.Timestamp("2026-12-31")
    got = ramp.fraction_matrix([start, DATES[0]], [end, DATES[0]], DATES, shape)
    assert got[0] == pytest.approx(expected)
    assert list(got[1]) == [1.0, 1.0, 1.0, 1.0]  # each window by its own dates


def test_a_one_day_window_is_a_step():
    day = pd.Timestamp("2026-03-31")
    assert list(ramp.fraction_matrix([day], [day], DATES, "linear")[0]) == [0.0, 1.0, 1.0, 1.0]


def test_an_unknown_shape_names_the_choices():
    with pytest.raises(ValueError, match="linear, step_start, step_end"):
        ramp.fraction_matrix([DATES[0]], [DATES[1]], DATES, "s-curve")


def test_low_and_high_ramp_alongside_and_fall_back_to_the_headline():
    deals = deals_frame(capacity_mw_high=[160.0])
    online = ramp.online_capacity(deals, no_tranches(), DATES).set_index("date")
    mid = pd.Timestamp("2026-06-30")
    assert online.loc[mid, "online_mw"] == pytest.approx(100 * 180 / 364)
    assert online.loc[mid, "online_mw_low"] == pytest.approx(100 * 180 / 364)
    assert online.loc[mid, "online_mw_high"] == pytest.approx(160 * 180 / 364)


def test_tranches_step_in_and_the_rest_ramps_over_the_window_under_their_own_vendor():
    deals = deals_frame(accelerator_vendor=[""])
    tranches = pd.DataFrame({"deal_id": ["d1"], "online": pd.to_datetime(["2026-03-31"]),
                             "capacity_mw": [40.0], "accelerator_vendor": ["Quartz"]})
    online = ramp.online_capacity(deals, tranches, DATES)
    by = online.set_index(["date", "vendor"])["online_mw"]
    assert by[(pd.Timestamp("2026-03-31"), "Quartz")] == 40.0
    assert by[(pd.Timestamp("2026-03-31"), "Not reported")] == pytest.approx(60 * 89 / 364)
    assert by[(pd.Timestamp("2026-12-31"), "Not reported")] == 60.0
    assert (pd.Timestamp("2025-12-31"), "Quartz") not in by


def test_capacity_without_a_complete_window_is_unplaced_except_its_tranches():
    deals = deals_frame(deploy_end=[pd.NaT], capacity_mw=[1000.0])
    tranches = pd.DataFrame({"deal_id": ["d1"], "online": pd.to_datetime(["2026-06-30"]),
                             "capacity_mw": [250.0], "accelerator_vendor": [""]})
    online = ramp.online_capacity(deals, tranches, DATES)
    assert online["online_mw"].max() == 250.0
    assert ramp.unplaced(deals, tranches).to_dict("records") == [
        {"deal_id": "d1", "vendor": "Nvidia", "attribution": "reported", "unplaced_mw": 750.0}]


def test_quarter_ends_run_from_2019_to_2030():
    quarters = ramp.quarter_ends()
    assert (quarters[0], quarters[-1], len(quarters)) == (
        pd.Timestamp("2019-03-31"), pd.Timestamp("2030-12-31"), 48)
