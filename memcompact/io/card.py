"""Model cards: JSON files holding a model's parameters (DESIGN section 5).

::

    {"model": "<name>", "version": <int>, "params": {name: value, ...},
     "chisqr": ..., "redchi": ..., "stderr": {name: value}, "data_files": [...],
     "events": {"t_form_s": ..., "t_drop_s": ..., "t_ecm_s": ...},
     "series_resistance_ohm": ..., ...}

``series_resistance_ohm`` (optional, a fitted card's) is the loop resistance
[Ohm] the card was fitted with: the resistance in series with the device in
the measurement (probes, wiring, source, compliance resistor), which commands
such as ``memcompact simulate`` put in the loop by default. Cards without it
(presets, older cards) are valid.

This module checks the card's structure; the parameter names and bounds are
checked by the model that owns them, which passes its ``validate`` function.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from memcompact.errors import CardError, InputError
from memcompact.io.atomic import atomic_write_text

EVENT_KEYS = ("t_form_s", "t_drop_s", "t_ecm_s")
#: Card key of the loop resistance the card was fitted with [Ohm] (optional).
SERIES_KEY = "series_resistance_ohm"


def card_series_resistance_ohm(card):
    """The loop resistance [Ohm] a (checked) card records, or None when it records none.

    Parameters
    ----------
    card : dict
        A card that passed :func:`check_card`.
    """
    value = card.get(SERIES_KEY)
    return None if value is None else float(value)


def check_card(card, path=None, validate=None):
    """Check a card's structure; return it unchanged.

    Parameters
    ----------
    card : dict
        The decoded card.
    path : str, optional
        Where it came from (for messages).
    validate : callable, optional
        ``validate(params)`` that raises :class:`~memcompact.errors.ParameterError`
        for an unknown, missing or out-of-range parameter.

    Raises
    ------
    CardError
        Wrong structure (no ``model``, non-integer ``version``, ``params`` not an
        object of finite numbers, malformed ``events``, a ``series_resistance_ohm``
        that is not a finite number >= 0) or a parameter error.
    """
    if not isinstance(card, dict):
        raise CardError(path, "a card must be a JSON object")
    for key in ("model", "version", "params"):
        if key not in card:
            raise CardError(path, f"missing key '{key}'")
    if not isinstance(card["model"], str) or not card["model"]:
        raise CardError(path, "'model' must be a non-empty string")
    if isinstance(card["version"], bool) or not isinstance(card["version"], int):
        raise CardError(path, "'version' must be an integer")
    params = card["params"]
    if not isinstance(params, dict):
        raise CardError(path, "'params' must be an object {name: value}")
    for name, value in params.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise CardError(path, f"parameter '{name}': value must be a number, got {value!r}")
        if not math.isfinite(value):
            raise CardError(path, f"parameter '{name}': value must be finite, got {value!r}")
    events = card.get("events")
    if events is not None:
        if not isinstance(events, dict):
            raise CardError(path, "'events' must be an object")
        for key in EVENT_KEYS:
            value = events.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                raise CardError(path, f"event '{key}' must be a number or null")
            if value is not None and not math.isfinite(value):
                raise CardError(path, f"event '{key}' must be finite or null, got {value!r}")
    series = card.get(SERIES_KEY)
    if series is not None and (isinstance(series, bool) or not isinstance(series, (int, float))
                               or not math.isfinite(series) or series < 0):
        raise CardError(path, f"'{SERIES_KEY}' (the loop resistance the card was fitted with) must be a "
                              f"finite number >= 0 [Ohm] or null, got {series!r}")
    if validate is not None:
        try:
            validate(params)
        except CardError:
            raise
        except InputError as exc:
            raise CardError(path, str(exc)) from exc
    return card


def load_card(path, validate=None):
    """Load a model card from a JSON file.

    Parameters
    ----------
    path : str or os.PathLike
        The card file.
    validate : callable, optional
        Parameter check supplied by the model (see :func:`check_card`).

    Returns
    -------
    dict
        The card, with ``params`` values as floats.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CardError(path, "file not found") from None
    except (UnicodeDecodeError, IsADirectoryError):
        raise CardError(path, "not a UTF-8 JSON text file") from None
    if not text.strip():
        raise CardError(path, "file is empty")
    try:
        card = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CardError(path, f"line {exc.lineno}: invalid JSON: {exc.msg}") from None
    check_card(card, path=str(path), validate=validate)
    card["params"] = {k: float(v) for k, v in card["params"].items()}
    return card


def card_to_json(card):
    """Serialise a card to pretty JSON text (NaN and inf are refused)."""
    return json.dumps(card, indent=2, sort_keys=False, allow_nan=False) + "\n"


def save_card(path, card, validate=None):
    """Check and write a card atomically.

    Parameters
    ----------
    path : str or os.PathLike
        Destination ``.json``.
    card : dict
        The card (see module docstring).
    validate : callable, optional
        Parameter check supplied by the model.
    """
    check_card(card, path=str(path), validate=validate)
    try:
        text = card_to_json(card)
    except ValueError as exc:
        raise CardError(path, f"cannot be written as JSON: {exc}") from exc
    atomic_write_text(path, text)
