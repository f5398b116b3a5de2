"""On-chip training of a digits classifier through the compact model (issue 7).

A single-layer classifier, 64 inputs x 10 classes, on the 8x8 digits set
bundled with scikit-learn. Each weight is a differential pair of devices,

.. math::

    w_{ij} = (G^+_{ij} - G^-_{ij}) / G_\\mathrm{ref},

with ``G_ref`` the nominal device's conductance at the smallest tunnelling
gap. Inputs are read-voltage amplitudes ``V_i = V_read * pixel_i / 16`` on the
rows; the column currents ``I_j = sum_i V_i (G+_ij - G-_ij)`` (a vector-matrix
multiply, VMM) give the logits ``z_j = gain * I_j / (V_read * G_ref)`` of a
softmax cross-entropy classifier.

The weights change ONLY by voltage pulses through the compact model: for a
mini-batch the gradient of the loss asks for a weight change ``-lr * grad``;
that change becomes a number of pulses per device pair (the requested change
over the expected change of one pulse, stochastically rounded, at most
``max_pulses``). To raise a weight, ``G+`` gets SET pulses (positive on the
active electrode: the filament grows, the tunnelling gap shrinks) and ``G-``
RESET pulses (negative: the filament dissolves); to lower it, the reverse. One
call of :func:`memcompact.model.integrate` serves the whole batch update: all
pulsed devices at once, each continuing from its own state (``y0``), its own
parameters (device-to-device spread, :func:`~memcompact.model.variability.sample_devices`)
and its own pulse polarity and amplitude (``voltage_scale``, with a small
cycle-to-cycle amplitude jitter); each device's state is taken after its own
number of pulses. The steps are therefore what the model gives: exponential in
the gap (nonlinear), different for SET and RESET (asymmetric), and dependent
on each device's state and parameters.

The reference is the same network (same logits, loss, gain, batches, learning
rate and epochs) trained in floating point, its weights clipped to [-1, 1].
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from memcompact.errors import InputError
from memcompact.model import compiled, conductance, integrate, pulse_train
from memcompact.model.stimulus import pulse_centers
from memcompact.model.variability import DEFAULT_SPREAD, Spread, sample_devices
from memcompact.progress import Progress

N_INPUTS = 64
N_CLASSES = 10
#: Devices in the array: a (64, 10) array of G+ devices followed by one of G- devices.
N_DEVICES = 2 * N_INPUTS * N_CLASSES


@dataclass(frozen=True)
class DigitsSettings:
    """Settings of the digits study.

    Attributes
    ----------
    epochs : int
        Passes over the training set.
    batch_size : int
        Samples per mini-batch (one weight update, one ``integrate`` call).
    learning_rate : float
        Step of the gradient rule on the normalised weights [1].
    gain : float
        Logit per unit normalised weight and unit input (sense-amplifier gain) [1].
    read_voltage_V : float
        Row voltage of a full-scale pixel (16) [V].
    set_voltage_V : float
        SET pulse amplitude (positive on the active electrode) [V].
    reset_voltage_V : float
        RESET pulse amplitude, magnitude (applied negative) [V].
    pulse_width_s : float
        Pulse width at full amplitude [s] (1 ns edges).
    max_pulses : int
        Most pulses one device gets in one update.
    series_resistance_ohm : float
        Driver resistance in series with a device during programming [Ohm].
    initial_gap_nm : float
        Tunnelling gap every device is prepared at (formed, then partly reset) [nm].
    spread_scale : float
        Multiplies the sigmas of the default device-to-device spread
        (:data:`~memcompact.model.variability.DEFAULT_SPREAD`) and of the
        cycle-to-cycle amplitude jitter; 0 = identical, ideal devices.
    cycle_jitter : float
        Relative standard deviation of the pulse amplitude seen by a device,
        redrawn per device and per update (cycle-to-cycle spread), at spread_scale 1 [1].
    balance : bool
        Program-and-verify every pair to a zero weight before training
        (:func:`balance_pairs`).
    tune_pulses : bool
        Replace the SET and RESET amplitudes by those that move the nominal
        device of the card by :data:`TARGET_PULSE_STEP` per pulse
        (:func:`tune_pulse_voltages`); for cards other than ``ag_sio2``.
    learning_rate_decay : float
        Learning rate of epoch e is ``learning_rate / (1 + learning_rate_decay * e)`` [1].
    test_fraction : float
        Share of the 1797 digits held out for testing (stratified).
    seed : int
        Seed of the split, the devices, the shuffling, the rounding and the jitter.
    """

    epochs: int = 30
    batch_size: int = 50
    learning_rate: float = 0.03
    gain: float = 8.0
    read_voltage_V: float = 0.2
    set_voltage_V: float = 3.3
    reset_voltage_V: float = 1.42
    pulse_width_s: float = 2.5e-5
    max_pulses: int = 16
    series_resistance_ohm: float = 1000.0
    initial_gap_nm: float = 0.8
    spread_scale: float = 1.0
    cycle_jitter: float = 0.005
    test_fraction: float = 0.25
    seed: int = 1
    balance: bool = True
    tune_pulses: bool = False
    learning_rate_decay: float = 0.2

    def __post_init__(self):
        checks = {
            "epochs": self.epochs >= 1 and int(self.epochs) == self.epochs,
            "batch_size": self.batch_size >= 1 and int(self.batch_size) == self.batch_size,
            "max_pulses": self.max_pulses >= 1 and int(self.max_pulses) == self.max_pulses,
            "spread_scale": np.isfinite(self.spread_scale) and self.spread_scale >= 0,
            "cycle_jitter": np.isfinite(self.cycle_jitter) and self.cycle_jitter >= 0,
            "test_fraction": 0.05 <= self.test_fraction <= 0.9,
            "series_resistance_ohm": np.isfinite(self.series_resistance_ohm) and self.series_resistance_ohm >= 0,
        }
        for name in ("learning_rate", "gain", "read_voltage_V", "set_voltage_V", "reset_voltage_V",
                     "pulse_width_s", "initial_gap_nm"):
            value = getattr(self, name)
            checks[name] = bool(np.isfinite(value) and value > 0)
        for name, ok in checks.items():
            if not ok:
                raise InputError(f"digits setting {name}: invalid value {getattr(self, name)!r}")


#: The quick setting (tests, ``--quick``): fewer epochs, larger batches.
QUICK = {"epochs": 4, "batch_size": 100, "learning_rate": 0.06, "learning_rate_decay": 0.5}


def load_digits_split(test_fraction=0.25, seed=1):
    """The 8x8 digits bundled with scikit-learn, split seeded and stratified.

    Parameters
    ----------
    test_fraction : float
        Share of samples held out for testing.
    seed : int
        Seed of the split.

    Returns
    -------
    x_train, x_test : numpy.ndarray
        Pixels scaled to [0, 1] (pixel / 16), shapes (n, 64).
    y_train, y_test : numpy.ndarray
        Class labels 0-9.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = digits.data / 16.0
    return tuple(train_test_split(x, digits.target, test_size=test_fraction, random_state=seed,
                                  stratify=digits.target))


