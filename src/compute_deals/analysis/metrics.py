"""Derivations from the typed dataset: pure functions of data frames, no display concerns."""

from __future__ import annotations

import numpy as np
import pandas as pd

from compute_deals.facts.load import WINDOW_ENDS, WORDING
from compute_deals.facts.schema import LOWEST_RELIABILITY, RELIABILITY

NOT_REPORTED = "Not reported"
NVIDIA = "Nvidia"
# How a megawatt's vendor is known: named by the deal's source, inferred from other sources
# (inferred_vendors.csv), assumed by a parameter (the buyer's installed base), or not at all.
REPORTED, INFERRED, ASSUMED, UNATTRIBUTED = "reported", "inferred", "assumed", "unattributed"
ATTRIBUTIONS = (REPORTED, INFERRED, ASSUMED, UNATTRIBUTED)


def deals_of(deals: pd.DataFrame, buyer: str) -> pd.DataFrame:
    """The buyer's deals, oldest announcement first. Raises if the data has none for that buyer."""
    chosen = deals[deals["buyer"] == buyer]
    if chosen.empty:
        buyers = ", ".join(sorted(deals["buyer"].unique()))
        raise ValueError(f"no deals for buyer {buyer!r}; buyers in the data: {buyers}")
    return chosen.sort_values(["announced", "deal_id"], kind="stable").reset_index(drop=True)


def vendor(deals: pd.DataFrame) -> pd.Series:
    """The accelerator vendor of each deal, with blanks named as not reported."""
    return deals["accelerator_vendor"].replace("", NOT_REPORTED)


def _inferred(deals: pd.DataFrame) -> pd.Series:
    """vendor_inferred, blank for frames built without it (no inference)."""
    return deals["vendor_inferred"] if "vendor_inferred" in deals else pd.Series("", index=deals.index)


def attributed_vendor(deals: pd.DataFrame) -> pd.Series:
    """Each deal's vendor as reported, else as inferred, else "Not reported"."""
    return deals["accelerator_vendor"].where(deals["accelerator_vendor"] != "",
                                             _inferred(deals)).replace("", NOT_REPORTED)


def attribution(deals: pd.DataFrame) -> pd.Series:
    """How each deal's vendor is known: reported, inferred or unattributed."""
    reported, inferred = deals["accelerator_vendor"] != "", _inferred(deals) != ""
    return pd.Series(np.select([reported, inferred], [REPORTED, INFERRED], UNATTRIBUTED),
                     index=deals.index)


def worded(deals: pd.DataFrame, end: str) -> pd.Series:
    """Whether each deal's window `end` (deploy_start or deploy_end) was coded from words."""
    return deals.get(f"{end}_basis", pd.Series("", index=deals.index)) == WORDING


def best_reliability(rows: pd.DataFrame, sources: pd.DataFrame) -> pd.Series:
    """The best reliability grade among each row's sources (schema.RELIABILITY, best first): what
    the row's figures rest on at best. A source id the sources lack counts as the lowest grade."""
    rank = dict(zip(sources["source_id"], sources["reliability"].map(RELIABILITY.index)))
    worst = len(RELIABILITY) - 1
    best = rows["sources"].map(lambda ids: min((rank.get(s, worst) for s in ids), default=worst))
    return best.map(lambda position: RELIABILITY[position])


def rests_on_lowest_grade(rows: pd.DataFrame, sources: pd.DataFrame) -> pd.Series:
    """Whether each row's sources are all of the lowest grade (copies, aggregators, blogs)."""
    return best_reliability(rows, sources) == LOWEST_RELIABILITY


def record_through(deals: pd.DataFrame, sources: pd.DataFrame) -> pd.Timestamp:
    """How far the record of these deals goes: the newest publication date among the sources they
    cite, or the newest announcement where no cited source shows a date."""
    cited = set(deals["sources"].explode())
    published = sources.loc[sources["source_id"].isin(cited), "published"]
    return max(published.max(), deals["announced"].max()) if published.notna().any() \
        else deals["announced"].max()


def deal_labels(deals: pd.DataFrame) -> pd.Series:
    """A short unique label per deal: counterparty and month announced, deal_id if still ambiguous."""
    labels = deals["counterparty"] + " (" + deals["announced"].dt.strftime("%b %Y") + ")"
    ambiguous = labels.duplicated(keep=False)
    return labels.where(~ambiguous, labels + " · " + deals["deal_id"])


