"""Figures of the HTTP benchmark: medians and ratios per server, the targets of issue 11, Markdown tables."""

from __future__ import annotations

import statistics

PEERS = {"disk": "oxigraph serve (disk)", "memory": "oxigraph serve (memory)"}
TARGETS = {
    "lookup_vs_oxigraph_disk": 0.3,  # at least
    "lookup_vs_own_constant": 0.9,  # at least
    "mix_vs_oxigraph_disk": 1.0,  # at most (on disk)
    "mix_vs_oxigraph_memory": 1.1,  # at most (the in-memory read mode)
    "repeated_vs_first": 0.1,  # at most
    "kg_load_vs_bulk_load": 1.1,  # at most
    "peak_rss_vs_oxigraph": 2.0,  # at most
    "peak_pss_vs_oxigraph": 2.0,  # at most: the same target, each shared page counted once (benchmarks/README.md)
}


def summarise(servers, queries, mixed, repeated, loads) -> dict:
    """Per server: medians, sums, throughput, CPU per request, memory; then ratios to its peer."""
    rows = {}
    for server in servers:
        name = server.contender.name
        medians = {q: statistics.median(mixed["times"][name][q]) * 1000 for q in queries}
        lookup = [run["requests_per_second"] for run in loads[name]["lookup"]]
        constant = [run["requests_per_second"] for run in loads[name]["constant"]]
        rows[name] = {
            "kind": server.contender.kind, "storage": server.contender.storage, "options": server.contender.note,
            "startup_seconds": round(server.startup_seconds, 2), "load_seconds": round(server.load_seconds, 2),
            "peak_rss_mb": round(server.peak_rss_mb), "peak_pss_mb": round(server.peak_pss_mb),
            "processes": server.processes(),
            "median_ms": {q: round(v, 3) for q, v in medians.items()},
            "mix_sum_ms": round(sum(medians.values()), 2),
            "mix_server_cpu_seconds": round(mixed["cpu_seconds_per_round"][name], 3),
            "rows": mixed["rows"][name],
            "lookup_rps": round(statistics.median(lookup)), "constant_rps": round(statistics.median(constant)),
            "lookup_cpu_ms": round(statistics.median(r["server_cpu_ms_per_request"] for r in loads[name]["lookup"]), 3),
            "lookup_p50_ms": statistics.median(r["p50_ms"] or 0 for r in loads[name]["lookup"]),
            "wrk_non_2xx": sum(r["non_2xx"] for r in loads[name]["lookup"] + loads[name]["constant"]),
            "wrk": loads[name],
            "repeated": {key: round(value, 4) for key, value in repeated[name].items()},
        }
    for name, row in rows.items():
        peer = rows.get(PEERS[row["storage"]])
        disk = rows.get(PEERS["disk"])
        row["mix_ratio"] = round(row["mix_sum_ms"] / peer["mix_sum_ms"], 3) if peer else None
        row["lookup_ratio_disk"] = round(row["lookup_rps"] / disk["lookup_rps"], 3) if disk else None
        # None when the constant route answered nothing (every request over wrk's time limit)
        row["lookup_vs_constant"] = round(row["lookup_rps"] / row["constant_rps"], 3) if row["constant_rps"] else None
        row["rss_ratio"] = round(row["peak_rss_mb"] / peer["peak_rss_mb"], 2) if peer else None
        row["pss_ratio"] = round(row["peak_pss_mb"] / peer["peak_pss_mb"], 2) if peer else None
        row["per_query_ratio"] = {q: round(row["median_ms"][q] / peer["median_ms"][q], 2) if peer else None
                                  for q in queries}
    reference = rows.get(PEERS["disk"], {}).get("rows", {})
    disagreements = {name: {q: (row["rows"].get(q), reference.get(q)) for q in queries
                            if row["rows"].get(q) != reference.get(q)}
                     for name, row in rows.items()}
    return {"servers": rows, "disagreements": {k: v for k, v in disagreements.items() if v}}


