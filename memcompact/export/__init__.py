"""Export the compact model to circuit simulators and to a standalone Python module.

Three backends, all written from the one model definition
(:mod:`memcompact.model.parameters`, :mod:`memcompact.model.equations`):

* ``verilog-a``: a Verilog-A module for OpenVAF -> OSDI -> ngspice
  (:func:`verilog_a_source`);
* ``ngspice``: an ngspice-native subcircuit of B-sources and state
  capacitors (:func:`ngspice_source`);
* ``python``: a standalone module needing only numpy
  (:func:`python_module_source`).

``python -m memcompact.export.regenerate`` rewrites the committed files
(``verilog_a/``, ``circuits/``); see docs/export.md.
"""

from memcompact.export.definition import DEVICE_NAME, TERMINALS
from memcompact.export.ngspice import ngspice_source
from memcompact.export.python import python_module_source
from memcompact.export.verilog_a import verilog_a_source

#: Backend name -> writer(card) -> text.
WRITERS = {"verilog-a": verilog_a_source, "ngspice": ngspice_source, "python": python_module_source}


def export_text(backend, card):
    """Text of the backend file for a card.

    Parameters
    ----------
    backend : {"verilog-a", "ngspice", "python"}
    card : dict
        A model card (validated again here).
    """
    if backend not in WRITERS:
        raise ValueError(f"unknown backend {backend!r}; choose from {', '.join(WRITERS)}")
    return WRITERS[backend](card)


__all__ = ["DEVICE_NAME", "TERMINALS", "WRITERS", "export_text", "ngspice_source",
           "python_module_source", "verilog_a_source"]
