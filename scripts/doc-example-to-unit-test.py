#!/usr/bin/env python3
"""Move the doc example around FILE:LINE into a unit test beside it.

Usage: scripts/doc-example-to-unit-test.py src/ids.rs:8 [src/arn.rs:107 ...]

A doc-test of an item that became crate-private no longer compiles (doc-tests are built as
another crate). This keeps its assertions: the fenced block containing LINE leaves the doc
comment and becomes `#[cfg(test)] mod doc_example_<line>` at the end of the file, with
`sfn_harness::` paths turned into `crate::` and a `#[tokio::main]` into `#[tokio::test]`.
"""
import re
import sys
from collections import defaultdict

by_file = defaultdict(list)
for arg in sys.argv[1:]:
    f, line = arg.rsplit(":", 1)
    by_file[f].append(int(line))

for f, targets in by_file.items():
    lines = open(f).read().split("\n")
    blocks = []
    for t in targets:
        i = t - 1
        # the opening fence at or above the line
        start = i
        while not re.match(r"^\s*//[/!] ?```(rust)?\s*$", lines[start]) or start == i and False:
            start -= 1
        # if the line itself is the closing fence, look further up; naive: assume t is inside
        end = start + 1
        while not re.match(r"^\s*//[/!] ?```\s*$", lines[end]):
            end += 1
        if (start, end) not in blocks:
            blocks.append((start, end))
    tests = []
    for start, end in sorted(blocks, reverse=True):
        prefix = re.match(r"^(\s*//[/!] ?)", lines[start]).group(1)
        body = []
        for l in lines[start + 1:end]:
            s = l.strip()
            s = re.sub(r"^//[/!] ?", "", s)
            if s.startswith("# "):
                s = s[2:]
            elif s == "#":
                s = ""
            body.append(s.replace("sfn_harness::", "crate::"))
        has_main = any(re.search(r"\bfn main\(", b) for b in body)
        name = f"doc_example_{start + 1}"
        if has_main:
            text = "\n".join(body)
            text = re.sub(r"#\[tokio::main(\([^)]*\))?\]", lambda m: "#[tokio::test" + (m.group(1) or "") + "]", text)
            if "#[tokio::test" not in text:
                text = text.replace("fn main(", "#[test]\nfn example(", 1)
            else:
                text = text.replace("fn main(", "fn example(", 1)
            text = text.replace("fn example(", "fn example(", 1)
            mod = f"#[cfg(test)]\nmod {name} {{\n    // Moved from a doc example (the item is crate-private).\n" + "\n".join(
                ("    " + l) if l else "" for l in text.split("\n")) + "\n}\n"
        else:
            mod = f"#[cfg(test)]\nmod {name} {{\n    // Moved from a doc example (the item is crate-private).\n    #[test]\n    fn example() {{\n" + "\n".join(
                ("        " + l) if l else "" for l in body) + "\n    }\n}\n"
        tests.append(mod)
        # drop the block and one blank doc line before it
        del lines[start:end + 1]
        if start > 0 and re.match(r"^\s*//[/!]\s*$", lines[start - 1]):
            del lines[start - 1]
    text = "\n".join(lines).rstrip("\n") + "\n"
    for mod in reversed(tests):
        text += "\n" + mod
    open(f, "w").write(text)
    print(f, len(blocks), "example(s) moved")