def verdicts(document: dict) -> list[str]:
    """One line per target and kg contender: the figure, the target, met or missed."""
    lines = []
    ratio = document["load"]["kg_load_ratio"]
    lines.append(_line("kg load vs bulk_load", ratio, TARGETS["kg_load_vs_bulk_load"], most=True))
    for name, row in document["servers"].items():
        if row["kind"] != "kg":
            continue
        lines.append(_line(f"{name}: lookup vs oxigraph serve (disk)", row["lookup_ratio_disk"],
                           TARGETS["lookup_vs_oxigraph_disk"], most=False))
        lines.append(_line(f"{name}: lookup vs its constant route", row["lookup_vs_constant"],
                           TARGETS["lookup_vs_own_constant"], most=False))
        key = "mix_vs_oxigraph_memory" if row["storage"] == "memory" else "mix_vs_oxigraph_disk"
        lines.append(_line(f"{name}: query mix vs oxigraph serve ({row['storage']})", row["mix_ratio"],
                           TARGETS[key], most=True))
        lines.append(_line(f"{name}: mix asked again vs first", row["repeated"]["ratio"],
                           TARGETS["repeated_vs_first"], most=True))
        lines.append(_line(f"{name}: peak RSS vs oxigraph serve ({row['storage']})", row["rss_ratio"],
                           TARGETS["peak_rss_vs_oxigraph"], most=True))
        lines.append(_line(f"{name}: peak PSS vs oxigraph serve ({row['storage']})", row["pss_ratio"],
                           TARGETS["peak_pss_vs_oxigraph"], most=True))
    return lines


def _line(what: str, value, target: float, *, most: bool) -> str:
    if value is None:
        return f"- {what}: not measured"
    met = value <= target if most else value >= target
    return f"- {what}: {value:.2f}x ({'at most' if most else 'at least'} {target}x): {'met' if met else 'MISSED'}"


def render(document: dict) -> str:
    """The Markdown the README shows: conditions, the server table, per-query medians, the targets."""
    servers = document["servers"]
    machine = document["machine"]
    out = [f"{document['date'][:10]}, {document['data']['triples']:,} statements "
           f"({document['data']['quads_in_store']:,} quads in the store, union view: "
           f"{document['data']['union_view']}); {machine['cpu']}, {machine['cpus']} cores, "
           f"{machine['memory_gb']} GB, Python {machine['python']}, pyoxigraph {machine['pyoxigraph']}; "
           f"load average {document['load_average']['start'][0]:.2f} at start, "
           f"{document['load_average']['end'][0]:.2f} at end.",
           "", f"`{document['command']}`", "",
           f"`kg load` {document['load']['kg_load']['seconds']} s ({document['load']['kg_load']['cpu_seconds']} CPU s), "
           f"`bulk_load` {document['load']['bulk_load']['seconds']} s: {document['load']['kg_load_ratio']}x.", "",
           "| server | startup s | peak RSS MB | peak PSS MB | lookup req/s | x oxigraph disk | constant req/s "
           "| lookup/constant | CPU ms/lookup | mix ms (sum of medians) | x peer | mix CPU s | again/first |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, row in servers.items():
        out.append(f"| {name} | {row['startup_seconds'] + row['load_seconds']:.1f} | {row['peak_rss_mb']:,} "
                   f"| {row['peak_pss_mb']:,} | {row['lookup_rps']:,} | {_x(row['lookup_ratio_disk'])} "
                   f"| {row['constant_rps']:,} | {_x(row['lookup_vs_constant'])} | {row['lookup_cpu_ms']:.3f} "
                   f"| {row['mix_sum_ms']:.1f} | {_x(row['mix_ratio'])} | {row['mix_server_cpu_seconds']:.2f} "
                   f"| {row['repeated']['ratio']:.3f} |")
    names = list(servers)
    out += ["", "Median ms per query (x the peer on the same storage):", "",
            "| query | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for query in document["queries"]:
        cells = [f"{servers[n]['median_ms'][query]:.2f} ({_x(servers[n]['per_query_ratio'][query])})" for n in names]
        out.append(f"| {query} | " + " | ".join(cells) + " |")
    out += ["", "Targets:", *verdicts(document)]
    if document.get("disagreements"):
        out += ["", f"Row counts that differ from oxigraph serve (disk), as (this server's, oxigraph's): {document['disagreements']}"]
    return "\n".join(out)


def _x(value) -> str:
    return "-" if value is None else f"{value:.2f}"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"