def device_spread(scale):
    """Default device-to-device spread with every sigma multiplied by ``scale`` (0: none).

    Parameters
    ----------
    scale : float
        Factor on the sigmas of :data:`~memcompact.model.variability.DEFAULT_SPREAD` [1].

    Returns
    -------
    dict
        {name: Spread}; empty for ``scale == 0``.
    """
    if scale == 0:
        return {}
    return {name: Spread(s.distribution, s.sigma * scale, s.meaning, s.cycle_to_cycle)
            for name, s in DEFAULT_SPREAD.items()}


def _states_tuple(y):
    return tuple(y[j] for j in range(4))


def device_conductance_S(state, params):
    """Conductance [S] of every device from its states ``state`` (4, N) (read at low voltage)."""
    return np.broadcast_to(conductance(_states_tuple(np.asarray(state)), params), np.shape(state)[1:]).astype(float)


def _subset(params, idx, n):
    return {k: (np.asarray(v)[idx] if np.ndim(v) == 1 and np.size(v) == n else v) for k, v in params.items()}


def apply_pulses(params, state, n_pulses, pulse_V, settings, jitter=None):
    """Apply ``n_pulses[k]`` pulses of ``pulse_V[k]`` to device k; return the new states.

    One :func:`~memcompact.model.integrate` call for all pulsed devices: the
    stimulus is a train of ``max(n_pulses)`` unit pulses, scaled per device by
    its amplitude (``voltage_scale``); each device keeps its state after its
    own number of pulses.

    Parameters
    ----------
    params : dict
        Per-device parameters (arrays of shape (N,)) or scalars.
    state : numpy.ndarray
        States (4, N) before the pulses.
    n_pulses : numpy.ndarray
        Pulses per device (N,), >= 0 integers.
    pulse_V : numpy.ndarray
        Pulse amplitude per device (N,) [V], signed (> 0: SET).
    settings : DigitsSettings
        Pulse width and series resistance.
    jitter : numpy.ndarray, optional
        Relative amplitude error per device (N,) (cycle-to-cycle spread) [1].

    Returns
    -------
    numpy.ndarray
        States (4, N) after the pulses.
    """
    state = np.asarray(state, dtype=float)
    n = state.shape[1]
    n_pulses = np.asarray(n_pulses, dtype=int)
    active = np.nonzero(n_pulses > 0)[0]
    new = state.copy()
    if active.size == 0:
        return new
    count = int(n_pulses[active].max())
    width = settings.pulse_width_s
    period = 2.0 * width + 1e-6
    stimulus = pulse_train(np.ones(count), width, period)
    t_read = pulse_centers(count, width, period)
    amplitude = np.asarray(pulse_V, dtype=float)[active]
    if jitter is not None:
        amplitude = amplitude * (1.0 + np.asarray(jitter)[active])
    sol = integrate(_subset(params, active, n), stimulus, t_eval=t_read, y0=state[:, active],
                    n_devices=active.size, series_resistance_ohm=settings.series_resistance_ohm,
                    voltage_scale=amplitude)
    pick = n_pulses[active] - 1
    for j, name in enumerate(compiled.STATE_NAMES):
        new[j, active] = sol.states[name][np.arange(active.size), pick]
    return new


