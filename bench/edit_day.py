#!/usr/bin/env python3
"""One working day of edits on a garage backup: about 1% of entities changed, some added, some
deleted, scattered through every collection. bench/edit_day.py in.json out.json SEED"""
import json
import random
import sys


def edit_day(doc, seed, share=0.01):
    r = random.Random(seed)
    data = doc["data"]
    for name, items in data.items():
        if not isinstance(items, list) or not items:
            continue
        n = len(items)
        for i in r.sample(range(n), max(1, int(n * share * 0.8))):  # changes
            e = items[i]
            for k, v in list(e.items()):
                if k != "id" and isinstance(v, (int, float)) and not isinstance(v, bool):
                    e[k] = round(v * r.uniform(0.9, 1.1), 2) if isinstance(v, float) else v + 1
                    break
            else:
                e["note"] = f"modifié le jour {seed}"
        for i in sorted(r.sample(range(n), max(1, int(n * share * 0.1))), reverse=True):  # deletions
            del items[i]
        for k in range(max(1, int(n * share * 0.2))):  # additions, appended like the app does
            clone = dict(r.choice(items))
            clone["id"] = f"{name[:3]}-j{seed}-{k}" if isinstance(clone["id"], str) else 10_000_000 * seed + k
            items.append(clone)
    doc["timestamp"] = f"2026-11-{(seed % 28) + 1:02d}T18:00:00.000Z"
    return doc


if __name__ == "__main__":
    src, dst, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(src, encoding="utf-8") as f:
        doc = json.load(f)
    with open(dst, "w", encoding="utf-8") as f:
        f.write(json.dumps(edit_day(doc, seed), ensure_ascii=False, separators=(",", ":")))
