#!/usr/bin/env python3
"""Raw records, aggregation and the HTML report for perf-ci/run (standard library only).

perf-ci/run calls one subcommand per measurement; each appends one JSON line to the run's raw file
and prints one progress line. `finish` turns the raw lines into results/<date>-<commit>.json, a
self-contained HTML report with inline SVG charts, and a summary table on stdout.
"""

import argparse
import html
import json
import math
import re
import statistics
import sys

REFERENCE_PAIR = "wg-go:wg-go"

# (key, label, unit, higher_is_better)
METRICS = [
    ("tcp1_gbps", "TCP 1 stream", "Gbit/s", True),
    ("tcp4_gbps", "TCP 4 streams", "Gbit/s", True),
    ("udp_gbps", "UDP goodput", "Gbit/s", True),
    ("udp_loss_pct", "UDP loss", "%", False),
    ("rtt_p50_ms", "RTT p50", "ms", False),
    ("rtt_p90_ms", "RTT p90", "ms", False),
    ("rtt_p99_ms", "RTT p99", "ms", False),
    ("cpu_ns_per_byte_tcp1", "CPU/byte TCP 1", "ns/B", False),
    ("cpu_ns_per_byte_tcp4", "CPU/byte TCP 4", "ns/B", False),
    ("cpu_ns_per_byte_udp", "CPU/byte UDP", "ns/B", False),
    ("rss_a_mib", "RSS sender", "MiB", False),
    ("rss_b_mib", "RSS receiver", "MiB", False),
]
METRIC_INFO = {m[0]: m for m in METRICS}
COLORS = ["#4C78A8", "#F58518", "#54A24B", "#B279A2", "#E45756", "#72B7B2", "#9D755D"]


def append(raw, rec):
    with open(raw, "a") as f:
        f.write(json.dumps(rec, sort_keys=True) + "\n")


def say(prefix, text):
    print(prefix + text, flush=True)


