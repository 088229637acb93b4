#!/usr/bin/env bash
# One GPU check, one table (see tools/gpu_check.py):  bash tools/gpu_check.sh [--device cuda|cpu] [--tiny]
set -euo pipefail
exec python "$(dirname "$0")/gpu_check.py" "$@"
