"""Run the cluster-chain simulator: :func:`simulate_chain` -> :class:`ChainResult`.

Adaptive, event-resolving time stepping (no fixed tiny dt): each step is as
long as the limits allow (relative change of every cluster volume, change of
every narrow gap and of the AE contact, the next nucleation event, the ion
profile's change, the next output sample), so quiet stretches take few steps
and abrupt ones many.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from memcompact.chain.params import validate
from memcompact.chain.regime import classify_regime, regime_features
from memcompact.chain.state import ChainState
from memcompact.chain.step import advance, choose_step, compute_rates
from memcompact.errors import InputError
from memcompact.events import detect_events
from memcompact.io import ITCurve
from memcompact.progress import Progress

#: Gaps narrower than this count as touching [m] (for the attached fraction).
TOUCH_M = 0.3e-9
#: Noise floor used for event detection on simulated curves [A].
SIM_NOISE_FLOOR_A = 1e-13
#: An ECM jump must add at least this current [A] (the paper: "> 1 mA", Fig. 6a).
ECM_MIN_RISE_A = 1e-3
#: Formation must reach at least this current [A]: a conducting chain, not a flicker.
FORM_MIN_A = 1e-7


@dataclass
class ClusterHistory:
    """Clusters at each output sample: lists of arrays, one entry per sample.

    Attributes
    ----------
    time_s : numpy.ndarray
        Sample times [s].
    ids : list of numpy.ndarray
        Cluster ids (stable over a cluster's life; a merged cluster keeps the
        id of the larger one).
    x_m : list of numpy.ndarray
        Centre positions [m] (0: AE surface, thickness_m: IE).
    radius_m : list of numpy.ndarray
        Radii [m].
    reduction_per_s : list of numpy.ndarray
        Gamma_red: ions reduced per second on the upstream pole [1/s].
    oxidation_per_s : list of numpy.ndarray
        Gamma_ox: ions oxidised per second on the downstream pole [1/s].
    """

    time_s: np.ndarray
    ids: list = field(default_factory=list)
    x_m: list = field(default_factory=list)
    radius_m: list = field(default_factory=list)
    reduction_per_s: list = field(default_factory=list)
    oxidation_per_s: list = field(default_factory=list)

    def track(self, cluster_id):
        """History of one cluster: dict of arrays ``time_s, x_m, radius_m, reduction_per_s, oxidation_per_s``."""
        out = {k: [] for k in ("time_s", "x_m", "radius_m", "reduction_per_s", "oxidation_per_s")}
        for k, ids in enumerate(self.ids):
            hit = np.nonzero(ids == cluster_id)[0]
            if hit.size:
                j = int(hit[0])
                out["time_s"].append(self.time_s[k])
                out["x_m"].append(self.x_m[k][j])
                out["radius_m"].append(self.radius_m[k][j])
                out["reduction_per_s"].append(self.reduction_per_s[k][j])
                out["oxidation_per_s"].append(self.oxidation_per_s[k][j])
        return {k: np.array(v) for k, v in out.items()}

    def all_ids(self):
        """Every cluster id that appears in the history, sorted."""
        return sorted({int(i) for ids in self.ids for i in ids})

    def flat(self):
        """All (time [s], x [m], radius [m], id) rows as four arrays (for plots)."""
        if not self.ids or not sum(a.size for a in self.ids):
            return np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0, dtype=int)
        t = np.concatenate([np.full(a.size, self.time_s[k]) for k, a in enumerate(self.ids)])
        return t, np.concatenate(self.x_m), np.concatenate(self.radius_m), np.concatenate(self.ids)


@dataclass
class ChainResult:
    """Outcome of :func:`simulate_chain`.

    Attributes
    ----------
    params : ChainParams
        Parameters used.
    seed : int
        Seed of the random generator.
    curve : ITCurve
        Current vs time (metadata: metal, voltage, thickness, seed).
    clusters : ClusterHistory
        Per-cluster positions, radii and rates at each sample.
    traces : dict of numpy.ndarray
        Per-sample state: ``temperature_K``, ``reservoir_m3``,
        ``contact_gap_m`` (AE recess), ``ie_height_m``, ``ie_radius_m``,
        ``ie_volume_m3``, ``cluster_volume_m3``, ``largest_gap_m``,
        ``metal_moment_m4`` (first moment of film metal), ``film_metal_m3``,
        ``source_occupancy`` (ion occupancy in front of the source),
        ``attached_fraction`` (cluster volume connected to the AE),
        ``device_voltage_V``, ``n_clusters``, ``ie_direct_m3`` (metal reduced
        on the IE deposit straight from drifting ions, not from absorbed
        clusters).
    nucleations : list of tuple
        (time [s], position [m], cluster id) of every nucleation in the film.
    events : dict
        From :func:`memcompact.events.detect_events`.
    features : dict
        Measured features the regime is read from (:func:`regime_features`).
    regime : str
        Growth regime "a".."d" (DESIGN 2.1).
    n_steps : int
        Time steps taken.
    wall_time_s : float
        Run time [s].
    """

    params: object
    seed: int
    curve: ITCurve
    clusters: ClusterHistory
    traces: dict
    nucleations: list
    events: dict
    features: dict
    regime: str
    n_steps: int
    wall_time_s: float

    @property
    def time_s(self):
        """Sample times [s]."""
        return self.curve.time_s

    @property
    def current_A(self):
        """Current [A]."""
        return self.curve.current_A

    def summary(self):
        """JSON-ready dictionary: regime, events, features, run figures and parameters."""
        ev = {k: (None if v is None else float(v)) for k, v in self.events.items()}
        first = self.nucleations[0] if self.nucleations else None
        return {
            "regime": self.regime,
            "events": ev,
            "features": {k: (v if not isinstance(v, float) or math.isfinite(v) else None)
                         for k, v in self.features.items()},
            "metal": self.params.metal,
            "voltage_V": self.curve.metadata.get("voltage_V"),
            "thickness_m": self.params.thickness_m,
            "duration_s": float(self.curve.time_s[-1]),
            "seed": self.seed,
            "n_nucleations": len(self.nucleations),
            "first_nucleation": None if first is None else {"time_s": first[0], "x_m": first[1]},
            "final": {
                "current_A": float(self.curve.current_A[-1]),
                "temperature_K": float(self.traces["temperature_K"][-1]),
                "n_clusters": int(self.traces["n_clusters"][-1]),
                "ie_height_m": float(self.traces["ie_height_m"][-1]),
                "contact_gap_m": float(self.traces["contact_gap_m"][-1]),
            },
            "max_temperature_K": float(np.max(self.traces["temperature_K"])),
            "n_steps": self.n_steps,
            "wall_time_s": self.wall_time_s,
            "parameters": self.params.to_dict(),
        }


def _voltage_function(voltage_V):
    if callable(voltage_V):
        return voltage_V, "waveform"
    try:
        v = float(voltage_V)
    except (TypeError, ValueError):
        raise InputError(f"voltage must be a number [V] or a callable v(t), got {voltage_V!r}") from None
    if not math.isfinite(v):
        raise InputError(f"voltage must be finite, got {voltage_V!r}")
    return (lambda t: v), v


def simulate_chain(params, voltage_V, duration_s, seed=0, n_samples=1000, progress=False,
                   max_step_s=None, max_steps=2_000_000, aperture_s=0.0):
    """Simulate the cluster chain under a constant voltage or a waveform.

    Parameters
    ----------
    params : ChainParams
        Parameters (e.g. ``preset("Ag")``).
    voltage_V : float or callable
        Applied voltage on the AE [V], or a function ``v(t)`` of time [s] -> [V].
    duration_s : float
        Simulated time [s], > 0.
    seed : int
        Seed of the numpy Generator (defect map, nucleation events).
    n_samples : int
        Output samples, evenly spaced from 0 to ``duration_s`` (>= 10).
    progress : bool
        Show progress on stderr.
    max_step_s : float, optional
        Largest time step [s] (use with fast waveforms). Default:
        ``duration_s / 200``. Output samples that fall inside a step take the
        state at the end of that step.
    max_steps : int
        Safety limit on the number of steps.
    aperture_s : float or "interval"
        Integration time of the current measurement [s], as an SMU's or
        electrometer's aperture (NPLC times the line period): each output
        current is the charge that flowed during the ``aperture_s`` before its
        sample time, divided by ``aperture_s``. ``0`` (default) samples the
        current instantaneously; ``"interval"`` integrates over the whole
        sampling interval (back-to-back readings). While the chain bridges the
        film its current flickers over several decades within fractions of a
        second (clusters touching and separating); an instrument reports the
        mean. The other traces stay instantaneous.

    Returns
    -------
    ChainResult

    Raises
    ------
    InputError
        Non-positive duration, too few samples, bad voltage.
    ParameterError
        Invalid parameters.
    RuntimeError
        The step limit was reached (the message says at which time).
    """
    validate(params)
    if not (isinstance(duration_s, (int, float)) and math.isfinite(duration_s) and duration_s > 0):
        raise InputError(f"duration must be a positive number of seconds, got {duration_s!r}")
    if int(n_samples) < 10:
        raise InputError(f"n_samples must be at least 10, got {n_samples!r}")
    vfun, vlabel = _voltage_function(voltage_V)
    aperture = _aperture_s(aperture_s, float(duration_s), int(n_samples))
    wall0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    st = ChainState(params, rng)
    t_samples = np.linspace(0.0, float(duration_s), int(n_samples))
    dt_limit = float(duration_s) / 200.0 if max_step_s is None else float(max_step_s)
    rec = _Recorder(len(t_samples))
    v_now = vfun(0.0)
    rt = compute_rates(st, v_now)
    rec.record(st, rt, v_now)
    k_next = 1
    dt_prev = dt_limit * 1e-6
    ion_factor = 1.0
    steps = 0
    end = float(duration_s)
    charge = _ChargeCounter()
    with Progress("chain", total=end, unit=" s", enabled=progress) as bar:
        while k_next < len(t_samples):
            cap = min(end - st.t, dt_limit, 2.0 * dt_prev * ion_factor)
            dt = choose_step(st, rt, cap)
            change = advance(st, rt, dt)
            ion_factor = min(1.0, 0.3 / change) if change > 0 else 1.0
            dt_prev = dt
            steps += 1
            if steps >= max_steps:
                raise RuntimeError(f"chain simulation reached max_steps={max_steps} at t={st.t:.6g} s")
            if end - st.t <= 1e-12 * end:
                st.t = end
            v_now = vfun(st.t)
            rt = compute_rates(st, v_now)
            # the step's current is its end state's, as the sample-and-hold output has it
            charge.add(st.t, rt.current_A)
            # samples passed during this step take the state at its end (sample and hold)
            while k_next < len(t_samples) and t_samples[k_next] <= st.t * (1 + 1e-12):
                rec.record(st, rt, vfun(t_samples[k_next]))
                k_next += 1
            bar.update(st.t, note=f"{st.x.size} clusters, I={rt.current_A:.2e} A")
    current = np.array(rec.current)
    if aperture > 0:
        current = charge.mean_current_A(t_samples, aperture, current)
    metadata = {"aperture_s": aperture} if aperture > 0 else {}
    curve = ITCurve(time_s=t_samples, current_A=current, voltage_V=np.array(rec.voltage),
                    metadata={**metadata, "source": "memcompact chain", "metal": params.metal,
                              "voltage_V": vlabel, "thickness_m": params.thickness_m, "seed": seed,
                              "series_resistance_ohm": params.series_resistance_Ohm,
                              "compliance_A": params.compliance_A})
    events = detect_events(curve.time_s, curve.current_A, noise_floor_A=SIM_NOISE_FLOOR_A,
                           ecm_min_rise_A=ECM_MIN_RISE_A, form_min_A=FORM_MIN_A)
    traces = {k: np.array(v) for k, v in rec.traces.items()}
    hist = ClusterHistory(time_s=t_samples, ids=rec.ids, x_m=rec.x, radius_m=rec.r,
                          reduction_per_s=rec.red, oxidation_per_s=rec.ox)
    features = regime_features(params, traces, st.nucleations, st, hist)
    return ChainResult(params=params, seed=seed, curve=curve, clusters=hist, traces=traces,
                       nucleations=list(st.nucleations), events=events, features=features,
                       regime=classify_regime(features), n_steps=steps,
                       wall_time_s=time.perf_counter() - wall0)


def _aperture_s(aperture_s, duration_s, n_samples):
    """The measurement aperture [s] from ``aperture_s`` (a number or ``"interval"``)."""
    if isinstance(aperture_s, str) and aperture_s.strip().lower() == "interval":
        return duration_s / (n_samples - 1)
    try:
        value = float(aperture_s)
    except (TypeError, ValueError):
        raise InputError(f"aperture must be a time in seconds or 'interval', got {aperture_s!r}") from None
    if not (math.isfinite(value) and 0.0 <= value <= duration_s):
        raise InputError(f"aperture must be between 0 and the duration ({duration_s:g} s), got {aperture_s!r}")
    return value


class _ChargeCounter:
    """Charge that has flowed through the device: piecewise linear in time (one current per step)."""

    def __init__(self):
        self.time_s, self.charge_C = [0.0], [0.0]

    def add(self, t_end_s, current_A):
        """The step ending at ``t_end_s`` [s] carried ``current_A`` [A] since the previous step's end."""
        self.charge_C.append(self.charge_C[-1] + current_A * (t_end_s - self.time_s[-1]))
        self.time_s.append(t_end_s)

    def mean_current_A(self, t_samples_s, aperture_s, instantaneous_A):
        """Mean current [A] over ``[t - aperture_s, t]`` at each sample time ``t`` [s].

        Samples earlier than one aperture keep their instantaneous value (the
        first reading of an instrument is taken at the start of the stress).
        """
        t = np.asarray(self.time_s)
        q = np.asarray(self.charge_C)
        t_samples_s = np.asarray(t_samples_s, dtype=float)
        start = t_samples_s - aperture_s
        mean = (np.interp(t_samples_s, t, q) - np.interp(start, t, q)) / aperture_s
        return np.where(start >= -1e-12 * max(t[-1], 1.0), mean, instantaneous_A)


