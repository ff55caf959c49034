"""Soak: the whole daemon on 1,000 loopback feeds, accelerated, for a set time.

    .venv/bin/python bench/bench_soak.py                 # 10 minutes after warm-up
    .venv/bin/python bench/bench_soak.py --minutes 3     # a quick run

`python -m monitor --config CFG run` runs as a subprocess with its state in a temporary
folder. 1,000 RSS feeds are served from 20 loopback ports (a thousand feeds live on
many hosts; the per-host limit stays at its default of 2), each polled every
`--interval` seconds (30 s by default: 30x faster than the 900 s default interval).
The channel is the console (one ALERT line per alert on the daemon's stdout, captured
to a file); operator alerts go there too.

Phases, after a warm-up (every feed fetched once in full and once more with its ETag):
1. active     (60% of the time): distinct on-topic articles (each a different arms deal,
               checked first with `monitor replay` on the same config) are published into
               random feeds at `--rate` per second;
2. idle       (40%): nothing new; the feeds keep being polled (mostly 304 answers);
3. quiet      (about 1 minute, skipped with --no-quiet): SIGHUP with the intervals raised
               to 900 s; once the last accelerated polls are done, the CPU of a daemon
               that has nothing to do is measured. A production idle share is then
               estimated as quiet share + per-poll CPU x 1000 feeds / 900 s.

Measured from /proc: RSS (the daemon and, separately, with its parse workers), open file
descriptors, and utime+stime. Targets (issue 8): memory growth < 10% after warm-up, no
growth in file descriptors, idle CPU < 2%; and every injected article alerted exactly once.
"""

from __future__ import annotations

import argparse
import random
import re
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _loopback import (
    FeedServer,
    ProcTree,
    deal_item,
    deals,
    log_has,
    preflight,
    quiet_item,
    start_daemon,
    stop_daemon,
    wait_until,
    write_config,
)

PRODUCTION_INTERVAL = 900.0


class Recorder:
    """Samples the daemon's process tree every `every` seconds, tagged with the phase."""

    def __init__(self, tree: ProcTree, server: FeedServer, every: float) -> None:
        self.tree = tree
        self.server = server
        self.every = every
        self.t0 = time.monotonic()
        self.rows: list[dict[str, float | str]] = []

    def sample(self, phase: str) -> dict[str, float | str]:
        row: dict[str, float | str] = {
            "t": time.monotonic() - self.t0,
            "phase": phase,
            "requests": self.server.requests,
            **self.tree.sample(),
        }
        self.rows.append(row)
        return row

    def run_for(self, seconds: float, phase: str, proc_alive, tick=None) -> None:  # type: ignore[no-untyped-def]
        """Sample until `seconds` pass; `tick()` (if given) is called between samples."""
        end = time.monotonic() + seconds
        next_sample = time.monotonic()
        while time.monotonic() < end and proc_alive():
            if time.monotonic() >= next_sample:
                self.sample(phase)
                next_sample += self.every
            if tick is not None:
                tick()
            time.sleep(0.05)
        self.sample(phase)