def pulse_response(params, settings, n_set=40, n_reset=40, initial_gap_nm=None):
    """Conductance after each of ``n_set`` SET then ``n_reset`` RESET pulses.

    Parameters
    ----------
    params : dict
        Device parameters (scalars, or arrays (N,) for N devices).
    settings : DigitsSettings
        Pulse amplitudes, width, series resistance, initial gap.
    n_set, n_reset : int
        Number of SET and RESET pulses.
    initial_gap_nm : float, optional
        Starting gap [nm] (default ``settings.initial_gap_nm``).

    Returns
    -------
    numpy.ndarray
        Conductance [S], shape (N, 1 + n_set + n_reset): before any pulse, then after each.
    """
    n = max([np.size(v) for v in params.values() if np.ndim(v) == 1] or [1])
    y0 = initial_states(params, n, initial_gap_nm or settings.initial_gap_nm)
    width = settings.pulse_width_s
    period = 2.0 * width + 1e-6
    amps = [settings.set_voltage_V] * n_set + [-settings.reset_voltage_V] * n_reset
    t_read = np.r_[0.0, pulse_centers(len(amps), width, period)]
    sol = integrate(params, pulse_train(amps, width, period), t_eval=t_read, y0=y0, n_devices=n,
                    series_resistance_ohm=settings.series_resistance_ohm)
    states = np.array([sol.states[name] for name in compiled.STATE_NAMES])  # (4, N, T)
    columns = {k: (np.asarray(v)[:, None] if np.ndim(v) == 1 else v) for k, v in params.items()}
    return np.asarray(np.broadcast_to(conductance(tuple(states), columns), states.shape[1:]), dtype=float)


def initial_states(params, n, gap_nm):
    """States (4, n) of formed devices prepared at a tunnelling gap ``gap_nm`` [nm].

    Nucleated (1.1, the state's upper bound), filament radius at its floor,
    full active-electrode reservoir.
    """
    radius = np.broadcast_to(np.asarray(params["radius_initial_m"], dtype=float) * 1e9, (n,))
    return np.array([np.full(n, 1.1), np.full(n, float(gap_nm)), radius, np.ones(n)])


def reference_conductance_S(params):
    """Conductance [S] of the nominal device at its smallest gap: the weight scale ``G_ref``."""
    nominal = {k: (np.mean(v) if np.ndim(v) == 1 else v) for k, v in params.items()}
    y = initial_states(nominal, 1, nominal["gap_min_m"] * 1e9)
    return float(device_conductance_S(y, nominal)[0])


def _softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _gradient(x, y, weights, gain):
    """Gradient of the mean cross-entropy with respect to the normalised weights (64, 10)."""
    p = _softmax(gain * x @ weights)
    p[np.arange(y.size), y] -= 1.0
    return gain * x.T @ p / y.size


def accuracy(x, y, weights):
    """Share of samples whose largest column output is the right class."""
    return float(np.mean(np.argmax(x @ weights, axis=1) == y))


