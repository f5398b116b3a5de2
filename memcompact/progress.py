"""A small progress reporter for long runs (stderr, no dependencies)."""

from __future__ import annotations

import sys
import time


class Progress:
    """Report the progress of a long task on stderr.

    Parameters
    ----------
    label : str
        What is running.
    total : float
        The amount of work (steps, or simulated seconds).
    unit : str
        Unit of ``total`` for the message.
    enabled : bool
        False silences it (tests, library use).
    min_interval_s : float
        Minimum wall time between two updates [s].

    Examples
    --------
    >>> with Progress("chain", total=300, unit="s", enabled=False) as p:
    ...     p.update(150)
    """

    def __init__(self, label, total, unit="", enabled=True, min_interval_s=0.5, stream=None):
        self.label = label
        self.total = float(total) if total else 1.0
        self.unit = unit
        self.enabled = enabled
        self.min_interval_s = min_interval_s
        self.stream = stream if stream is not None else sys.stderr
        self._start = time.perf_counter()
        self._last = -1e9
        self.done = 0.0

    def update(self, done, note=""):
        """Set the amount done (absolute) and print if enough time passed."""
        self.done = float(done)
        now = time.perf_counter()
        if not self.enabled or now - self._last < self.min_interval_s:
            return
        self._last = now
        self._print(note)

    def _print(self, note="", end="\r"):
        frac = min(max(self.done / self.total, 0.0), 1.0)
        bar = "#" * int(24 * frac)
        elapsed = time.perf_counter() - self._start
        msg = (f"{self.label}: [{bar:<24}] {100 * frac:5.1f}% ({_count(self.done)}/{_count(self.total)}{self.unit}) "
               f"{elapsed:.1f}s {note}")
        self.stream.write(msg[:120].ljust(120) + end)
        self.stream.flush()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if self.enabled:
            if exc_type is None:
                self.done = self.total
            self._print(end="\n")
        return False


def _count(value):
    """A progress figure: whole numbers in full (2000, not 2e+03), others to 3 digits."""
    value = float(value)
    return f"{int(value):d}" if value.is_integer() and abs(value) < 1e9 else f"{value:.3g}"