def cpu_share(
    a: dict[str, float | str], b: dict[str, float | str], key: str = "cpu_total_s"
) -> float:
    return (float(b[key]) - float(a[key])) / max(1e-9, float(b["t"]) - float(a["t"]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=10.0, help="active + idle time after warm-up")
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--ports", type=int, default=20)
    ap.add_argument(
        "--interval", type=float, default=30.0, help="accelerated poll interval of every feed (s)"
    )
    ap.add_argument(
        "--rate", type=float, default=1.0, help="articles published per second while active"
    )
    ap.add_argument("--classifier", choices=["on", "off"], default="on")
    ap.add_argument("--sample", type=float, default=5.0, help="seconds between /proc samples")
    ap.add_argument("--no-quiet", action="store_true", help="skip the SIGHUP-to-900 s quiet phase")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument(
        "--keep", action="store_true", help="keep the work folder (logs, state, stdout)"
    )
    args = ap.parse_args()

    total = args.minutes * 60
    active_s, idle_s = 0.6 * total, 0.4 * total
    workdir = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    (workdir / "state").mkdir()
    server = FeedServer(args.feeds, ports=args.ports, keep=10)
    for n in range(args.feeds):
        for k in range(2):
            server.publish(n, quiet_item(n, k))

    def config(interval: float) -> Path:
        return write_config(
            workdir / "config.toml",
            state_dir=workdir / "state",
            feed_urls=server.urls(),
            channel_url="console://",
            interval=interval,
            classifier=args.classifier == "on",
            rate_limit="6000/min",
            tick=5.0,
            delivery_tick=2.0,
            ops_channels=("out",),
        )

    cfg = config(args.interval)
    wanted = int(active_s * args.rate) + 5
    print(
        f"soak: {args.feeds} feeds on {args.ports} loopback ports, every {args.interval:g} s; "
        f"classifier {args.classifier}; {args.minutes:g} min after warm-up "
        f"({active_s:.0f} s active at {args.rate:g} article/s, {idle_s:.0f} s idle)"
    )
    chosen = preflight(
        cfg, deals(int(wanted * 1.6) + 20, seed=args.seed, prefix="soak"), workdir, wanted
    )

    launched = time.monotonic()
    proc = start_daemon(cfg, workdir)
    tree = ProcTree(proc.pid)
    rec = Recorder(tree, server, args.sample)
    published: dict[str, float] = {}
    quiet: dict[str, float] = {}
    exit_code: int | None = None
    try:
        if not wait_until(lambda: log_has(workdir, "started:"), 180):
            raise SystemExit(f"daemon did not start; see {workdir / 'daemon.log'}")
        wait_until(
            lambda: min(server.served) >= 2 or proc.poll() is not None, 4 * args.interval + 120
        )
        time.sleep(5)  # let the last first-poll articles clear the pipeline
        print(f"  warm after {time.monotonic() - launched:.0f} s (every feed fetched twice)")
        start = rec.sample("start")

        rng = random.Random(args.seed)
        queue = list(chosen)
        next_pub = [time.monotonic()]

        def inject() -> None:
            while queue and time.monotonic() >= next_pub[0]:
                deal = queue.pop(0)
                published[deal.token] = server.publish(rng.randrange(args.feeds), deal_item(deal))
                next_pub[0] += rng.expovariate(args.rate)

        rec.run_for(active_s, "active", lambda: proc.poll() is None, inject)
        idle_start = rec.sample("idle")
        rec.run_for(idle_s, "idle", lambda: proc.poll() is None)
        end = rec.rows[-1]

        if not args.no_quiet and proc.poll() is None:
            config(PRODUCTION_INTERVAL)
            proc.send_signal(signal.SIGHUP)
            # the polls already scheduled at the old interval run once more, then rest
            rec.run_for(args.interval + 10, "reload", lambda: proc.poll() is None)
            q0 = rec.sample("quiet")
            rec.run_for(max(45.0, 0.1 * total), "quiet", lambda: proc.poll() is None)
            q1 = rec.rows[-1]
            quiet = {
                "share": cpu_share(q0, q1),
                "requests": float(q1["requests"]) - float(q0["requests"]),
                "seconds": float(q1["t"]) - float(q0["t"]),
            }
    finally:
        crashed = proc.poll()
        stop_started = time.monotonic()
        exit_code = stop_daemon(proc)
        stop_seconds = time.monotonic() - stop_started
        server.close()

    # -- alerts: one console line per alert -------------------------------------------
    counts: dict[str, int] = {}
    other_lines: list[str] = []
    stdout = (workdir / "stdout.txt").read_text(encoding="utf-8", errors="replace")
    for line in stdout.splitlines():
        if not line.startswith("ALERT"):
            continue
        tokens = re.findall(r"soak-\d{5}", line)
        for token in tokens:
            counts[token] = counts.get(token, 0) + 1
        if not tokens:
            other_lines.append(line)
    missing = sorted(set(published) - set(counts))
    twice = sorted(t for t, c in counts.items() if c > 1)
    stray = sorted(set(counts) - set(published))
    log = (workdir / "daemon.log").read_text(encoding="utf-8", errors="replace")
    levels = {
        lvl: len(re.findall(rf"^\S+ \S+ {lvl} ", log, re.M))
        for lvl in ("WARNING", "ERROR", "CRITICAL")
    }
    skipped = log.count("maximum number of running instances reached")
    missed = log.count("scheduler missed a run")

    # -- table --------------------------------------------------------------------------
    print()
    print(
        f"{'t s':>6} {'phase':<7}{'RSS MB':>8}{'+workers':>10}{'fds':>6}{'+workers':>10}"
        f"{'CPU s':>8}{'CPU %':>7}{'requests':>10}"
    )
    prev = None
    step = max(1, len(rec.rows) // 40)
    for i, row in enumerate(rec.rows):
        last = i == len(rec.rows) - 1
        if i % step and not last and row["phase"] == (prev or row)["phase"]:
            continue
        if prev is not None and float(row["t"]) - float(prev["t"]) < 1.0 and not last:
            continue  # the extra sample taken at a phase boundary
        share = cpu_share(prev, row) * 100 if prev is not None else float("nan")
        print(
            f"{row['t']:>6.0f} {row['phase']:<7}{float(row['rss_main_kb']) / 1024:>8.1f}"
            f"{float(row['rss_total_kb']) / 1024:>10.1f}{int(row['fds_main']):>6}{int(row['fds_total']):>10}"
            f"{float(row['cpu_total_s']):>8.1f}{share:>7.1f}{int(row['requests']):>10}"
        )
        prev = row

    # -- verdicts -------------------------------------------------------------------------
    growth_main = float(end["rss_main_kb"]) / float(start["rss_main_kb"]) - 1
    growth_total = float(end["rss_total_kb"]) / float(start["rss_total_kb"]) - 1
    run_rows = [r for r in rec.rows if r["phase"] in ("start", "active", "idle")]
    quarter = max(1, len(run_rows) // 4)
    fds_first = max(int(r["fds_total"]) for r in run_rows[:quarter])
    fds_last = max(int(r["fds_total"]) for r in run_rows[-quarter:])
    fds_all = [int(r["fds_total"]) for r in run_rows]
    idle_share = cpu_share(idle_start, end)
    idle_polls = float(end["requests"]) - float(idle_start["requests"])
    cpu_per_poll = (float(end["cpu_total_s"]) - float(idle_start["cpu_total_s"])) / max(
        1.0, idle_polls
    )
    active_rows = [r for r in rec.rows if r["phase"] == "active"]
    active_share = cpu_share(start, active_rows[-1]) if active_rows else float("nan")

    print()
    print(
        f"feeds {args.feeds}, interval {args.interval:g} s, {float(end['requests']) - float(start['requests']):.0f} "
        f"feed requests after warm-up ({server.not_modified} answered 304 in all); "
        f"{float(end['processes']):.0f} processes in the daemon's tree"
    )
    print(
        f"articles injected {len(published)}, alerted {len(set(published) & set(counts))}, missing {len(missing)}, "
        f"alerted more than once {len(twice)}, unexpected tokens {len(stray)}, other ALERT lines "
        f"{len(other_lines)}"
    )
    if missing:
        print(f"  missing: {', '.join(missing[:15])}")
    if twice:
        print(f"  twice: {', '.join(twice[:15])}")
    for line in other_lines[:5]:
        print(f"  other: {line[:160]}")
    print(
        f"memory: daemon {float(start['rss_main_kb']) / 1024:.1f} -> {float(end['rss_main_kb']) / 1024:.1f} MB "
        f"({growth_main:+.1%}); with parse workers {float(start['rss_total_kb']) / 1024:.1f} -> "
        f"{float(end['rss_total_kb']) / 1024:.1f} MB ({growth_total:+.1%})"
    )
    print(
        f"file descriptors (daemon + workers): start {int(start['fds_total'])}, end {int(end['fds_total'])}, "
        f"min {min(fds_all)}, max {max(fds_all)}, median {statistics.median(fds_all):.0f}; "
        f"max of first quarter {fds_first}, of last quarter {fds_last}"
    )
    print(
        f"CPU share: active {active_share:.1%} of one core; idle with accelerated polling {idle_share:.1%} "
        f"({cpu_per_poll * 1000:.2f} ms CPU per feed request, {idle_polls / max(1e-9, idle_s):.1f} requests/s)"
    )
    production = None
    if quiet:
        production = quiet["share"] + cpu_per_poll * args.feeds / PRODUCTION_INTERVAL
        print(
            f"CPU share: quiet (after SIGHUP to {PRODUCTION_INTERVAL:g} s intervals) {quiet['share']:.2%} over "
            f"{quiet['seconds']:.0f} s with {quiet['requests']:.0f} feed requests; estimated production idle "
            f"({args.feeds} feeds every {PRODUCTION_INTERVAL:g} s) {production:.2%}"
        )
    print(
        f"log: {levels['WARNING']} warnings, {levels['ERROR']} errors, {levels['CRITICAL']} critical; "
        f"{skipped} 'job skipped: max instances' lines, {missed} misfires; "
        f"daemon {'CRASHED with ' + str(crashed) if crashed is not None else 'alive to the end'}, "
        f"exit {exit_code} after SIGTERM in {stop_seconds:.1f} s"
    )
    print()
    ok_mem = growth_main < 0.10 and growth_total < 0.10
    ok_fds = fds_last <= fds_first
    ok_alerts = not missing and not twice and bool(published)
    print(
        f"verdict: memory growth < 10% after warm-up: {'yes' if ok_mem else 'NO'} "
        f"({growth_main:+.1%} daemon, {growth_total:+.1%} with workers)"
    )
    print(
        f"verdict: no growth in file descriptors: {'yes' if ok_fds else 'NO'} ({fds_first} -> {fds_last})"
    )
    print(
        f"verdict: idle CPU < 2%: accelerated {'yes' if idle_share < 0.02 else 'NO'} ({idle_share:.1%})"
        + (
            f"; quiet {'yes' if quiet['share'] < 0.02 else 'NO'} ({quiet['share']:.2%}); "
            f"production estimate {'yes' if production is not None and production < 0.02 else 'NO'} "
            f"({production:.2%})"
            if quiet and production is not None
            else ""
        )
    )
    print(f"verdict: every injected article alerted exactly once: {'yes' if ok_alerts else 'NO'}")
    if args.keep:
        print(f"work folder kept: {workdir}")
    else:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
