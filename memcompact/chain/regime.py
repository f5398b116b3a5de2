"""Growth regime of a run (DESIGN 2.1 table, seed paper Fig. 3), from measured features.

==== ====== ====== ========================= ===================================
case mu     Gamma  nucleation                growth
==== ====== ====== ========================= ===================================
a    high   high   at the IE only            from the IE towards the AE, ample supply
b    low    low    inside the film, near AE  discrete clusters stepping to the IE
c    low    high   inside the film           gap filling back to the AE, then forward
d    high   low    at the IE only            from the IE, supply-limited (branched)
==== ====== ====== ========================= ===================================

The label is read from what the run did, not from its parameters:

* **where nucleation happened**: ``ie_share``, the share of the metal in the
  film that was reduced straight on the IE deposit (not absorbed from
  clusters), just before the film is bridged, or at the end (>= 0.5: at the
  IE);
* **growth direction** of film clusters: ``attached_fraction``, the mean
  share of cluster volume connected to the AE after the first nucleus
  (>= 0.8: the nuclei grew back and filled the gap to the AE, "backward");
* **supply-limited**: ``carried_fraction``, the time-averaged share of the
  source electrode's redox rate that ion transport carried away (>= 0.5:
  transport took what the electrode gave, growth was limited by the
  oxidation supply; small: ions piled up in front of it, transport-limited).

Film nucleation gives "c" when the nuclei grew back to the AE (gap filling)
and the supply was ample (not supply-limited), "b" otherwise; IE nucleation
gives "d" when supply-limited, "a" otherwise.
"""

from __future__ import annotations

import numpy as np

#: Thresholds of the classification (fractions).
IE_SHARE_THRESHOLD = 0.5
ATTACHED_THRESHOLD = 0.8
FILL_THRESHOLD = 1.0
#: Supply-limited: at its mean rate before bridging, the source would need longer
#: than this to supply one column of metal across the film [s].
SUPPLY_REFERENCE_S = 100.0
#: The film counts as bridged once no conductor gap is wider than this [m].
BRIDGED_GAP_M = 2e-9


def regime_features(params, traces, nucleations, state, history):
    """Measure the features the regime is read from.

    Parameters
    ----------
    params : ChainParams
        Parameters of the run.
    traces : dict of numpy.ndarray
        Per-sample traces of :class:`~memcompact.chain.simulate.ChainResult`.
    nucleations : list of tuple
        (time [s], x [m], id) of film nucleations.
    state : ChainState
        Final state.
    history : ClusterHistory
        Per-sample clusters.

    Returns
    -------
    dict
        ``nucleation_site`` ("ie" or "film"), ``growth_direction``
        ("ie_to_ae", "backward" or "forward"), ``supply_limited`` (bool),
        ``ie_share``, ``attached_fraction``, ``carried_fraction``,
        ``source_occupancy`` [-],
        ``first_nucleation_s``, ``first_ie_deposit_s`` [s] or None,
        ``mean_nucleation_x_rel`` (mean nucleation position / thickness [-]),
        ``front_advance_m`` (how far the film metal's front advanced from the
        first nucleus towards the IE [m]).
    """
    t = history.time_s
    # where the metal went before the chain bridged the film (afterwards the
    # IE deposit swallows the clusters it touches)
    bridged = np.nonzero(traces["largest_gap_m"] < BRIDGED_GAP_M)[0]
    k = max(int(bridged[0]) - 1, 0) if bridged.size else t.size - 1
    v_ie = traces["ie_direct_m3"][k]
    total = traces["ie_volume_m3"][k] + traces["cluster_volume_m3"][k]
    ie_share = float(v_ie / total) if total > 0 else 0.0
    site = "ie" if ie_share >= IE_SHARE_THRESHOLD else "film"
    first_nuc = nucleations[0][0] if nucleations else None
    active = t > (first_nuc if first_nuc is not None else 0.0)
    attached = float(np.mean(traces["attached_fraction"][active])) if active.any() else 0.0
    occ = float(np.mean(traces["source_occupancy"][1:])) if t.size > 1 else 0.0
    carried = state.supply_sum / state.supply_weight if state.supply_weight > 0 else 1.0
    column_m3 = np.pi * params.column_radius_m ** 2 * params.thickness_m
    rate = state.source_emitted_m3 / state.unbridged_s if state.unbridged_s > 0 else 0.0
    fill = rate * SUPPLY_REFERENCE_S / column_m3
    if site == "ie":
        direction = "ie_to_ae"
    else:
        direction = "backward" if attached >= ATTACHED_THRESHOLD else "forward"
    front = 0.0
    if nucleations:
        x0 = nucleations[0][1]
        fronts = [float(np.max(x + r)) for x, r in zip(history.x_m, history.radius_m) if x.size]
        front = max(fronts) - x0 if fronts else 0.0
    return {
        "nucleation_site": site,
        "growth_direction": direction,
        "supply_limited": bool(fill < FILL_THRESHOLD),
        "supply_fill_ratio": float(fill),
        "carried_fraction": float(carried),
        "ie_share": ie_share,
        "attached_fraction": attached,
        "source_occupancy": occ,
        "first_nucleation_s": first_nuc,
        "first_ie_deposit_s": state.ie_first_t,
        "mean_nucleation_x_rel": (float(np.mean([n[1] for n in nucleations])) / params.thickness_m
                                  if nucleations else None),
        "front_advance_m": front,
    }


def classify_regime(features):
    """Regime label "a", "b", "c" or "d" from :func:`regime_features`.

    Parameters
    ----------
    features : dict
        Output of :func:`regime_features`.
    """
    if features["nucleation_site"] == "ie":
        return "d" if features["supply_limited"] else "a"
    return "c" if features["growth_direction"] == "backward" else "b"
