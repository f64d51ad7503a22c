#!/bin/bash
# bench/policy.sh - build and run bench/policy.c against the optimised objects.
set -eu
cd "$(dirname "$0")/.."
make -s build/bench/policy
build/bench/policy "${N:-1000000}"
