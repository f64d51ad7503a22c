#!/bin/bash
# bench/run.sh - every benchmark, each reporting a ratio against a baseline
# measured in the same run.  Usage: bench/run.sh [auth]
set -eu
cd "$(dirname "$0")/.."
make -s commitd
for b in "${@:-auth}"; do
	bash "bench/$b.sh"
done
