#!/bin/sh
# Installs boto3/botocore pinned before SQS's switch to the JSON protocol (botocore 1.31.60's
# `sqs/2012-11-05/service-2.json` says `"protocol": "query"`) into a venv under target/, once.
# Prints the venv's python on success; exits non-zero when it cannot be installed (offline).
set -e
dir="${CARGO_TARGET_DIR:-$(dirname "$0")/../../target}/query-venv"
if ! "$dir/bin/python" -c 'import botocore, sys; sys.exit(botocore.__version__ != "1.31.60")' 2>/dev/null; then
    python3 -m venv "$dir" >&2
    "$dir/bin/pip" install -q 'botocore==1.31.60' 'boto3==1.28.60' >&2
fi
echo "$dir/bin/python"