def vmm_currents_A(row_voltages_V, g_plus_S, g_minus_S):
    """Column currents [A] of the differential array: ``V @ (G+ - G-)``.

    Parameters
    ----------
    row_voltages_V : numpy.ndarray
        Row voltages [V], shape (..., 64).
    g_plus_S, g_minus_S : numpy.ndarray
        Conductances [S], shape (64, 10).
    """
    return np.asarray(row_voltages_V) @ (np.asarray(g_plus_S) - np.asarray(g_minus_S))


@dataclass
class DigitsResult:
    """Outcome of :func:`run_digits_study`.

    Attributes
    ----------
    settings : DigitsSettings
    curve : dict
        Per epoch (index 0 = before training): ``epoch``, ``device_train``,
        ``device_test``, ``float_train``, ``float_test`` accuracies.
    g_plus_S, g_minus_S : numpy.ndarray
        Trained conductances [S], shape (64, 10).
    state : numpy.ndarray
        Final states of all devices (4, 1280): G+ devices first (row-major 64 x 10), then G-.
    params : dict
        Per-device parameters of the array.
    float_weights : numpy.ndarray
        Trained floating-point weights (64, 10), normalised.
    reference_conductance_S : float
        ``G_ref`` [S].
    pulse_step : float
        Expected weight change of one SET/RESET pulse pair at the initial state [1].
    pulses : dict
        Totals of SET and RESET pulses applied.
    timings_s : dict
        Wall times [s].
    """

    settings: DigitsSettings
    curve: dict
    g_plus_S: np.ndarray
    g_minus_S: np.ndarray
    state: np.ndarray
    params: dict
    float_weights: np.ndarray
    reference_conductance_S: float
    pulse_step: float
    pulses: dict = field(default_factory=dict)
    timings_s: dict = field(default_factory=dict)

    @property
    def device_test_accuracy(self):
        return self.curve["device_test"][-1]

    @property
    def float_test_accuracy(self):
        return self.curve["float_test"][-1]

    @property
    def device_weights(self):
        """Normalised weights (G+ - G-)/G_ref, shape (64, 10)."""
        return (self.g_plus_S - self.g_minus_S) / self.reference_conductance_S

    def summary(self):
        """JSON-ready summary: accuracies, settings, timings."""
        dev, flo = self.device_test_accuracy, self.float_test_accuracy
        g = np.concatenate([self.g_plus_S.ravel(), self.g_minus_S.ravel()])
        return {
            "study": "digits",
            "device_test_accuracy": dev,
            "float_test_accuracy": flo,
            "difference_percentage_points": 100.0 * (flo - dev),
            "goal_percentage_points": 3.0,
            "meets_goal": bool(100.0 * (flo - dev) <= 3.0),
            "device_train_accuracy": self.curve["device_train"][-1],
            "float_train_accuracy": self.curve["float_train"][-1],
            "settings": asdict(self.settings),
            "reference_conductance_S": self.reference_conductance_S,
            "pulse_step": self.pulse_step,
            "pulses": self.pulses,
            "conductance_S": {"min": float(g.min()), "median": float(np.median(g)), "max": float(g.max())},
            "timings_s": self.timings_s,
            "curve": self.curve,
        }


def calibrate_pulse_step(params, settings):
    """Expected change of a normalised weight from one SET pulse on G+ and one RESET on G-.

    Taken on the nominal device (mean parameters) at the initial gap; this is
    what the training rule divides the requested weight change by.
    """
    nominal = {k: (np.mean(v) if np.ndim(v) == 1 else v) for k, v in params.items()}
    g = pulse_response(nominal, settings, n_set=1, n_reset=0)[0]
    g_reset = pulse_response(nominal, settings, n_set=0, n_reset=1)[0]
    step = (g[1] - g[0]) + (g_reset[0] - g_reset[1])
    return float(step / reference_conductance_S(params))


#: One pulse of the default scheme (3.3 V SET, -1.42 V RESET, 25 us) moves the
#: nominal ag_sio2 device at the 0.8 nm starting gap by about this share of G_ref.
TARGET_PULSE_STEP = 0.0024


def _one_pulse_step(params, settings, voltage_V):
    """Conductance change / G_ref of the nominal device from one pulse of ``voltage_V`` [V]."""
    if voltage_V > 0:
        g = pulse_response(params, replace(settings, set_voltage_V=voltage_V), n_set=1, n_reset=0)[0]
    else:
        g = pulse_response(params, replace(settings, reset_voltage_V=-voltage_V), n_set=0, n_reset=1)[0]
    return abs(g[1] - g[0]) / reference_conductance_S(params)


