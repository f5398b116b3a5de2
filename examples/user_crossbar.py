"""Write a 1R crossbar netlist of the exported memcompact_ecm module, the way a user would.

Rows and columns of cells (``N<r>_<c> row_r_c col_r_c mem``: the active electrode on the
row line), wire segments of ``--wire-ohm`` between neighbouring cells, row drivers on the
left, columns to ground through ``--sense-ohm`` at the bottom. One cell is written with the
V/2 scheme (its row at V, every other row and column at V/2, its column at 0) for
``--write-ms``, then every row is read at ``--read-V`` with all columns at ground.
Default options; no ``uic`` unless ``--uic`` (ngspice then skips the operating point).
Each column's current at the end of the read is measured with ``.meas``.

    python examples/user_crossbar.py --rows 32 --cols 32 -o xbar.cir
    cp verilog_a/memcompact_ecm.osdi . && ngspice -b xbar.cir

The netlist loads ``memcompact_ecm.osdi`` from the folder ngspice runs in.
"""

from __future__ import annotations

import argparse

def crossbar_netlist(rows=32, cols=32, wire_ohm=2.0, sense_ohm=10.0, write_V=5.0, write_ms=2.0, read_V=0.2,
                     read_ms=0.5, cell=(0, 0), uic=False, osdi="memcompact_ecm.osdi"):
    """Netlist text of the crossbar (see the module docstring)."""
    r0, c0 = cell
    t_write = write_ms * 1e-3
    t_read = t_write + 10e-6
    t_end = t_read + read_ms * 1e-3
    edge = 1e-6

    def source(name, node, write_level, read_level):
        # 0 V, the write level until t_write, 0 V, then the read level from t_read
        return (f"{name} {node} 0 PWL(0 0 {edge:g} {write_level:g} {t_write:g} {write_level:g} "
                f"{t_write + edge:g} 0 {t_read:g} 0 {t_read + edge:g} {read_level:g} {t_end:g} {read_level:g})")

    lines = [f"* {rows}x{cols} 1R crossbar of memcompact_ecm: V/2 write of cell ({r0},{c0}), then a read",
             ".model mem memcompact_ecm"]
    for r in range(rows):
        level = write_V if r == r0 else write_V / 2
        lines.append(source(f"Vrow{r}", f"drv{r}", level, read_V))
        lines.append(f"Rdrv{r} drv{r} row{r}_0 {wire_ohm:g}")
        for c in range(cols - 1):
            lines.append(f"Rr{r}_{c} row{r}_{c} row{r}_{c + 1} {wire_ohm:g}")
    for c in range(cols):
        level = 0.0 if c == c0 else write_V / 2
        lines.append(source(f"Vcol{c}", f"sense{c}", level, 0.0))
        lines.append(f"Rsense{c} col{rows - 1}_{c} sense{c} {sense_ohm:g}")
        for r in range(rows - 1):
            lines.append(f"Rc{r}_{c} col{r}_{c} col{r + 1}_{c} {wire_ohm:g}")
    for r in range(rows):
        for c in range(cols):
            lines.append(f"N{r}_{c} row{r}_{c} col{r}_{c} mem")
    lines.append(f".tran 2u {t_end:g}" + (" uic" if uic else ""))
    for c in range(cols):
        lines.append(f".meas tran i_col{c} find i(Vcol{c}) at={t_end - 2e-6:g}")
    lines += [".control", f"pre_osdi {osdi}", ".endc", ".end"]
    return "\n".join(lines) + "\n"

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=32)
    parser.add_argument("--cols", type=int, default=32)
    parser.add_argument("--wire-ohm", type=float, default=2.0, help="wire segment between cells [Ohm]")
    parser.add_argument("--write-V", type=float, default=5.0, help="write voltage V of the V/2 scheme [V]")
    parser.add_argument("--write-ms", type=float, default=2.0, help="write time [ms]")
    parser.add_argument("--uic", action="store_true", help="skip the operating point")
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args(argv)
    if args.rows < 1 or args.cols < 1:
        parser.error("--rows and --cols must be >= 1")
    with open(args.output, "w") as handle:
        handle.write(crossbar_netlist(args.rows, args.cols, args.wire_ohm, write_V=args.write_V,
                                      write_ms=args.write_ms, uic=args.uic))

if __name__ == "__main__":
    main()
