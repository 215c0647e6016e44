#!/usr/bin/env python3
"""Lists, for each K2 resource kind, the files under Sources/ whose code (comments aside)
names it: as `data.type` (`merchant_wallet`), its collection (`merchant_wallets`) or an
identifier made of its words (`merchantWallet`, `MerchantWalletRequest`). A longer kind wins
over a shorter one inside it (`incoming_payment` is not a mention of `payment`).

    scripts/kind-mentions.py [Sources]
"""
import os
import re
import sys

KINDS = ["payment", "send_money", "incoming_payment", "pay_recipient", "external_recipient",
         "webhook_subscription", "merchant_bank_account", "merchant_wallet", "settlement_transfer",
         "polling", "transaction_sms_notification", "reversal", "payment_link"]


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
    kind_words = sorted(((k, k.split("_")) for k in KINDS), key=lambda kw: -len(kw[1]))
    for token in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", strip_comments(text)):
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
    root = sys.argv[1] if len(sys.argv) > 1 else "Sources"
    mentions = {k: [] for k in KINDS}
    for folder, _, files in os.walk(root):
        for name in sorted(files):
            if not name.endswith(".swift"):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as handle:
                for kind in kinds_named(handle.read()):
                    mentions[kind].append(os.path.relpath(path, root))
    for kind in KINDS:
        files = sorted(mentions[kind])
        print(f"{kind} ({len(files)}): {', '.join(files)}")


if __name__ == "__main__":
    main()