def tune_pulse_voltages(params, settings, target_step=TARGET_PULSE_STEP, max_voltage_V=8.0):
    """SET and RESET amplitudes that move the nominal device by ``target_step`` of G_ref per pulse.

    For a card whose kinetics differ from ``ag_sio2``: bisection on each
    amplitude (the step grows monotonically with it) at the starting gap,
    keeping the pulse width.

    Parameters
    ----------
    params : dict
        Device parameters (per-device arrays are averaged to the nominal device).
    settings : DigitsSettings
    target_step : float
        Wanted conductance change of one pulse, as a share of ``G_ref`` [1].
    max_voltage_V : float
        Largest amplitude tried [V].

    Returns
    -------
    DigitsSettings
        ``settings`` with ``set_voltage_V`` and ``reset_voltage_V`` replaced.
    """
    nominal = {k: (np.mean(v) if np.ndim(v) == 1 else v) for k, v in params.items()}
    found = {}
    for sign, name in ((1.0, "set_voltage_V"), (-1.0, "reset_voltage_V")):
        lo, hi = 0.05, max_voltage_V
        if _one_pulse_step(nominal, settings, sign * hi) < target_step:
            raise InputError(f"card: a {settings.pulse_width_s:g} s pulse of {sign * hi:+g} V moves the device by "
                             f"less than {target_step:g} of its range; no {name} found")
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            if _one_pulse_step(nominal, settings, sign * mid) < target_step:
                lo = mid
            else:
                hi = mid
            if hi - lo < 1e-3:
                break
        found[name] = round(0.5 * (lo + hi), 3)
    slowest = min(found.values())
    if slowest < 2.0 * settings.read_voltage_V:
        raise InputError(f"card: {slowest:g} V pulses already move the device by {target_step:g} of its range, "
                         f"so reads at {settings.read_voltage_V:g} V would disturb it; the study needs a card "
                         "whose switching voltages are well above the read voltage")
    return replace(settings, **found)


def _pair_pulses(wanted, step, settings, rng):
    """Pulses per device (1280,) and amplitudes [V] for a requested weight change (640,)."""
    n_w = wanted.size
    count = np.minimum(np.floor(np.abs(wanted) / step + rng.random(n_w)), settings.max_pulses).astype(int)
    up = wanted > 0
    # raise w: SET on G+, RESET on G-; lower w: RESET on G+, SET on G-
    amp_plus = np.where(up, settings.set_voltage_V, -settings.reset_voltage_V)
    amp_minus = np.where(up, -settings.reset_voltage_V, settings.set_voltage_V)
    return np.concatenate([count, count]), np.concatenate([amp_plus, amp_minus])


def balance_pairs(params, state, settings, step, rng, tolerance=None, max_rounds=30):
    """Program-and-verify every pair to a zero weight before training (pulses only).

    Device-to-device spread leaves ``G+ != G-`` after the devices are prepared
    at the same gap; each round reads all pairs and pulses those with
    ``|w| > tolerance`` towards zero (the training rule with ``wanted = -w``,
    at least one pulse); the most pulses per round shrink from
    ``4 * max_pulses`` by 0.75 per round so that fast devices stop overshooting.

    Parameters
    ----------
    params : dict
        Per-device parameters.
    state : numpy.ndarray
        States (4, 1280).
    settings : DigitsSettings
    step : float
        Expected weight change of one pulse pair (:func:`calibrate_pulse_step`).
    rng : numpy.random.Generator
        For the stochastic rounding and the amplitude jitter.
    tolerance : float, optional
        Largest accepted ``|w|`` (default: half a pulse step).
    max_rounds : int
        Verify rounds at most.

    Returns
    -------
    state : numpy.ndarray
        States after balancing.
    rounds : int
        Rounds used.
    pulses : int
        Pulses applied.
    """
    n_w = N_INPUTS * N_CLASSES
    g_ref = reference_conductance_S(params)
    tolerance = step if tolerance is None else tolerance
    jitter_sigma = settings.cycle_jitter * settings.spread_scale
    pulses = 0
    for rounds in range(max_rounds):
        # fewer pulses allowed round by round: fast devices that overshoot settle
        verify = replace(settings, max_pulses=max(1, int(4 * settings.max_pulses * 0.75 ** rounds)))
        g = device_conductance_S(state, params)
        w = (g[:n_w] - g[n_w:]) / g_ref
        wanted = np.where(np.abs(w) > tolerance, -w, 0.0)
        if not np.any(wanted):
            return state, rounds, pulses
        counts, amps = _pair_pulses(wanted, step, verify, rng)
        off = np.concatenate([wanted, wanted]) != 0
        counts[off] = np.maximum(counts[off], 1)
        jitter = jitter_sigma * rng.standard_normal(N_DEVICES) if jitter_sigma > 0 else None
        state = apply_pulses(params, state, counts, amps, verify, jitter=jitter)
        pulses += int(counts.sum())
    return state, max_rounds, pulses


