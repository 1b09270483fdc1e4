#!/usr/bin/env python3
"""Rewrite every `unreachable_pub` warning of the library to `pub(crate)`, until none is left.

Usage: scripts/fix-unreachable-pub.py

`cargo fix` does not apply this lint's suggestion (rustc marks it "maybe incorrect"), so this
script runs `cargo check --lib --all-features --message-format=json`, replaces the `pub` each
warning points at with the suggested `pub(crate)`, and repeats (making one item crate-private
can make the items only it exposed unreachable in turn). Re-run it after a merge that adds
`pub` items under a crate-private module.
"""
import collections
import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def warnings():
    out = subprocess.run(
        ["cargo", "check", "--lib", "--all-features", "--message-format=json"],
        cwd=ROOT, capture_output=True, text=True).stdout
    found = collections.defaultdict(set)
    for line in out.splitlines():
        try:
            msg = json.loads(line)
        except json.JSONDecodeError:
            continue
        m = msg.get("message") if msg.get("reason") == "compiler-message" else None
        if not m or not m.get("code") or m["code"]["code"] != "unreachable_pub":
            continue
        for child in m["children"]:
            for span in child["spans"]:
                if span.get("suggested_replacement") in ("pub(crate)", "pub(super)"):
                    found[span["file_name"]].add((span["byte_start"], span["byte_end"]))
    return found


def main():
    total = 0
    while True:
        found = warnings()
        if not found:
            break
        for name, spans in found.items():
            path = os.path.join(ROOT, name)
            data = open(path, "rb").read()
            for start, end in sorted(spans, reverse=True):
                data = data[:start] + b"pub(crate)" + data[end:]
                total += 1
            open(path, "wb").write(data)
    print(f"rewrote {total} `pub` to `pub(crate)`")


if __name__ == "__main__":
    main()