def timeline(deals: pd.DataFrame) -> pd.DataFrame:
    """One row per deal: when it was announced and the window its capacity comes online in."""
    return pd.DataFrame(
        {
            "deal_id": deals["deal_id"],
            "deal": deal_labels(deals),
            "counterparty": deals["counterparty"],
            "vendor": vendor(deals),
            "status": deals["status"],
            "announced": deals["announced"],
            "deploy_start": deals["deploy_start"],
            "deploy_end": deals["deploy_end"],
        }
    )


def overview(deals: pd.DataFrame) -> dict[str, object]:
    """Headline counts and dates for one buyer's deals (the numbers the prose glues in)."""
    return {
        "n_deals": len(deals),
        "n_counterparties": deals["counterparty"].nunique(),
        "n_with_window": int(deals[["deploy_start", "deploy_end"]].notna().all(axis=1).sum()),
        "first_announced": deals["announced"].min(),
        "last_announced": deals["announced"].max(),
    }


def counted(deals: pd.DataFrame, statuses: list[str]) -> pd.DataFrame:
    """The deals whose status is one of `statuses` (a notebook parameter)."""
    return deals[deals["status"].isin(statuses)].reset_index(drop=True)


def buyer_deals(deals: pd.DataFrame, buyer: str, statuses: list[str]) -> pd.DataFrame:
    """The buyer's deals that count (oldest first), superseded rows included."""
    return counted(deals_of(deals, buyer), list(statuses))


def reading(frame: pd.DataFrame, column: str, level: str) -> pd.Series:
    """A reported figure at one end of its range (level "_low" or "_high", or "" for the
    headline); the headline where no range is reported."""
    return frame[f"{column}{level}"].fillna(frame[column])


def labels_by_id(deals: pd.DataFrame) -> dict[str, str]:
    """Each deal's label (deal_labels) by its deal_id."""
    return dict(zip(deals["deal_id"], deal_labels(deals)))


def current(deals: pd.DataFrame) -> pd.DataFrame:
    """The rows that still hold: superseded rows are left out, because the row that replaced each
    restates what still holds (data/README.md, supersede convention)."""
    return deals[deals["status"] != "superseded"].reset_index(drop=True)


NETTED = (("value_usd", "value_usd_low", "value_usd_high"),
          ("capacity_mw", "capacity_mw_low", "capacity_mw_high"))


def covered_by_parts(deals: pd.DataFrame, column: str) -> pd.Series:
    """Per deal, how much of `column` the deals within it (part_of) account for: each part's own
    figure, or what its own parts account for where that is larger or the part reports none."""
    figure = dict(zip(deals["deal_id"].tolist(), deals[column].tolist()))
    linked = deals[deals["part_of"] != ""]
    parts: dict[str, list[str]] = {}
    for deal_id, umbrella in zip(linked["deal_id"].tolist(), linked["part_of"].tolist()):
        if umbrella in figure:  # an umbrella left out (status, buyer) covers nothing
            parts.setdefault(umbrella, []).append(deal_id)
    totals: dict[str, float] = {}

    def covered(deal_id: str) -> float:
        return sum(total(part) for part in parts.get(deal_id, []))

    def total(deal_id: str) -> float:  # part_of has no loops (validate.part_of_problems)
        if deal_id not in totals:
            inside, own = covered(deal_id), figure[deal_id]
            totals[deal_id] = inside if pd.isna(own) else max(own, inside)
        return totals[deal_id]

    out = pd.Series(0.0, index=deals.index)
    umbrellas = deals["deal_id"].isin(parts)
    out[umbrellas] = deals.loc[umbrellas, "deal_id"].map(covered)
    return out


def summable(deals: pd.DataFrame) -> pd.DataFrame:
    """Deals whose figures may be added up: the current rows, each umbrella agreement's value and
    capacity (and their ranges) reduced by what the deals within it account for, never below
    zero, so that a sum counts the parts in full and the umbrella only for what they leave (as a
    deal's tranches and the rest of it). net_of_parts marks the umbrellas so reduced."""
    out = current(deals)
    reduced = pd.Series(False, index=out.index)
    for headline, *ends in NETTED:
        inside = covered_by_parts(out, headline)
        if not (inside > 0).any():
            continue
        for column in (headline, *ends):
            out[column] = (out[column] - inside).clip(lower=0).where(inside > 0, out[column])
        reduced |= (inside > 0) & out[headline].notna()
    out["net_of_parts"] = reduced
    return out