class _Recorder:
    """Collects the per-sample output."""

    NAMES = ("temperature_K", "reservoir_m3", "contact_gap_m", "ie_height_m", "ie_radius_m", "ie_volume_m3",
             "cluster_volume_m3", "largest_gap_m", "metal_moment_m4", "film_metal_m3", "source_occupancy",
             "attached_fraction", "device_voltage_V", "n_clusters", "ie_direct_m3")

    def __init__(self, n):
        self.current, self.voltage = [], []
        self.ids, self.x, self.r, self.red, self.ox = [], [], [], [], []
        self.traces = {k: [] for k in self.NAMES}

    def record(self, st, rt, v):
        self.current.append(rt.current_A)
        self.voltage.append(float(v))
        self.ids.append(st.ids.copy())
        self.x.append(st.x.copy())
        self.r.append(st.r.copy())
        self.red.append(st.cap_rate.copy())
        self.ox.append(st.ox_rate.copy())
        tr = self.traces
        tr["temperature_K"].append(st.temperature_K)
        tr["reservoir_m3"].append(st.reservoir_m3)
        tr["contact_gap_m"].append(-st.ae_surface_m)
        tr["ie_height_m"].append(st.ie_height_m)
        tr["ie_radius_m"].append(st.ie_radius_m)
        tr["ie_volume_m3"].append(st.ie_volume_m3)
        tr["cluster_volume_m3"].append(float(st.volumes().sum()))
        tr["largest_gap_m"].append(float(rt.conductor_gaps.max()))
        tr["metal_moment_m4"].append(st.metal_moment_m4())
        tr["film_metal_m3"].append(st.film_metal_m3())
        first = rt.free_cells[0] if rt.free_cells.size else None
        tr["source_occupancy"].append(0.0 if first is None else float(st.ions[first] / st.n_max))
        tr["attached_fraction"].append(st.attached_fraction(TOUCH_M))
        tr["device_voltage_V"].append(rt.device_voltage_V)
        tr["n_clusters"].append(st.x.size)
        tr["ie_direct_m3"].append(st.ie_reduced_m3)
