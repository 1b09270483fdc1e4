#!/usr/bin/env bash
# Installs the AWS CLI (v1, from PyPI, pinned) into a venv under target/, once, for the tests
# that drive `sfn-harness serve` with it (tests/scenarios/mock_config.rs: Step Functions Local's
# sample through the CLI). Prints the venv's bin directory; exits non-zero when it cannot be
# installed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${CARGO_TARGET_DIR:-$here/target}/aws-cli-venv"
version="1.45.11"
if ! "$dir/bin/aws" --version 2>&1 | grep -q "aws-cli/$version "; then
    python3 -m venv "$dir" >&2
    "$dir/bin/pip" install -q "awscli==$version" >&2
fi
echo "$dir/bin"
