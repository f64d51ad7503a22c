#!/bin/bash
# bench/trail.sh - build and run bench/trail.c (the audit writer alone) against
# the optimised objects.  Usage: bench/trail.sh [EVENTS]
set -eu
cd "$(dirname "$0")/.."
make -s build/bench/trail
build/bench/trail "${1:-200000}"
