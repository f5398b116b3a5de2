"""memcompact: a memristor compact model from the electrochemical dynamics of
metal nanoclusters in dielectrics.

Layers, each importing only those before it::

    io, errors  ->  chain  ->  model  ->  fit  ->  export  ->  spice/crossbar  ->  cli
"""

__version__ = "0.1.0"
