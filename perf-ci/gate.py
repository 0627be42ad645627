#!/usr/bin/env python3
"""The regression gate on perf-ci ratios (standard library only).

  gate.py check RESULT.json FLOORS.json     exit 0 when every gated ratio is within its bound, 1 when one
                                            is not, 2 when the result lacks the reference or a gated pair
  gate.py calibrate RESULT.json...          from repeated --quick runs: per pair and metric the ratios seen,
                                            their spread, and the bound that spread justifies (JSON on stdout)

A bound is on the ratio against wg-go:wg-go measured in the same run, never on an absolute number.
Calibration rule: for a higher-is-better metric the floor is the lowest ratio seen minus the whole
spread (max - min) seen across the runs, for a lower-is-better one the ceiling is the highest plus the
spread; so a bound sits one full noise width beyond anything a healthy build produced, and a change
that moves a ratio by more than the machine's noise fails.
"""

import json
import statistics
import sys

REFERENCE_PAIR = "wg-go:wg-go"
# What the gate looks at: throughput both ways of counting, and idle latency.
GATED = [("tcp1_gbps", True), ("tcp4_gbps", True), ("udp_gbps", True), ("rtt_p50_ms", False)]


def load(path):
    with open(path) as f:
        return json.load(f)


def check(result_path, floors_path):
    result = load(result_path)
    bounds = load(floors_path)["bounds"]
    ratios = result.get("ratios", {})
    if REFERENCE_PAIR not in result.get("summary", {}):
        print("perf gate: the reference pair %s was not measured: %s" % (REFERENCE_PAIR, result.get("failures")))
        return 2
    failed = 0
    missing = 0
    for pair, metrics in sorted(bounds.items()):
        for key, bound in sorted(metrics.items()):
            r = ratios.get(pair, {}).get(key)
            if r is None:
                print("perf gate: MISSING %-12s %-11s (pair failed or metric not measured)" % (pair, key))
                missing += 1
                continue
            value = r["ratio"]
            if "min" in bound:
                ok = value >= bound["min"]
                rule = ">= %.2f" % bound["min"]
            else:
                ok = value <= bound["max"]
                rule = "<= %.2f" % bound["max"]
            rounds = ", ".join("%.2f" % v for v in r.get("per_round", []))
            print("perf gate: %-4s %-12s %-11s %6.2fx (rounds: %s)  bound %s" % (
                "ok" if ok else "FAIL", pair, key, value, rounds, rule))
            failed += 0 if ok else 1
    if missing:
        return 2
    return 1 if failed else 0


def calibrate(paths):
    seen = {}
    loads = []
    for path in paths:
        result = load(path)
        loads.append(result.get("machine", {}).get("loadavg_start"))
        for pair, metrics in result.get("ratios", {}).items():
            if pair == REFERENCE_PAIR:
                continue
            for key, higher in GATED:
                if key in metrics:
                    seen.setdefault(pair, {}).setdefault(key, []).append(metrics[key]["ratio"])
    bounds = {}
    report = {}
    for pair, metrics in sorted(seen.items()):
        for key, higher in GATED:
            vals = metrics.get(key)
            if not vals or len(vals) < 2:
                continue
            spread = max(vals) - min(vals)
            if higher:
                bound = {"min": round(max(0.05, min(vals) - spread), 2)}
            else:
                bound = {"max": round(max(vals) + spread, 2)}
            bounds.setdefault(pair, {})[key] = bound
            report.setdefault(pair, {})[key] = {
                "ratios": [round(v, 3) for v in vals], "median": round(statistics.median(vals), 3),
                "spread": round(spread, 3)}
    json.dump({"runs": len(paths), "loads": loads, "seen": report, "bounds": bounds}, sys.stdout, indent=2)
    print()
    return 0


def main(argv):
    if len(argv) == 4 and argv[1] == "check":
        return check(argv[2], argv[3])
    if len(argv) >= 3 and argv[1] == "calibrate":
        return calibrate(argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