def train_float(data, settings):
    """The same network in floating point; weights clipped to [-1, 1].

    Returns
    -------
    weights : numpy.ndarray
        (64, 10).
    curve : dict
        ``float_train``, ``float_test`` accuracies per epoch (index 0: before training).
    """
    x_tr, x_te, y_tr, y_te = data
    rng = np.random.default_rng([settings.seed, 2])
    w = np.zeros((N_INPUTS, N_CLASSES))
    curve = {"float_train": [accuracy(x_tr, y_tr, w)], "float_test": [accuracy(x_te, y_te, w)]}
    for epoch in range(settings.epochs):
        lr = settings.learning_rate / (1.0 + settings.learning_rate_decay * epoch)
        order = rng.permutation(y_tr.size)
        for start in range(0, order.size, settings.batch_size):
            b = order[start:start + settings.batch_size]
            w = np.clip(w - lr * _gradient(x_tr[b], y_tr[b], w, settings.gain), -1.0, 1.0)
        curve["float_train"].append(accuracy(x_tr, y_tr, w))
        curve["float_test"].append(accuracy(x_te, y_te, w))
    return w, curve


def train_devices(data, params, settings, progress=None):
    """Train the device array by pulses only (see the module docstring).

    Parameters
    ----------
    data : tuple
        ``(x_train, x_test, y_train, y_test)`` from :func:`load_digits_split`.
    params : dict
        Per-device parameters, arrays of shape (1280,) (or scalars).
    settings : DigitsSettings
    progress : Progress, optional
        Updated once per batch with the epoch fraction done.

    Returns
    -------
    state : numpy.ndarray
        Final states (4, 1280).
    curve : dict
        ``device_train``, ``device_test`` accuracies per epoch (index 0: before training).
    info : dict
        ``reference_conductance_S``, ``pulse_step``, ``pulses``.
    """
    x_tr, x_te, y_tr, y_te = data
    n_w = N_INPUTS * N_CLASSES
    g_ref = reference_conductance_S(params)
    step = calibrate_pulse_step(params, settings)
    state = initial_states(params, N_DEVICES, settings.initial_gap_nm)
    rng = np.random.default_rng([settings.seed, 3])
    jitter_sigma = settings.cycle_jitter * settings.spread_scale
    balance_rounds = balance_pulses = 0
    if settings.balance:
        if progress is not None:
            progress.update(0.0, note="program-and-verify to zero weights")
        state, balance_rounds, balance_pulses = balance_pairs(params, state, settings, step, rng)

    def weights(y):
        g = device_conductance_S(y, params)
        return (g[:n_w] - g[n_w:]).reshape(N_INPUTS, N_CLASSES) / g_ref

    w = weights(state)
    curve = {"device_train": [accuracy(x_tr, y_tr, w)], "device_test": [accuracy(x_te, y_te, w)]}
    n_set = n_reset = 0
    batches = int(np.ceil(y_tr.size / settings.batch_size))
    for epoch in range(settings.epochs):
        lr = settings.learning_rate / (1.0 + settings.learning_rate_decay * epoch)
        order = rng.permutation(y_tr.size)
        for k, start in enumerate(range(0, order.size, settings.batch_size)):
            b = order[start:start + settings.batch_size]
            wanted = -lr * _gradient(x_tr[b], y_tr[b], w, settings.gain).ravel()
            counts, amps = _pair_pulses(wanted, step, settings, rng)
            jitter = jitter_sigma * rng.standard_normal(N_DEVICES) if jitter_sigma > 0 else None
            state = apply_pulses(params, state, counts, amps, settings, jitter=jitter)
            n_set += int(counts[amps > 0].sum())
            n_reset += int(counts[amps < 0].sum())
            w = weights(state)
            if progress is not None:
                progress.update(epoch + (k + 1) / batches, note=f"epoch {epoch + 1}")
        curve["device_train"].append(accuracy(x_tr, y_tr, w))
        curve["device_test"].append(accuracy(x_te, y_te, w))
        if progress is not None:
            progress.update(epoch + 1, note=f"test accuracy {curve['device_test'][-1]:.3f}")
    info = {"reference_conductance_S": g_ref, "pulse_step": step,
            "pulses": {"set": n_set, "reset": n_reset, "balance": balance_pulses, "balance_rounds": balance_rounds}}
    return state, curve, info


