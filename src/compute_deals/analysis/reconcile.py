"""Reconciliation with what the buyer reports: the capacity its deals place in time against the
fleet it says it runs (buyer_capacity.csv, measure "online").

Deals describe new capacity; a buyer's fleet also holds what it ran before these deals and what the
record cannot place (a cloud contract that reports dollars and no megawatts, say). The gap between
the two is shown as a layer of its own, the installed base: at each date, what the buyer's latest
report on or before it exceeds what the deals had placed by that report (never below zero), held
after the last report (the capacity keeps running; nothing reports its retirement). No source
splits that layer by vendor, so its Nvidia share is a parameter (`installed_nvidia_share`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compute_deals.analysis import metrics
from compute_deals.analysis.parameters import Parameter

INSTALLED_BASE = "installed-base"  # the layer's deal_id in online tables
INSTALLED_LABEL = "Installed before these deals / not explained by the record"
OTHER_VENDOR = "Other (installed base)"
SITE_KINDS = ("datacenter", "cloud")  # deals that provide places for chips to run
CHIP_KINDS = ("hardware", "custom_chip")  # deals that supply chips, which fill those places
TOLERANCE = 0.25  # the modelled fleet must be within 25% of each reported figure
LEVELS = ("online_mw", "online_mw_low", "online_mw_high")

PARAMETERS = (
    Parameter(
        "installed_nvidia_share", 0.95, "share (0 to 1)",
        "the share of the installed base (reported fleet the deals do not explain) that runs on "
        "Nvidia; the rest is another vendor's",
        reason="The capacity that ran OpenAI by the end of 2025 was Azure (Nvidia H100, GB200, "
        "GB300 clusters), CoreWeave (an all-Nvidia fleet) and Oracle (Nvidia GB200 at Abilene); "
        "Azure also served OpenAI models on AMD MI300X in numbers never published, and Google TPUs "
        "were only tested. 0.95 reads that as mostly Nvidia; the range 0.90 to 0.99 allows up to "
        "about a tenth on AMD. A judgement on sourced facts, not a reported figure.",
        sources=("marketscreener-2025-10-10-azure-gb300", "technosports-2024-nadella-mi300x",
                 "convergedigest-2025-03-coreweave-s1", "alltechnerd-oracle-96000-gb200",
                 "businesstoday-2025-07-01-tpu", "ref-openai-cfo-compute"),
        low=0.90, high=0.99,
    ),
)


def reported_online(buyer_capacity: pd.DataFrame, buyer: str) -> pd.Series:
    """The fleet the buyer reports running, in MW, at the end of each reported year."""
    own = buyer_capacity[(buyer_capacity["buyer"] == buyer) & (buyer_capacity["measure"] == "online")]
    ends = pd.to_datetime(own["year"].astype(int).astype(str) + "-12-31")
    return pd.Series(own["capacity_mw"].to_numpy(), index=pd.DatetimeIndex(ends, name="date")).sort_index()


def contracted_against_record(deals: pd.DataFrame, buyer_capacity: pd.DataFrame,
                              buyer: str) -> pd.DataFrame:
    """Each total the buyer reports under contract or committed to (measure "contracted" or
    "committed") against the signed deals (`deals`: current, net of parts) announced by the end of
    that year: the MW of sites and cloud capacity, and apart the MW of chip supply, which fills
    sites rather than adding to them."""
    own = buyer_capacity[(buyer_capacity["buyer"] == buyer)
                         & buyer_capacity["measure"].isin(["contracted", "committed"])]
    signed = deals[deals["status"] == "signed"]

    def summed(year: int, kinds: tuple[str, ...]) -> float:
        by_then = signed[(signed["announced"].dt.year <= year) & signed["kind"].isin(kinds)]
        return float(by_then["capacity_mw"].sum())

    years = own["year"].astype(int).tolist()
    out = pd.DataFrame({"year": years, "measure": own["measure"].to_numpy(),
                        "reported_mw": own["capacity_mw"].to_numpy(float),
                        "sites_mw": [summed(year, SITE_KINDS) for year in years],
                        "chips_mw": [summed(year, CHIP_KINDS) for year in years]})
    out["sites_share"] = out["sites_mw"] / out["reported_mw"]
    return out.sort_values(["year", "measure"], kind="stable").reset_index(drop=True)


def gaps(deals_online_mw: pd.Series, reported: pd.Series) -> pd.DataFrame:
    """At each reported date: what the buyer reports, what the deals place (deals_online_mw is
    indexed by date), the installed base (the shortfall, never below zero), the modelled fleet
    (deals plus installed base), the share of the report the deals explain, and whether the
    model is within TOLERANCE of the report."""
    placed = deals_online_mw.reindex(reported.index, fill_value=0.0).to_numpy()
    out = pd.DataFrame({"date": reported.index, "reported_mw": reported.to_numpy(), "deals_mw": placed})
    out["installed_mw"] = np.clip(out["reported_mw"] - out["deals_mw"], 0.0, None)
    out["modelled_mw"] = out["deals_mw"] + out["installed_mw"]
    out["explained_share"] = np.minimum(out["deals_mw"] / out["reported_mw"], 1.0)
    out["within_tolerance"] = (out["modelled_mw"] - out["reported_mw"]).abs() <= TOLERANCE * out["reported_mw"]
    return out


def installed_mw(dates: pd.DatetimeIndex, reconciled: pd.DataFrame) -> pd.Series:
    """The installed base at each date: as of the latest report on or before it, 0 before the first."""
    steps = pd.Series(reconciled["installed_mw"].to_numpy(), index=reconciled["date"])
    return steps.reindex(dates.union(steps.index)).ffill().fillna(0.0).reindex(dates)


def installed_rows(installed: pd.Series, nvidia_share: float) -> pd.DataFrame:
    """The installed base in the shape of ramp.online_capacity, split by the assumed vendor share."""
    parts = [(metrics.NVIDIA, nvidia_share), (OTHER_VENDOR, 1 - nvidia_share)]
    frames = [pd.DataFrame({"date": installed.index, "deal_id": INSTALLED_BASE, "vendor": name,
                            "attribution": metrics.ASSUMED,
                            **{level: installed.to_numpy() * share for level in LEVELS}})
              for name, share in parts]
    out = pd.concat(frames, ignore_index=True)
    return out[out["online_mw"] > 0]


def with_installed_base(online: pd.DataFrame, dates: pd.DatetimeIndex, reported: pd.Series,
                        nvidia_share: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ramp.online_capacity's rows with the installed base added (`reported`: reported_online),
    and the reconciliation behind it."""
    reconciled = gaps(online.groupby("date")["online_mw"].sum(), reported)
    layer = installed_rows(installed_mw(dates, reconciled), nvidia_share)
    return pd.concat([online, layer], ignore_index=True), reconciled
