"""Crossbar arrays of memcompact devices: ngspice netlists, a fast Python
nodal solver, array operations and neuromorphic studies (issue 7)."""