def run_digits_study(settings=None, params=None, progress=False):
    """Train the device array and the floating-point reference; return a :class:`DigitsResult`.

    Parameters
    ----------
    settings : DigitsSettings, optional
        Default :class:`DigitsSettings`.
    params : dict, optional
        Nominal device parameters (a card's); default the ``ag_sio2`` preset.
    progress : bool
        Show a progress bar on stderr.
    """
    from memcompact.model import preset_params

    settings = settings or DigitsSettings()
    nominal = preset_params("ag_sio2") if params is None else dict(params)
    t0 = time.perf_counter()
    if settings.tune_pulses:
        settings = tune_pulse_voltages(nominal, settings)
    data = load_digits_split(settings.test_fraction, settings.seed)
    devices = sample_devices(nominal, N_DEVICES, seed=np.random.default_rng([settings.seed, 1]),
                             spread=device_spread(settings.spread_scale))
    t1 = time.perf_counter()
    float_w, float_curve = train_float(data, settings)
    t2 = time.perf_counter()
    with Progress("digits: pulse training", total=settings.epochs, unit=" epochs", enabled=progress) as bar:
        state, dev_curve, info = train_devices(data, devices, settings, progress=bar)
    t3 = time.perf_counter()
    g = device_conductance_S(state, devices)
    n_w = N_INPUTS * N_CLASSES
    curve = {"epoch": list(range(settings.epochs + 1)), **dev_curve, **float_curve}
    return DigitsResult(
        settings=settings, curve=curve,
        g_plus_S=g[:n_w].reshape(N_INPUTS, N_CLASSES), g_minus_S=g[n_w:].reshape(N_INPUTS, N_CLASSES),
        state=state, params=devices, float_weights=float_w,
        reference_conductance_S=info["reference_conductance_S"], pulse_step=info["pulse_step"],
        pulses=info["pulses"],
        timings_s={"setup": t1 - t0, "float_training": t2 - t1, "device_training": t3 - t2, "total": t3 - t0},
    )