def percentile(values, p):
    """Linear interpolation between closest ranks (numpy's default)."""
    s = sorted(values)
    if not s:
        return None
    k = (len(s) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


# ---- per-measurement subcommands ---------------------------------------------------------------


def cmd_iperf(a):
    rec = {"pair": a.pair, "round": a.round, "metric": a.kind, "ok": False}
    try:
        with open(a.file) as f:
            d = json.load(f)
    except (OSError, ValueError) as e:
        d = {"error": "no iperf3 JSON (exit status %s): %s" % (a.rc, e)}
    if "error" in d or a.rc != 0 or "end" not in d:
        rec["reason"] = d.get("error", "iperf3 exit status %s" % a.rc)
        append(a.raw, rec)
        say(a.prefix, "%-12s %-5s FAILED: %s" % (a.pair, a.kind, rec["reason"]))
        return
    end = d["end"]
    recv = end["sum_received"]
    sent = end["sum_sent"]
    cpu_a = (a.a1 - a.a0) / a.tck
    cpu_b = (a.b1 - a.b0) / a.tck
    nbytes = recv["bytes"]
    rec.update(
        ok=True,
        gbps=recv["bits_per_second"] / 1e9,
        sent_gbps=sent["bits_per_second"] / 1e9,
        bytes=nbytes,
        seconds=recv["seconds"],
        cpu_s_a=cpu_a,
        cpu_s_b=cpu_b,
        cpu_ns_per_byte=(cpu_a + cpu_b) * 1e9 / nbytes if nbytes else None,
        cores_busy=(cpu_a + cpu_b) / sent["seconds"] if sent["seconds"] else None,
    )
    extra = ""
    if a.kind == "udp":
        rec.update(lost_percent=recv.get("lost_percent"), packets=recv.get("packets"),
                   lost_packets=recv.get("lost_packets"))
        extra = "loss %5.1f%%" % (rec["lost_percent"] or 0)
    else:
        rec["retransmits"] = sent.get("retransmits")
        extra = "retr %5s" % rec["retransmits"]
    append(a.raw, rec)
    cpb = rec["cpu_ns_per_byte"]
    say(a.prefix, "%-12s %-5s %6.3f Gbit/s  %s  daemons %.2f cores, %s ns/B"
        % (a.pair, a.kind, rec["gbps"], extra, rec["cores_busy"] or 0,
           "%.2f" % cpb if cpb is not None else "-"))


def cmd_ping(a):
    rec = {"pair": a.pair, "round": a.round, "metric": "ping"}
    try:
        with open(a.file) as f:
            text = f.read()
    except OSError as e:
        text = str(e)
    rtts = [float(m) for m in re.findall(r"time=([0-9.]+) ms", text)]
    if not rtts:
        rec.update(ok=False, reason="no echo reply: " + text.strip()[-300:])
        append(a.raw, rec)
        say(a.prefix, "%-12s ping  FAILED: %s" % (a.pair, rec["reason"]))
        return
    rec.update(ok=True, sent=a.count, received=len(rtts), rtts_ms=rtts,
               p50_ms=percentile(rtts, 50), p90_ms=percentile(rtts, 90), p99_ms=percentile(rtts, 99),
               min_ms=min(rtts), max_ms=max(rtts))
    append(a.raw, rec)
    say(a.prefix, "%-12s ping  p50 %.3f  p90 %.3f  p99 %.3f ms  (%d/%d replies)"
        % (a.pair, rec["p50_ms"], rec["p90_ms"], rec["p99_ms"], len(rtts), a.count))


def cmd_rss(a):
    rec = {"pair": a.pair, "round": a.round, "metric": "rss", "ok": True,
           "rss_kb_a": a.rss_a, "rss_kb_b": a.rss_b, "hwm_kb_a": a.hwm_a, "hwm_kb_b": a.hwm_b}
    append(a.raw, rec)
    say(a.prefix, "%-12s rss   sender %.1f MiB (peak %.1f), receiver %.1f MiB (peak %.1f)"
        % (a.pair, a.rss_a / 1024, a.hwm_a / 1024, a.rss_b / 1024, a.hwm_b / 1024))


def cmd_fail(a):
    append(a.raw, {"pair": a.pair, "round": a.round, "metric": "setup", "ok": False, "reason": a.reason})
    say(a.prefix, "%-12s FAILED (round %d): %s" % (a.pair, a.round, a.reason))


# ---- aggregation -------------------------------------------------------------------------------


def load_rounds(raw):
    """pair -> round -> {metric key: value}; failures as pair -> [reasons]."""
    rounds, failures = {}, {}
    with open(raw) as f:
        recs = [json.loads(line) for line in f if line.strip()]
    for r in recs:
        pr = rounds.setdefault(r["pair"], {}).setdefault(r["round"], {})
        if not r.get("ok"):
            failures.setdefault(r["pair"], []).append(
                {"round": r["round"], "stage": r["metric"], "reason": r.get("reason", "")})
            continue
        m = r["metric"]
        if m in ("tcp1", "tcp4", "udp"):
            pr[m + "_gbps"] = r["gbps"]
            pr["cpu_ns_per_byte_" + m] = r["cpu_ns_per_byte"]
            if m == "udp":
                pr["udp_loss_pct"] = r["lost_percent"]
        elif m == "ping":
            for p in ("p50", "p90", "p99"):
                pr["rtt_%s_ms" % p] = r[p + "_ms"]
        elif m == "rss":
            pr["rss_a_mib"] = r["rss_kb_a"] / 1024
            pr["rss_b_mib"] = r["rss_kb_b"] / 1024
    return recs, rounds, failures


def summarize(rounds):
    summary = {}
    for pair, by_round in rounds.items():
        s = {}
        for key, _, _, _ in METRICS:
            vals = [v[key] for _, v in sorted(by_round.items()) if v.get(key) is not None]
            if vals:
                s[key] = {"median": statistics.median(vals), "min": min(vals), "max": max(vals),
                          "n": len(vals), "values": vals}
        summary[pair] = s
    return summary


def ratios(rounds, summary):
    """Ratio of medians vs the reference, plus the spread of per-round ratios (same round = neighbours
    in time, which is what interleaving buys)."""
    out = {}
    ref = summary.get(REFERENCE_PAIR)
    if not ref:
        return out
    for pair, s in summary.items():
        r = {}
        for key in s:
            if key not in ref or not ref[key]["median"]:
                continue
            per_round = []
            for rnd, vals in rounds.get(pair, {}).items():
                rv = rounds[REFERENCE_PAIR].get(rnd, {}).get(key)
                if vals.get(key) is not None and rv:
                    per_round.append(vals[key] / rv)
            r[key] = {"ratio": s[key]["median"] / ref[key]["median"],
                      "per_round": per_round,
                      "higher_is_better": METRIC_INFO[key][3]}
        out[pair] = r
    return out


# ---- rendering ---------------------------------------------------------------------------------


def fmt(v, digits=3):
    if v is None:
        return "-"
    if abs(v) >= 100:
        return "%.0f" % v
    if abs(v) >= 10:
        return "%.1f" % v
    return ("%." + str(digits) + "f") % v


def nice_max(v):
    if v <= 0:
        return 1.0
    e = 10 ** math.floor(math.log10(v))
    for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if m * e >= v:
            return m * e
    return 10 * e


def bar_chart(title, groups, pairs, summary, unit, failed, log=False):
    """groups: [(metric key, label)]; one bar per pair per group: median, min-max whisker, round dots.
    log: a log10 axis, for latencies whose tail would flatten the medians on a linear one."""
    w, h = 760, 320
    left, right, top, bottom = 64, 16, 40, 64
    pw, ph = w - left - right, h - top - bottom
    vmax, vmin = 0.0, float("inf")
    for key, _ in groups:
        for p in pairs:
            st = summary.get(p, {}).get(key)
            if st:
                vmax = max(vmax, st["max"])
                if st["min"] > 0:
                    vmin = min(vmin, st["min"])
    if log and vmin < float("inf"):
        lo = 10.0 ** math.floor(math.log10(vmin))
        hi = 10.0 ** math.ceil(math.log10(vmax * 1.5))
        ticks = [lo * 10 ** i for i in range(int(round(math.log10(hi / lo))) + 1)]

        def y(v):
            v = max(v, lo)
            return top + ph - (math.log10(v / lo) / math.log10(hi / lo)) * ph
    else:
        ymax = nice_max(vmax * 1.12)
        ticks = [ymax * i / 5 for i in range(6)]

        def y(v):
            return top + ph - (v / ymax) * ph
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
           'font-family="sans-serif" font-size="12">' % (w, h, w, h)]
    out.append('<rect width="100%" height="100%" fill="white"/>')
    out.append('<text x="%d" y="22" font-size="15" font-weight="bold">%s</text>' % (left, html.escape(title)))
    for v in ticks:
        yy = y(v)
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#e3e3e3"/>' % (left, w - right, yy, yy))
        out.append('<text x="%d" y="%.1f" text-anchor="end" fill="#555">%s</text>' % (left - 6, yy + 4, ("%g" % v) if log else fmt(v, 2)))
    out.append('<text x="14" y="%d" transform="rotate(-90 14 %d)" text-anchor="middle" fill="#555">%s</text>'
               % (top + ph // 2, top + ph // 2, html.escape(unit + (" (log scale)" if log else ""))))
    gw = pw / max(1, len(groups))
    bw = min(56, (gw * 0.8) / max(1, len(pairs)))
    for gi, (key, label) in enumerate(groups):
        gx = left + gi * gw + (gw - bw * len(pairs)) / 2
        out.append('<text x="%.1f" y="%d" text-anchor="middle" font-weight="bold">%s</text>'
                   % (left + gi * gw + gw / 2, h - bottom + 20, html.escape(label)))
        for pi, p in enumerate(pairs):
            x = gx + pi * bw
            color = COLORS[pi % len(COLORS)]
            st = summary.get(p, {}).get(key)
            if not st:
                out.append('<text x="%.1f" y="%.1f" text-anchor="middle" fill="#c00" font-size="10" '
                           'transform="rotate(-90 %.1f %.1f)">%s</text>'
                           % (x + bw / 2, top + ph - 6, x + bw / 2, top + ph - 6,
                              "failed" if p in failed else "n/a"))
                continue
            yy = y(st["median"])
            out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" opacity="0.9">'
                       '<title>%s %s: median %s %s (min %s, max %s, n=%d)</title></rect>'
                       % (x + 2, yy, bw - 4, top + ph - yy, color, html.escape(p), html.escape(label),
                          fmt(st["median"]), html.escape(unit), fmt(st["min"]), fmt(st["max"]), st["n"]))
            cx = x + bw / 2
            if st["n"] > 1:
                out.append('<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#222" stroke-width="1.5"/>'
                           % (cx, cx, y(st["min"]), y(st["max"])))
                for yv in (st["min"], st["max"]):
                    out.append('<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#222" stroke-width="1.5"/>'
                               % (cx - 6, cx + 6, y(yv), y(yv)))
                for v in st["values"]:
                    out.append('<circle cx="%.1f" cy="%.1f" r="2.5" fill="white" stroke="#222"/>' % (cx, y(v)))
            out.append('<text x="%.1f" y="%.1f" text-anchor="middle" font-size="11">%s</text>'
                       % (cx, y(st["max"]) - 6, fmt(st["median"])))
    # legend
    lx = left
    for pi, p in enumerate(pairs):
        out.append('<rect x="%d" y="%d" width="12" height="12" fill="%s"/>' % (lx, h - 24, COLORS[pi % len(COLORS)]))
        label = p + (" (failed)" if p in failed and p not in summary_ok(summary) else "")
        out.append('<text x="%d" y="%d">%s</text>' % (lx + 16, h - 14, html.escape(label)))
        lx += 30 + 7 * len(label)
    out.append("</svg>")
    return "\n".join(out)


def summary_ok(summary):
    return {p for p, s in summary.items() if s}


def ratio_cell(r):
    if r is None:
        return '<td class="na">-</td>'
    good = (r["ratio"] >= 1) == r["higher_is_better"]
    pr = r["per_round"]
    spread = " (%.2f&ndash;%.2f)" % (min(pr), max(pr)) if len(pr) > 1 else ""
    return '<td class="%s">%.2f&times;<span class="sp">%s</span></td>' % ("good" if good else "bad", r["ratio"], spread)


def render_html(result):
    pairs = result["config"]["pairs"]
    summary, rat, failed = result["summary"], result["ratios"], result["failures"]
    m = result["machine"]
    charts = [
        bar_chart("Throughput through the tunnel (median, min-max whisker, dots = rounds)",
                  [("tcp1_gbps", "TCP 1 stream"), ("tcp4_gbps", "TCP 4 streams"), ("udp_gbps", "UDP goodput")],
                  pairs, summary, "Gbit/s", failed),
        bar_chart("Ping RTT through the tunnel, idle (lower is better)",
                  [("rtt_p50_ms", "p50"), ("rtt_p90_ms", "p90"), ("rtt_p99_ms", "p99")],
                  pairs, summary, "ms", failed, log=True),
        bar_chart("CPU time of both daemons per received byte (lower is better)",
                  [("cpu_ns_per_byte_tcp1", "TCP 1 stream"), ("cpu_ns_per_byte_tcp4", "TCP 4 streams"),
                   ("cpu_ns_per_byte_udp", "UDP")],
                  pairs, summary, "ns per byte", failed),
        bar_chart("Daemon RSS after the load (lower is better)",
                  [("rss_a_mib", "sender side"), ("rss_b_mib", "receiver side")],
                  pairs, summary, "MiB", failed),
    ]
    cols = [k for k, _, _, _ in METRICS]
    rows = []
    for p in pairs:
        cells = "".join(ratio_cell(rat.get(p, {}).get(k)) for k in cols)
        rows.append("<tr><th>%s</th>%s</tr>" % (html.escape(p), cells))
    med_rows = []
    for p in pairs:
        s = summary.get(p, {})
        cells = ""
        for k in cols:
            st = s.get(k)
            cells += "<td>%s</td>" % ("%s<span class=sp> (%s&ndash;%s)</span>" % (fmt(st["median"]), fmt(st["min"]), fmt(st["max"]))
                                       if st else "-")
        med_rows.append("<tr><th>%s</th>%s</tr>" % (html.escape(p), cells))
    head = "".join("<th>%s<br><small>%s%s</small></th>" % (html.escape(l), html.escape(u), "" if hb else ", lower better")
                   for _, l, u, hb in METRICS)
    fail_html = ""
    if failed:
        items = "".join("<li><b>%s</b> round %s (%s): <code>%s</code></li>"
                        % (html.escape(p), f["round"], html.escape(f["stage"]), html.escape(f["reason"]))
                        for p, fs in failed.items() for f in fs)
        fail_html = '<div class="fail"><h2>Failed measurements</h2><ul>%s</ul></div>' % items
    c = result["config"]
    return """<!doctype html>
<html><head><meta charset="utf-8"><title>RingGuard perf-ci %(date)s %(commit)s</title>
<style>
body{font-family:sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:22px;margin-bottom:4px} h2{font-size:17px;margin-top:28px}
.meta{color:#555;font-size:13px;line-height:1.5}
table{border-collapse:collapse;font-size:12px;margin-top:8px}
td,th{border:1px solid #ddd;padding:4px 6px;text-align:right;white-space:nowrap}
th{background:#f5f5f5} tr th:first-child{text-align:left}
td.good{background:#e4f4e4} td.bad{background:#fbe3e3} td.na{color:#aaa}
.sp{color:#777;font-size:11px}
.fail{border:1px solid #e99;background:#fff5f5;padding:4px 16px;margin-top:16px}
.charts svg{display:block;margin:12px 0;border:1px solid #eee}
code{font-size:12px}
</style></head><body>
<h1>RingGuard end-to-end benchmark</h1>
<div class="meta">%(date)s &middot; commit <b>%(commit)s</b>%(dirty)s &middot; %(nproc)s cores, %(cpu)s &middot; kernel %(kernel)s
&middot; %(wggo)s &middot; %(iperf)s &middot; load average %(load)s<br>
pairs A:B (A sends to B) interleaved over %(rounds)s round(s), %(duration)s s per iperf3 test, %(pings)s pings at 0.05 s,
UDP 1300-byte datagrams at %(udprate)s target, tunnel MTU %(mtu)s, outer IPv%(outer)s, both ends and iperf3 on the same machine.
Reproduce: <code>sudo perf-ci/run %(cmdline)s</code></div>
%(fail)s
<h2>Ratios against %(ref)s in the same run</h2>
<div class="meta">Ratio of medians; in brackets the lowest and highest per-round ratio (each round's pair against the
reference measured next to it). Green = better than the reference.</div>
<table><tr><th>pair</th>%(head)s</tr>%(rows)s</table>
<div class="charts">%(charts)s</div>
<h2>Medians (min&ndash;max over rounds)</h2>
<table><tr><th>pair</th>%(head)s</tr>%(medrows)s</table>
</body></html>
""" % {
        "date": html.escape(result["date"]), "commit": html.escape(result["commit"]),
        "dirty": " (uncommitted changes in the tree)" if result["dirty"] else "",
        "nproc": m["nproc"], "cpu": html.escape(m["cpu_model"]), "kernel": html.escape(m["kernel"]),
        "load": html.escape("%s at start, %s at end" % (m.get("loadavg_start", "?"), m.get("loadavg_end", "?"))),
        "wggo": html.escape(m["wireguard_go"]), "iperf": html.escape(m["iperf3"]),
        "rounds": c["rounds"], "duration": c["duration_s"], "pings": c["pings"], "udprate": html.escape(c["udp_rate"]),
        "mtu": c["mtu"], "outer": c["outer"], "cmdline": html.escape(c["cmdline"]), "fail": fail_html,
        "ref": REFERENCE_PAIR, "head": head, "rows": "".join(rows), "medrows": "".join(med_rows),
        "charts": "\n".join(charts),
    }


def print_table(result):
    pairs = result["config"]["pairs"]
    summary, rat = result["summary"], result["ratios"]
    cols = [("tcp1_gbps", "TCP1 Gb/s"), ("tcp4_gbps", "TCP4 Gb/s"), ("udp_gbps", "UDP Gb/s"),
            ("udp_loss_pct", "UDP loss%"), ("rtt_p50_ms", "RTT p50"), ("rtt_p99_ms", "RTT p99"),
            ("cpu_ns_per_byte_tcp1", "ns/B TCP1"), ("rss_b_mib", "RSS MiB")]
    w = 20
    print()
    print("%-12s" % "pair" + "".join("%*s" % (w, c[1]) for c in cols))
    for p in pairs:
        s = summary.get(p, {})
        line = "%-12s" % p
        for k, _ in cols:
            st = s.get(k)
            cell = "%s (%s-%s)" % (fmt(st["median"]), fmt(st["min"]), fmt(st["max"])) if st else "-"
            line += "%*s" % (w, cell)
        print(line)
    if any(rat.get(p) for p in pairs if p != REFERENCE_PAIR):
        print("\nratios vs %s (median / median):" % REFERENCE_PAIR)
        for p in pairs:
            if p == REFERENCE_PAIR or not rat.get(p):
                continue
            print("%-12s" % p + "".join("%*s" % (w, "%.2fx" % rat[p][k]["ratio"] if k in rat[p] else "-")
                                        for k, _ in cols))
    for p, fs in result["failures"].items():
        for f in fs:
            print("FAILED %s round %s (%s): %s" % (p, f["round"], f["stage"], f["reason"]))


def cmd_finish(a):
    recs, rounds, failures = load_rounds(a.raw)
    pairs = a.pairs.split()
    summary = summarize(rounds)
    summary = {p: s for p, s in summary.items() if s}
    result = {
        "schema": "ringguard-perf-ci/1",
        "commit": a.commit, "commit_full": a.commit_full, "dirty": a.dirty == "true", "date": a.date,
        "elapsed_s": a.elapsed,
        "machine": {"nproc": a.nproc, "cpu_model": a.cpu_model, "kernel": a.kernel,
                    "wireguard_go": a.wireguard_go, "iperf3": a.iperf3,
                    "loadavg_start": a.load_start, "loadavg_end": a.load_end},
        "config": {"pairs": pairs, "rounds": a.rounds, "duration_s": a.duration, "pings": a.pings,
                   "warmup_s": a.warmup,
                   "udp_rate": a.udp_rate, "udp_datagram_bytes": 1300, "outer": a.outer, "mtu": a.mtu,
                   "quick": a.quick == "1",
                   "impls": dict(line.split("=", 1) for line in a.impls.splitlines() if "=" in line),
                   "cmdline": " ".join(["--quick"] if a.quick == "1" else
                                       ["--rounds", str(a.rounds), "--duration", str(a.duration)])
                   + " --pairs " + ",".join(pairs)},
        "reference_pair": REFERENCE_PAIR,
        "metrics": {k: {"label": l, "unit": u, "higher_is_better": hb} for k, l, u, hb in METRICS},
        "summary": summary,
        "ratios": ratios(rounds, summary),
        "failures": failures,
        "raw": recs,
    }
    with open(a.json_out, "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)
        f.write("\n")
    with open(a.html_out, "w") as f:
        f.write(render_html(result))
    print_table(result)
    print("\nresults: %s\nreport:  %s" % (a.json_out, a.html_out))
    return 0 if summary.get(REFERENCE_PAIR) or REFERENCE_PAIR not in pairs else 1


def render_svg(result):
    """One standalone SVG (throughput, then idle RTT) for places that show an image, not a page (the README)."""
    pairs = result["config"]["pairs"]
    summary, failed = result["summary"], result["failures"]
    m = result["machine"]
    charts = [
        bar_chart("Throughput through the tunnel (median, min-max whisker, dots = rounds)",
                  [("tcp1_gbps", "TCP 1 stream"), ("tcp4_gbps", "TCP 4 streams"), ("udp_gbps", "UDP goodput")],
                  pairs, summary, "Gbit/s", failed),
        bar_chart("Ping RTT through the tunnel, idle (lower is better)",
                  [("rtt_p50_ms", "p50"), ("rtt_p90_ms", "p90"), ("rtt_p99_ms", "p99")],
                  pairs, summary, "ms", failed, log=True),
    ]
    caption = "%s, commit %s, %s cores, Linux %s, %s, load %s" % (
        result["date"], result["commit"], m["nproc"], m["kernel"], m["wireguard_go"], m["loadavg_start"])
    w, chart_h, caption_h = 760, 320, 24
    h = caption_h + chart_h * len(charts)
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
           'font-family="sans-serif" font-size="12">' % (w, h, w, h),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="8" y="16" fill="#555">%s</text>' % html.escape(caption)]
    for i, chart in enumerate(charts):
        out.append('<g transform="translate(0,%d)">%s</g>' % (caption_h + i * chart_h, chart))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def cmd_svg(a):
    """Write the throughput and RTT charts of a results JSON as one SVG."""
    with open(a.json_in) as f:
        result = json.load(f)
    with open(a.svg_out, "w") as f:
        f.write(render_svg(result))


def cmd_render(a):
    """Re-render the HTML of an existing results JSON (after changing this script)."""
    with open(a.json_in) as f:
        result = json.load(f)
    with open(a.html_out, "w") as f:
        f.write(render_html(result))
    print_table(result)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("iperf")
    for n in ("raw", "pair"):
        p.add_argument(n)
    p.add_argument("round", type=int)
    p.add_argument("kind", choices=["tcp1", "tcp4", "udp"])
    p.add_argument("file")
    for n in ("rc", "a0", "a1", "b0", "b1", "tck"):
        p.add_argument(n, type=int)
    p.add_argument("--prefix", default="")
    p.set_defaults(fn=cmd_iperf)

    p = sub.add_parser("ping")
    p.add_argument("raw")
    p.add_argument("pair")
    p.add_argument("round", type=int)
    p.add_argument("file")
    p.add_argument("count", type=int)
    p.add_argument("--prefix", default="")
    p.set_defaults(fn=cmd_ping)

    p = sub.add_parser("rss")
    p.add_argument("raw")
    p.add_argument("pair")
    p.add_argument("round", type=int)
    for n in ("rss_a", "rss_b", "hwm_a", "hwm_b"):
        p.add_argument(n, type=int)
    p.add_argument("--prefix", default="")
    p.set_defaults(fn=cmd_rss)

    p = sub.add_parser("fail")
    p.add_argument("raw")
    p.add_argument("pair")
    p.add_argument("round", type=int)
    p.add_argument("reason")
    p.add_argument("--prefix", default="")
    p.set_defaults(fn=cmd_fail)

    p = sub.add_parser("finish")
    p.add_argument("raw")
    p.add_argument("json_out")
    p.add_argument("html_out")
    for n in ("commit", "commit-full", "dirty", "date", "cpu-model", "kernel", "wireguard-go", "iperf3",
              "impls", "pairs", "udp-rate", "quick", "load-start", "load-end"):
        p.add_argument("--" + n, default="")
    for n in ("nproc", "rounds", "duration", "pings", "warmup", "outer", "mtu", "elapsed"):
        p.add_argument("--" + n, type=int, default=0)
    p.set_defaults(fn=cmd_finish)

    p = sub.add_parser("svg")
    p.add_argument("json_in")
    p.add_argument("svg_out")
    p.set_defaults(fn=cmd_svg)

    p = sub.add_parser("render")
    p.add_argument("json_in")
    p.add_argument("html_out")
    p.set_defaults(fn=cmd_render)

    a = ap.parse_args()
    sys.exit(a.fn(a) or 0)


if __name__ == "__main__":
    main()
