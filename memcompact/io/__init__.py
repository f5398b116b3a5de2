"""Input and output: I-t CSV files, model cards, atomic writes."""

from memcompact.io.atomic import atomic_path, atomic_savefig, atomic_write_bytes, atomic_write_text
from memcompact.io.card import EVENT_KEYS, check_card, load_card, save_card
from memcompact.io.itcsv import ITCurve, read_it_csv, write_it_csv

__all__ = [
    "EVENT_KEYS", "ITCurve", "atomic_path", "atomic_savefig", "atomic_write_bytes",
    "atomic_write_text", "check_card", "load_card", "read_it_csv", "save_card", "write_it_csv",
]