def plot_learning_curve(result, ax=None):
    """Test and training accuracy vs epoch, device array and floating point; returns the Axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    c = result.curve
    ax.plot(c["epoch"], c["device_test"], "o-", color="C0", label="devices, test")
    ax.plot(c["epoch"], c["device_train"], "--", color="C0", alpha=0.6, label="devices, train")
    ax.plot(c["epoch"], c["float_test"], "s-", color="C1", label="floating point, test")
    ax.plot(c["epoch"], c["float_train"], "--", color="C1", alpha=0.6, label="floating point, train")
    ax.axhline(0.1, color="0.6", lw=0.8, ls=":", label="chance")
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy")
    ax.set_ylim(0, 1.02)
    s = result.settings
    ax.set_title(f"digits, 64x10 differential pairs, spread x{s.spread_scale:g}: "
                 f"{100 * result.device_test_accuracy:.1f} % vs {100 * result.float_test_accuracy:.1f} %",
                 fontsize=9)
    ax.legend(loc="lower right", fontsize=7, ncol=3)
    ax.grid(alpha=0.3)
    # zoom on the trained part, where the two networks differ by a few points
    zoom = ax.inset_axes([0.32, 0.3, 0.63, 0.42])
    tail = np.concatenate([c["device_test"][1:], c["float_test"][1:]])
    zoom.plot(c["epoch"][1:], c["device_test"][1:], "o-", color="C0", ms=3)
    zoom.plot(c["epoch"][1:], c["float_test"][1:], "s-", color="C1", ms=3)
    zoom.set_ylim(max(0.0, tail.min() - 0.01), min(1.0, tail.max() + 0.01))
    zoom.tick_params(labelsize=7)
    zoom.grid(alpha=0.3)
    zoom.set_title("test accuracy, zoom", fontsize=7)
    return ax


def plot_weights(result, fig=None):
    """Trained conductance maps G+ - G- [uS], one 8x8 map per class; returns the Figure."""
    import matplotlib.pyplot as plt

    fig = fig or plt.figure(figsize=(9, 4.2), layout="constrained")
    diff = (result.g_plus_S - result.g_minus_S) * 1e6
    lim = float(np.abs(diff).max()) or 1.0
    axes = fig.subplots(2, 5)
    for cls, ax in enumerate(axes.ravel()):
        im = ax.imshow(diff[:, cls].reshape(8, 8), cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.set_title(f"class {cls}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(im, ax=axes, shrink=0.9, label="G+ - G- [uS]")
    fig.suptitle("trained conductance maps (column of the array per class)", fontsize=10)
    return fig


def array_spec(result, wire_resistance_ohm=1e-6, driver_resistance_ohm=0.0, backend="verilog-a"):
    """The trained array as a 64 x 20 :class:`~memcompact.crossbar.netlist.CrossbarSpec`.

    Columns 0-9 hold the G+ devices of classes 0-9, columns 10-19 the G-
    devices; every cell carries its own parameters and its trained state.

    Parameters
    ----------
    result : DigitsResult
    wire_resistance_ohm : float
        Wire resistance per cell pitch on rows and columns [Ohm] (default: nearly ideal wires).
    driver_resistance_ohm : float
        Source resistance of the row drivers [Ohm].
    backend : str
        ngspice cell device (``verilog-a``: the OSDI model).
    """
    from memcompact.crossbar.netlist import CrossbarSpec

    def to_array(value):
        v = np.asarray(value, dtype=float).reshape(2, N_INPUTS, N_CLASSES)
        return np.concatenate([v[0], v[1]], axis=1)

    params = {k: (to_array(v) if np.ndim(v) == 1 and np.size(v) == N_DEVICES else v)
              for k, v in result.params.items()}
    states = np.array([to_array(result.state[j]) for j in range(4)])
    return CrossbarSpec(rows=N_INPUTS, cols=2 * N_CLASSES, wire_resistance_ohm=wire_resistance_ohm,
                        driver_resistance_ohm=driver_resistance_ohm, params=params, states=states,
                        backend=backend)


def check_vmm_ngspice(result, n_samples=5, wire_resistance_ohm=1e-6, driver_resistance_ohm=0.0, seed=0):
    """Run VMMs of the trained array in ngspice (Verilog-A cells) and compare with the Python VMM.

    Parameters
    ----------
    result : DigitsResult
    n_samples : int
        Test digits applied (drawn seeded from the test set).
    wire_resistance_ohm, driver_resistance_ohm : float
        Array wiring [Ohm] (defaults: ideal, so only the device model is compared).
    seed : int
        Seed of the sample choice.

    Returns
    -------
    dict
        ``samples`` (test-set indices), ``labels``, ``spice_A`` and ``python_A``
        (column currents (n, 20) [A]), ``max_relative_difference`` (over all
        columns, relative to each sample's largest column current),
        ``max_output_relative_difference`` (of the differential outputs
        ``I+ - I-``, relative to each sample's largest output),
        ``same_class`` (the largest output picks the same class), ``wall_time_s``.
    """
    from memcompact.crossbar.netlist import run_vmm_ngspice

    _, x_te, _, y_te = load_digits_split(result.settings.test_fraction, result.settings.seed)
    pick = np.sort(np.random.default_rng(seed).choice(y_te.size, size=n_samples, replace=False))
    spec = array_spec(result, wire_resistance_ohm, driver_resistance_ohm)
    rows_V = result.settings.read_voltage_V * x_te[pick]
    g = np.concatenate([result.g_plus_S, result.g_minus_S], axis=1)
    t0 = time.perf_counter()
    spice = np.array([run_vmm_ngspice(spec, v) for v in rows_V])
    wall = time.perf_counter() - t0
    python = rows_V @ g
    rel = np.abs(spice - python) / np.abs(python).max(axis=1, keepdims=True)
    out_s = spice[:, :N_CLASSES] - spice[:, N_CLASSES:]
    out_p = python[:, :N_CLASSES] - python[:, N_CLASSES:]
    rel_out = np.abs(out_s - out_p) / np.abs(out_p).max(axis=1, keepdims=True)
    return {
        "samples": pick.tolist(), "labels": y_te[pick].tolist(),
        "wire_resistance_ohm": wire_resistance_ohm, "driver_resistance_ohm": driver_resistance_ohm,
        "spice_A": spice.tolist(), "python_A": python.tolist(),
        "max_relative_difference": float(rel.max()),
        "max_output_relative_difference": float(rel_out.max()),
        "same_class": bool(np.all(np.argmax(out_s, axis=1) == np.argmax(out_p, axis=1))),
        "spice_class": np.argmax(out_s, axis=1).tolist(),
        "wall_time_s": wall,
    }
