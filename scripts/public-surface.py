#!/usr/bin/env python3
"""Count sfn-harness's public API surface: the items a user can name from the crate root.

Usage:
    scripts/public-surface.py            # build the rustdoc JSON, print the total and a per-module table
    scripts/public-surface.py --no-build # reuse target/doc/sfn_harness.json
    scripts/public-surface.py --list     # also print every counted item's path

It runs
    RUSTC_BOOTSTRAP=1 cargo rustdoc --lib --all-features --target-dir target/public-surface \
        -- -Z unstable-options --output-format json
and walks the JSON from the crate root. Counted, each once (a re-export counts its target once,
wherever it is reachable from): modules, structs, enums, variants, functions, methods and associated
items in inherent impls, traits and their items, constants, statics, type aliases, and public fields
(of structs and of struct-like variants). Not counted: trait impls (`Debug`, `From`, ...), items
rustdoc hides (`#[doc(hidden)]`, so the macro-support `__private` module), and re-exports of other
crates' items (each `pub use` of a foreign item counts as one).

The per-module table attributes an item to the first public path it is reached by (breadth-first
from the root), so a crate-root re-export of `harness::Harness` is counted under `(root)`.
"""
import collections
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Members of a declaration: counted in the total, left out of the "declarations" figure.
MEMBERS = {"struct_field", "variant"}
# A target directory of its own: RUSTC_BOOTSTRAP changes the fingerprint of every dependency,
# so sharing `target/` would rebuild them for this and again for the next ordinary build.
TARGET = os.path.join(ROOT, "target", "public-surface")
JSON = os.path.join(TARGET, "doc", "sfn_harness.json")


def build():
    env = dict(os.environ, RUSTC_BOOTSTRAP="1")
    subprocess.run(
        ["cargo", "rustdoc", "--lib", "--all-features", "--target-dir", TARGET, "--",
         "-Z", "unstable-options", "--output-format", "json"],
        cwd=ROOT, env=env, check=True)


def main():
    args = sys.argv[1:]
    if "--no-build" not in args:
        build()
    doc = json.load(open(JSON))
    index = doc["index"]

    def get(i):
        return index.get(str(i))

    counted = {}  # item id -> path
    seen_modules = set()
    queue = collections.deque([(doc["root"], [])])

    def kind(item):
        inner = item["inner"]
        return next(iter(inner)) if isinstance(inner, dict) else inner

    def count(i, path):
        if i in counted:
            return False
        counted[i] = "::".join(path)
        return True

    def inherent_items(impl_ids, path):
        for impl_id in impl_ids:
            impl_item = get(impl_id)
            if impl_item is None:
                continue
            impl = impl_item["inner"]["impl"]
            if impl.get("trait") is not None or impl.get("blanket_impl") is not None:
                continue
            for member in impl["items"]:
                m = get(member)
                if m is not None and m["visibility"] == "public":
                    count(member, path + [m["name"]])

    def visit(i, path):
        item = get(i)
        if item is None:
            return
        k = kind(item)
        inner = item["inner"][k] if isinstance(item["inner"], dict) else None
        if k == "module":
            if i in seen_modules:
                return
            seen_modules.add(i)
            if path:
                count(i, path)
            for child in inner["items"]:
                c = get(child)
                if c is None:
                    continue
                ck = kind(c)
                if ck == "use":
                    use = c["inner"]["use"]
                    target = use.get("id")
                    t = get(target) if target is not None else None
                    if t is None or t.get("crate_id", 0) != 0:
                        count(child, path + [use["name"]])  # a foreign re-export: one item
                    elif use.get("is_glob"):
                        queue.append((target, path))
                    else:
                        queue.append((target, path + [use["name"]]))
                elif c["visibility"] == "public" or ck == "impl":
                    queue.append((child, path + ([c["name"]] if c.get("name") else [])))
            return
        if not count(i, path):
            return
        if k == "struct":
            sk = inner["kind"]
            fields = []
            if isinstance(sk, dict) and "plain" in sk:
                fields = sk["plain"]["fields"]
            elif isinstance(sk, dict) and "tuple" in sk:
                fields = [f for f in sk["tuple"] if f is not None]
            for f in fields:
                fi = get(f)
                if fi is not None:
                    count(f, path + [fi["name"]])
            inherent_items(inner["impls"], path)
        elif k == "enum":
            for v in inner["variants"]:
                vi = get(v)
                if vi is None:
                    continue
                count(v, path + [vi["name"]])
                vk = vi["inner"]["variant"]["kind"]
                if isinstance(vk, dict) and "struct" in vk:
                    for f in vk["struct"]["fields"]:
                        fi = get(f)
                        if fi is not None:
                            count(f, path + [vi["name"], fi["name"]])
            inherent_items(inner["impls"], path)
        elif k == "union":
            inherent_items(inner["impls"], path)
        elif k == "trait":
            for member in inner["items"]:
                m = get(member)
                if m is not None:
                    count(member, path + [m["name"]])

    while queue:
        i, path = queue.popleft()
        visit(i, path)

    top_modules = {counted[i] for i in seen_modules if i in counted and "::" not in counted[i]}
    by_module = collections.Counter()
    by_module_decl = collections.Counter()
    by_kind = collections.Counter()
    rows = []
    for i, path in counted.items():
        first = path.split("::")[0]
        module = first if first in top_modules else "(root)"
        k = kind(index[str(i)])
        by_module[module] += 1
        if k not in MEMBERS:
            by_module_decl[module] += 1
        by_kind[k] += 1
        rows.append((path, k))
    decl = sum(by_module_decl.values())
    print(f"public items reachable from the crate root: {len(counted)}")
    print(f"  of which declarations (without fields and variants, the issue's 'pub items'): {decl}")
    print("by top-level module (where first reached; root re-exports count under (root)):")
    print("    all  decl  module")
    for m, n in sorted(by_module.items(), key=lambda x: -x[1]):
        print(f"  {n:5} {by_module_decl[m]:5}  {m}")
    print("by kind:")
    for k, n in sorted(by_kind.items(), key=lambda x: -x[1]):
        print(f"  {n:5}  {k}")
    if "--list" in args:
        for path, k in sorted(rows):
            print(f"{k:13} {path}")


if __name__ == "__main__":
    main()
