#!/usr/bin/env python3
"""Lists, for each K2 resource kind, the files under Sources/ whose code (comments aside)
names it: a string literal that is its `data.type` or collection (`"merchant_wallet"`,
`"merchant_wallets"`), or an identifier made of its words (`merchantWallet`,
`MerchantWalletRequest`). A longer kind wins over a shorter one inside it (`IncomingPayment` is
not a mention of `payment`); K2 field names inside strings (`"payment_reference"`) are not
mentions. A generated copy of data is skipped (`--all` counts it too):
`Scenario/DefaultScenario.swift` (scenarios/default.yaml and fixtures/). The kinds and their
collections come from the registry, through `k2mock kinds` ($K2MOCK_BIN, else .build/debug/k2mock).

    scripts/kind-mentions.py [--all] [Sources]
"""
import os
import re
import subprocess
import sys

GENERATED = ("Scenario/DefaultScenario.swift",)
BINARY = os.environ.get("K2MOCK_BIN", os.path.join(os.path.dirname(__file__), "..", ".build", "debug", "k2mock"))


def registry():
    """{kind: collection} from the table `k2mock kinds` prints."""
    table = subprocess.run([BINARY, "kinds"], capture_output=True, text=True, check=True).stdout
    kinds = {}
    for row in table.splitlines()[2:]:
        cells = row.split("|")
        kind = cells[1].strip().strip("`")
        kinds[kind] = re.search(r"/api/v[^/]+/([a-z_]+)/", cells[2]).group(1)
    return kinds


COLLECTIONS = registry()
KINDS = list(COLLECTIONS)


def collection(kind):
    return COLLECTIONS[kind]


def words(identifier):
    """snake_case and camelCase split into lowercase words, plurals made singular."""
    parts = re.findall(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+", identifier)
    out = []
    for part in parts:
        w = part.lower()
        if w.endswith("s") and len(w) > 3 and w not in ("sms", "status", "address"):
            w = w[:-1]
        out.append(w)
    return out


STRING = re.compile(r'#"""(?:.|\n)*?"""#|"""(?:.|\n)*?"""|"(?:[^"\\\n]|\\.)*"')


def split_code(text):
    """(code without string literals, the string literals' contents)."""
    strings = [m.group(0) for m in STRING.finditer(text)]
    return STRING.sub(" ", text), strings


def strip_comments(text):
    lines = []
    for line in text.splitlines():
        # Whole-line and trailing // comments; string literals containing // are rare enough here.
        stripped = re.sub(r'(?<![:"])//.*$', "", line)
        if line.lstrip().startswith("//"):
            stripped = ""
        lines.append(stripped)
    return "\n".join(lines)


def kinds_named(text):
    found = set()
    code, strings = split_code(strip_comments(text))
    for literal in strings:
        for token in re.findall(r"[a-z_]+", literal):
            for kind in KINDS:
                if token in (kind, kind + "s", collection(kind)):
                    found.add(kind)
    kind_words = sorted(((k, k.split("_")) for k in KINDS), key=lambda kw: -len(kw[1]))
    for token in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", code):
        ws = words(token)
        used = [False] * len(ws)
        for kind, kw in kind_words:
            for i in range(len(ws) - len(kw) + 1):
                if ws[i:i + len(kw)] == kw and not any(used[i:i + len(kw)]):
                    found.add(kind)
                    for j in range(i, i + len(kw)):
                        used[j] = True
    return found


def main():
    args = [a for a in sys.argv[1:] if a != "--all"]
    everything = "--all" in sys.argv
    root = args[0] if args else "Sources"
    mentions = {k: [] for k in KINDS}
    for folder, _, files in os.walk(root):
        for name in sorted(files):
            if not name.endswith(".swift"):
                continue
            path = os.path.join(folder, name)
            if not everything and path.endswith(GENERATED):
                continue
            with open(path, encoding="utf-8") as handle:
                for kind in kinds_named(handle.read()):
                    mentions[kind].append(os.path.relpath(path, root))
    for kind in KINDS:
        files = sorted(mentions[kind])
        print(f"{kind} ({len(files)}): {', '.join(files)}")


if __name__ == "__main__":
    main()
