#!/usr/bin/env python3
"""Measure `odscan scan` against hashing references and clamscan on the same trees.

For each selected tree (see make_tree.py) and hash mode, the script writes a
signature set, builds the odscan patterns from it, then times on the same files:

  odscan       odscan scan with the agent pattern built from the set
  odscan-wine  the same scan by the 32-bit Windows odscan.exe under wine (--odscan-exe)
  limit        core count x single-core `openssl speed -evp` rate for 16 KiB blocks
  python       hash_lookup.py: hashlib + set look-up, one process per core
  sha256sum    find | xargs -P <cores> sha256sum (md5sum in MD5 mode), no look-up
  clamscan     clamscan -d <the same set as .hsb/.hdb>, one process as shipped

Every measured run is preceded by reading the whole tree into the page cache,
because the development machines reclaim page cache that stays idle for about a
minute. The fast tools run in rotating order for --repeat rounds, and the table
shows the median.
clamscan runs once, on the files in random order, and is stopped after
--clamscan-budget seconds; a stopped run is reported on the files it finished.

It also runs the pattern tool's filter benchmark for 1M and 10M random keys, and
prints PASS/FAIL for the targets. bench/README.md has the commands.
"""

import argparse
import datetime
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import make_signatures
import make_tree

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
CORES = os.cpu_count() or 1
ALL_TOOLS = ("odscan", "odscan-no-archives", "odscan-wine", "python", "hashsum", "clamscan")
FAST_TOOLS = ("odscan", "odscan-no-archives", "odscan-wine", "python", "hashsum")
HASHSUM = {"sha256": "sha256sum", "md5": "md5sum"}
MODE_NAMES = {"sha256": "SHA-256", "md5": "MD5"}
LIMIT_NAMES = {mode: name + " limit" for mode, name in MODE_NAMES.items()}
LIMIT_BLOCK_BYTES = 16384
PATTERN_BENCH_KEYS = (1_000_000, 10_000_000)
# A run during which other processes used this share of all cores or more is
# contended: its time is not reported when an uncontended run exists.
CONTENDED_SHARE = 0.10

# Performance targets of the product, all measured with SHA-256 keys.
LARGE_LIMIT_FRACTION = 0.8
TINY_PYTHON_FACTOR = 1.5
MIXED_CLAMSCAN_FACTOR = 40
PATTERN_LOAD_LIMIT_MS = 100


def log(message):
    print(message, file=sys.stderr, flush=True)


# --- the machine -----------------------------------------------------------------

def read_cpu_model():
    with open("/proc/cpuinfo") as source:
        text = source.read()
    model = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    flags = re.search(r"^flags\s*:\s*(.+)$", text, re.MULTILINE)
    return (model.group(1) if model else "unknown",
            flags is not None and "sha_ni" in flags.group(1).split())


def read_memory_gib():
    with open("/proc/meminfo") as source:
        for line in source:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / (1 << 20)
    return 0.0


def first_line(command):
    try:
        output = subprocess.run(command, capture_output=True, text=True, check=False).stdout
    except OSError:
        return "not installed"
    return output.splitlines()[0] if output else "unknown"


def describe_machine():
    model, sha_ni = read_cpu_model()
    return {
        "cores": CORES,
        "cpu": model,
        "sha_ni": sha_ni,
        "memory_gib": round(read_memory_gib(), 1),
        "kernel": platform.release(),
        "load_average": os.getloadavg(),
        "niceness": os.nice(0),
        "openssl": first_line(["openssl", "version"]),
        "clamscan": first_line(["clamscan", "--version"]),
        "python": platform.python_version(),
    }


def read_cpu_busy_ticks():
    with open("/proc/stat") as source:
        fields = [int(value) for value in source.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def measure_background_cpu(seconds=2.0):
    """Return the share of all cores (0-1) that other processes used over a short window."""
    busy_before, total_before = read_cpu_busy_ticks()
    time.sleep(seconds)
    busy_after, total_after = read_cpu_busy_ticks()
    return (busy_after - busy_before) / max(1, total_after - total_before)


def wait_until_quiet(max_wait_seconds, threshold=0.10):
    """Wait up to max_wait_seconds for other processes to go idle; return the last busy share."""
    deadline = time.monotonic() + max_wait_seconds
    busy = measure_background_cpu()
    while busy > threshold and time.monotonic() < deadline:
        log(f"machine busy ({busy:.0%} of {CORES} cores used by others); waiting")
        time.sleep(10)
        busy = measure_background_cpu()
    return busy


# --- running and timing ----------------------------------------------------------

class Run:
    """One measured run of one tool on one tree."""

    def __init__(self, tool, files, size, seconds, cpu_seconds, matches=None, note=""):
        self.others_cpu_share = 0.0  # share of all cores other processes used meanwhile
        self.tool = tool
        self.files = files
        self.bytes = size
        self.seconds = seconds
        self.cpu_seconds = cpu_seconds
        self.matches = matches
        self.note = note

    def files_per_second(self):
        return self.files / self.seconds if self.seconds > 0 else 0.0

    def megabytes_per_second(self):
        return self.bytes / 1e6 / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self):
        return dict(vars(self), files_per_second=self.files_per_second(),
                    megabytes_per_second=self.megabytes_per_second())


def children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class ContentionMeter:
    """Measures how much CPU other processes took while one of our tools ran.

    Niceness does not help against processes in other cgroups, so a run that
    shared the cores with someone else is flagged instead.
    """

    def __init__(self):
        self.busy_before, self.total_before = read_cpu_busy_ticks()
        self.cpu_before = children_cpu_seconds()
        self.self_cpu_before = self_cpu_seconds()

    def others_share(self, own_cpu_seconds):
        """Return the share of all cores (0-1) used by other processes since creation.

        own_cpu_seconds is the CPU time of the tool; this script's own time, such as
        reading clamscan's output, is not counted as someone else's either.
        """
        busy_after, total_after = read_cpu_busy_ticks()
        ticks_per_second = os.sysconf("SC_CLK_TCK")
        own = own_cpu_seconds + self_cpu_seconds() - self.self_cpu_before
        others = (busy_after - self.busy_before) / ticks_per_second - own
        elapsed = (total_after - self.total_before) / ticks_per_second
        return max(0.0, others) / max(elapsed, 1e-9)


def self_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_timed(command, **kwargs):
    """Run a command to completion.

    Returns (completed process, wall seconds, CPU seconds, share of the cores that
    other processes used meanwhile).
    """
    kwargs.setdefault("check", False)
    meter = ContentionMeter()
    start = time.perf_counter()
    completed = subprocess.run(command, **kwargs)
    seconds = time.perf_counter() - start
    cpu = children_cpu_seconds() - meter.cpu_before
    return completed, seconds, cpu, meter.others_share(cpu)


def warm_tree(folder):
    """Read every file of the tree so that the next run starts from the page cache."""
    subprocess.run(["bash", "-c", 'find "$1" -type f -print0 | '
                    'xargs -0 -P "$2" -n 1000 cat > /dev/null', "warm", folder, str(CORES)],
                   check=True)


def openssl_rate(algorithm, seconds):
    """Return the single-core rate in bytes/s that `openssl speed -evp` reports for 16 KiB blocks."""
    output = subprocess.run(
        ["openssl", "speed", "-evp", algorithm, "-seconds", str(seconds),
         "-bytes", str(LIMIT_BLOCK_BYTES)],
        capture_output=True, text=True, check=True).stdout
    # The last line is "<name> <rate>k", the rate in thousands of bytes per second.
    match = re.search(r"^\s*\S+\s+([0-9.]+)k\s*$", output.strip().splitlines()[-1])
    if match is None:
        sys.exit("error: the last line of `openssl speed` output is not '<name> <rate>k'; "
                 f"check the OpenSSL version. Output:\n{output}")
    return float(match.group(1)) * 1000


# --- the tools -------------------------------------------------------------------

class Context:
    """Everything the tool runners of one tree and hash mode share."""

    def __init__(self, args, manifest, algorithm, signatures, pattern_path):
        self.args = args
        self.tree = manifest["path"]
        self.files = manifest["files"]
        self.bytes = manifest["bytes"]
        self.algorithm = algorithm
        self.signatures = signatures
        self.signature_dir = os.path.dirname(signatures["clamav_database"])
        self.pattern_path = pattern_path


def read_odscan_counts(report_path, command):
    """Return the "counts" object of the scanner's JSON report (files, objects, infected...)."""
    with open(report_path) as source:
        report = json.load(source)
    if report.get("outcome") != "completed":
        sys.exit(f"error: the odscan scan did not complete (outcome {report.get('outcome')}, "
                 f"errors {report.get('errors')}); run this command to see why: "
                 f"{' '.join(command)}")
    return report["counts"]


def prepare_scan_paths(args, name):
    """Return (home folder, report path) under ROOT/work for one scan by `name`.

    The home folder is new and empty, and no report of an earlier run is left.
    """
    work = os.path.join(args.root, "work")
    home = os.path.join(work, f"{name}-home")
    report = os.path.join(work, f"{name}-report.json")
    shutil.rmtree(home, ignore_errors=True)
    # Owner-only, as odscan requires of its home; otherwise it fixes the mode and
    # prints a notice on every run.
    os.makedirs(home, mode=0o700)
    if os.path.exists(report):
        os.remove(report)
    return home, report


def run_odscan(context, extra_options=(), tool="odscan"):
    """Run odscan scan with its default options (archives opened) plus extra_options."""
    args = context.args
    home, report = prepare_scan_paths(args, "odscan")
    command = [args.odscan, "scan", "--pattern", context.pattern_path,
               "--public-key", args.public_key, "--home", home, "--json", report,
               "--no-summary", *extra_options, context.tree]

    completed, seconds, cpu, others = run_timed(command, stdout=subprocess.DEVNULL)
    check_planted_files_intact(context)
    if not os.path.exists(report):
        sys.exit(f"error: odscan exited with {completed.returncode} and wrote no report; "
                 f"run this command to see why: {' '.join(command)}")

    return odscan_run_from_report(context, tool, report, command, completed, seconds, cpu, others)


def odscan_run_from_report(context, tool, report, command, completed, seconds, cpu, others):
    """Return the Run of one odscan scan, with the counts of its JSON report."""
    counts = read_odscan_counts(report, command)
    # Exit code 1 means detections and 2 includes files left unresolved by filter
    # false positives, because the benchmark runs without a Smart Scan Server.
    note = (f"exit code {completed.returncode}, {counts['objects']} objects, "
            f"{counts['unresolved']} unresolved, {counts['not_scanned']} not scanned")
    if counts["bytes"] != context.bytes:
        note += f", {counts['bytes']} bytes read"
    run = Run(tool, counts["files"], context.bytes, seconds, cpu, counts["infected"], note)
    run.others_cpu_share = others
    return run


def check_planted_files_intact(context):
    """Stop the benchmark if a scan moved or cleaned a planted file: later runs would differ."""
    for planted in context.signatures["planted"]:
        if not os.path.exists(planted["path"]):
            sys.exit(f"error: {planted['path']} disappeared during the scan; the scanner must "
                     "only report detections. Regenerate the tree after fixing its options.")


def run_python(context):
    command = [sys.executable, os.path.join(BENCH_DIR, "hash_lookup.py"),
               "--signatures", os.path.join(context.signature_dir, "signatures.txt"),
               "--algorithm", context.algorithm, "--workers", str(CORES), context.tree]
    completed, seconds, cpu, others = run_timed(command, stdout=subprocess.PIPE, text=True,
                                                check=True)
    counts = json.loads(completed.stdout)
    run = Run("python", counts["files"], counts["bytes"], seconds, cpu, counts["matches"])
    run.others_cpu_share = others
    return run


def hashsum_batch_size(files):
    """Files per sha256sum process: at most 500, but enough batches to keep every core busy."""
    return max(1, min(500, files // (CORES * 8)))


def run_hashsum(context):
    tool = HASHSUM[context.algorithm]
    script = ('set -o pipefail; find "$1" -type f -print0 | '
              'xargs -0 -P "$2" -n "$3" "$4" > /dev/null')
    command = ["bash", "-c", script, tool, context.tree, str(CORES),
               str(hashsum_batch_size(context.files)), tool]
    _, seconds, cpu, others = run_timed(command, check=True)
    run = Run(tool, context.files, context.bytes, seconds, cpu)
    run.others_cpu_share = others
    return run


def clamscan_budget(context):
    if context.algorithm == "md5":
        return context.args.md5_clamscan_budget
    return context.args.clamscan_budget


def run_clamscan(context):
    """Run clamscan on the tree's files in random order, stopping it after the budget.

    Its per-file lines are timestamped as they arrive, so a stopped run still gives
    an unbiased rate over the random sample of files it finished.
    """
    paths = make_tree.read_file_list(context.args.root, os.path.basename(context.tree))
    random.Random(5).shuffle(paths)
    sizes = {path: os.path.getsize(path) for path in paths}
    list_path = os.path.join(context.args.root, "work", "clamscan-files.txt")
    with open(list_path, "w") as output:
        output.write("".join(path + "\n" for path in paths))

    command = ["stdbuf", "-oL", "clamscan", "-d", context.signatures["clamav_database"],
               f"--file-list={list_path}"]
    budget = clamscan_budget(context)
    meter = ContentionMeter()
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, errors="replace")
    timer = threading.Timer(budget, process.kill)
    timer.start()
    finished = read_clamscan_lines(process.stdout, sizes, start)
    process.wait()
    timer.cancel()
    cpu = children_cpu_seconds() - meter.cpu_before

    counts, summary = finished
    stopped = summary.get("Scanned files") is None
    note = (f"stopped after {budget:g} s: {counts['files']} of {len(paths)} files, random sample"
            if stopped else cross_check_clamscan_summary(summary, counts))
    run = Run("clamscan", counts["files"], counts["bytes"], counts["last_line_time"], cpu,
              counts["matches"], note)
    run.others_cpu_share = meter.others_share(cpu)
    return run


def read_clamscan_lines(stream, sizes, start):
    """Read clamscan's per-file lines and summary; return counts and the last line's time."""
    counts = {"files": 0, "bytes": 0, "matches": 0, "empty": 0, "last_line_time": 0.0}
    summary = {}
    for line in stream:
        path, separator, verdict = line.rstrip("\n").rpartition(": ")
        if separator and path in sizes:
            counts["files"] += 1
            counts["bytes"] += sizes[path]
            counts["matches"] += verdict.endswith(" FOUND")
            counts["empty"] += verdict == "Empty file"
            counts["last_line_time"] = time.perf_counter() - start
        elif ":" in line:
            key, _, value = line.partition(":")
            summary[key.strip()] = value.strip()
    return counts, summary


def cross_check_clamscan_summary(summary, counts):
    """Compare clamscan's own summary with the per-file lines; empty files are not counted there."""
    scanned = int(summary.get("Scanned files", -1))
    note = (f"summary: {scanned} files scanned, {summary.get('Infected files')} infected, "
            f"{counts['empty']} empty files skipped")
    if scanned + counts["empty"] != counts["files"]:
        note += f"; MISMATCH with the {counts['files']} per-file lines"
    return note


def run_odscan_without_archives(context):
    return run_odscan(context, ["--no-archives"], "odscan --no-archives")


def windows_path(path):
    """Return the name wine gives a Linux path: the same path on drive Z:."""
    return "Z:" + os.path.abspath(path).replace("/", "\\")


def wine_environment(args):
    return dict(os.environ, WINEPREFIX=args.wineprefix, WINEDEBUG="-all",
                WINEDLLOVERRIDES="mscoree,mshtml=")


def start_wine_server(args):
    """Create the wine prefix if needed and keep one wine server up for all runs.

    Without a persistent server, every run would pay wine's start-up (about 2.5 s).
    """
    environment = wine_environment(args)
    subprocess.run(["wine", "cmd", "/c", "exit"], env=environment, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # The server of that first command lingers for a few seconds, and a second
    # `wineserver -p` fails while it runs.
    subprocess.run(["wineserver", "-w"], env=environment, check=True)
    subprocess.run(["wineserver", "-p"], env=environment, check=True)
    # Starts wine's background services, so the first measured run does not.
    subprocess.run(["wine", "cmd", "/c", "exit"], env=environment, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_wine_server(args):
    subprocess.run(["wineserver", "-k"], env=wine_environment(args), check=False)


def run_odscan_wine(context):
    """Run odscan.exe scan under wine with the options of run_odscan.

    The CPU time of the wine server, a separate daemon, is not counted in the
    CPU column; the wall time includes it.
    """
    args = context.args
    home, report = prepare_scan_paths(args, "odscan-wine")
    command = ["wine", args.odscan_exe, "scan", "--pattern", windows_path(context.pattern_path),
               "--public-key", windows_path(args.public_key), "--home", windows_path(home),
               "--json", windows_path(report), "--no-summary", windows_path(context.tree)]

    completed, seconds, cpu, others = run_timed(command, stdout=subprocess.DEVNULL,
                                                env=wine_environment(args))
    check_planted_files_intact(context)
    if not os.path.exists(report):
        sys.exit(f"error: odscan.exe exited with {completed.returncode} and wrote no report; "
                 f"run this command with WINEPREFIX={args.wineprefix} to see why: "
                 f"{' '.join(command)}")

    return odscan_run_from_report(context, "odscan.exe (wine)", report, command, completed,
                                  seconds, cpu, others)


def stripped_size(executable):
    """Return the size in bytes of `executable` after i686-w64-mingw32-strip."""
    stripped = os.path.join(tempfile.mkdtemp(prefix="odscan-strip-"), "odscan.exe")
    subprocess.run(["i686-w64-mingw32-strip", "-o", stripped, executable], check=True)
    size = os.path.getsize(stripped)
    shutil.rmtree(os.path.dirname(stripped))
    return size


RUNNERS = {"odscan": run_odscan, "odscan-no-archives": run_odscan_without_archives,
           "odscan-wine": run_odscan_wine,
           "python": run_python, "hashsum": run_hashsum, "clamscan": run_clamscan}


# --- patterns --------------------------------------------------------------------

def ensure_pattern_keys(args):
    key_dir = os.path.join(args.root, "keys")
    args.private_key = os.path.join(key_dir, "pattern-private.key")
    args.public_key = os.path.join(key_dir, "pattern-public.key")
    if os.path.exists(args.private_key) and os.path.exists(args.public_key):
        return
    os.makedirs(key_dir, exist_ok=True)
    subprocess.run([args.odscan_pattern, "keygen", "--private", args.private_key,
                    "--public", args.public_key], check=True, stdout=subprocess.DEVNULL)


def build_pattern(args, signature_dir, output_dir):
    """Build the patterns from a signature set; return (agent pattern path, build seconds)."""
    shutil.rmtree(output_dir, ignore_errors=True)
    os.makedirs(output_dir)
    command = [args.odscan_pattern, "build", "--key", args.private_key,
               "--output-dir", output_dir,
               "--agent-exact", os.path.join(signature_dir, "planted.txt"),
               os.path.join(signature_dir, "signatures.txt")]
    _, seconds, _, _ = run_timed(command, check=True, stdout=subprocess.DEVNULL)
    return os.path.join(output_dir, "agent-pattern.ptn"), seconds


BENCH_FILTER_FIELDS = {
    "build_ms": r"^build time:\s+([0-9.]+) ms",
    "seal_ms": r"^compress\+sign time:\s+([0-9.]+) ms",
    "file_bytes": r"^file size:\s+([0-9]+) bytes",
    "load_ms": r"^load time:\s+([0-9.]+) ms",
    "false_positive_percent": r"^false positives:\s+([0-9.]+)%",
}


def parse_bench_filter_output(output):
    record = {}
    for field, expression in BENCH_FILTER_FIELDS.items():
        match = re.search(expression, output, re.MULTILINE)
        if match is None:
            sys.exit(f"error: no {field} in the output of odscan-pattern bench-filter:\n{output}")
        record[field] = float(match.group(1))
    return record


def run_pattern_benchmark(args):
    """Run the pattern tool's filter benchmark; return one parsed record per key count."""
    records = []
    work = os.path.join(args.root, "work")
    for keys in PATTERN_BENCH_KEYS:
        keys = max(1000, int(keys * min(1.0, args.scale)))
        log(f"pattern benchmark with {keys} keys")
        command = [args.odscan_pattern, "bench-filter", "--keys", str(keys), "--work-dir", work]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        record = parse_bench_filter_output(output)
        record["keys"] = keys
        records.append(record)
    return records


# --- one tree --------------------------------------------------------------------

def active_tools(args):
    tools = [tool for tool in args.tools if not tool.startswith("odscan") or args.odscan]
    if len(tools) < len(args.tools):
        log("note: odscan or odscan-pattern not found; measuring the references only")
    if "odscan-wine" in tools and not args.odscan_exe:
        log("note: --odscan-exe not given; odscan.exe under wine is not measured")
        tools.remove("odscan-wine")
    return tools


def measure_mode(args, manifest, algorithm, limit_rate):
    name = os.path.basename(manifest["path"])
    signature_dir = os.path.join(args.root, "signatures", f"{name}-{algorithm}")
    paths = make_tree.read_file_list(args.root, name)
    log(f"[{name} {algorithm}] writing {args.signatures} signatures")
    signatures = make_signatures.write_signature_set(paths, signature_dir, algorithm,
                                                     args.signatures, args.planted, seed=1)
    tools = active_tools(args)
    pattern_path, build_seconds = None, None
    if args.odscan:
        pattern_path, build_seconds = build_pattern(
            args, signature_dir, os.path.join(args.root, "patterns", f"{name}-{algorithm}"))
    context = Context(args, manifest, algorithm, signatures, pattern_path)

    runs = {tool: [] for tool in tools}
    fast = [tool for tool in tools if tool in FAST_TOOLS]
    for round_index in range(args.repeat):
        order = fast[round_index % max(1, len(fast)):] + fast[:round_index % max(1, len(fast))]
        for tool in order:
            warm_tree(context.tree)
            log(f"[{name} {algorithm}] round {round_index + 1}: {tool}")
            runs[tool].append(RUNNERS[tool](context))
    if "clamscan" in tools:
        warm_tree(context.tree)
        log(f"[{name} {algorithm}] clamscan (budget {clamscan_budget(context)} s)")
        runs["clamscan"].append(run_clamscan(context))

    limit = Run(LIMIT_NAMES[algorithm], context.files, context.bytes,
                context.bytes / (limit_rate * CORES), 0.0,
                note=f"{CORES} x {limit_rate / 1e6:.0f} MB/s (openssl speed, 16 KiB)")
    return {"tree": name, "algorithm": algorithm, "signatures": signatures["signatures"],
            "expected_matches": signatures["expected_matches"],
            "pattern_build_seconds": build_seconds,
            "runs": {tool: [run.as_dict() for run in tool_runs]
                     for tool, tool_runs in runs.items()},
            "table": [limit] + [median_run(tool_runs) for tool_runs in runs.values()]}


def median_run(runs):
    """Return the median run among those that had the cores to themselves, if any had."""
    quiet = [run for run in runs if run.others_cpu_share < CONTENDED_SHARE]
    ordered = sorted(quiet or runs, key=lambda run: run.seconds)
    median = ordered[len(ordered) // 2]
    notes = [median.note] if median.note else []
    if len(runs) > 1:
        notes.append("runs: " + ", ".join(f"{run.seconds:.2f}" for run in runs) + " s")
    busy = [f"{run.others_cpu_share:.0%}" for run in runs]
    if any(run.others_cpu_share >= CONTENDED_SHARE for run in runs):
        notes.append("other processes used " + ", ".join(busy) + " of the cores"
                     + ("; contended runs left out" if quiet else "; ALL RUNS CONTENDED"))
    median.note = "; ".join(notes)
    return median


# --- report ----------------------------------------------------------------------

def print_machine(machine):
    print("## Machine\n")
    print(f"- cores (nproc): {machine['cores']}")
    print(f"- CPU: {machine['cpu']}, SHA extensions (sha_ni): "
          f"{'yes' if machine['sha_ni'] else 'no'}")
    print(f"- memory: {machine['memory_gib']} GiB")
    print(f"- kernel: {machine['kernel']}")
    print(f"- {machine['openssl']}; {machine['clamscan']}; Python {machine['python']}")
    print("- load average at start: " + ", ".join(f"{value:.2f}"
                                                  for value in machine["load_average"]))
    print("- load average at end: " + ", ".join(f"{value:.2f}"
                                                for value in machine["load_average_at_end"]))
    print(f"- niceness of the benchmark and the tools: {machine['niceness']}")
    print(f"- background CPU use before `openssl speed`: "
          f"{machine['background_cpu_before_openssl']:.0%}")
    if "odscan_exe_stripped_bytes" in machine:
        size = machine["odscan_exe_stripped_bytes"]
        print(f"- odscan.exe after i686-w64-mingw32-strip: {size} bytes "
              f"({size / 2**20:.2f} MiB); target at most 6 MB: "
              f"{'PASS' if size <= 6_000_000 else 'FAIL'}")
    print()


def print_table(result):
    print(f"## {result['tree']}, {MODE_NAMES[result['algorithm']]} keys\n")
    print(f"{result['signatures']} signatures; {result['expected_matches']} files in the tree "
          "carry a planted digest; background CPU use before the runs: "
          f"{result['background_cpu']:.0%}.")
    if result["pattern_build_seconds"] is not None:
        print(f"Pattern build from the signature list: {result['pattern_build_seconds']:.2f} s.")
    print()
    odscan = next((run for run in result["table"] if run.tool == "odscan"), None)
    print("| tool | files | MB | seconds | files/s | MB/s | CPU s | odscan speed / tool speed "
          "| matches | note |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for run in result["table"]:
        ratio = ""
        if odscan is not None and run.megabytes_per_second() > 0:
            ratio = f"{odscan.megabytes_per_second() / run.megabytes_per_second():.2f}x"
        matches = "" if run.matches is None else str(run.matches)
        cpu = f"{run.cpu_seconds:.2f}" if run.cpu_seconds else ""
        print(f"| {run.tool} | {run.files} | {run.bytes / 1e6:.0f} | {run.seconds:.2f} "
              f"| {run.files_per_second():.0f} | {run.megabytes_per_second():.0f} | {cpu} "
              f"| {ratio} | {matches} | {run.note} |")
    print()


def print_pattern_benchmark(records):
    print("## Agent pattern filter (odscan-pattern bench-filter)\n")
    print("| keys | build ms | compress+sign ms | file MB | bytes per key | load ms "
          "| false positives |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for record in records:
        print(f"| {record['keys']} | {record['build_ms']:.0f} | {record['seal_ms']:.0f} "
              f"| {record['file_bytes'] / 1e6:.2f} | {record['file_bytes'] / record['keys']:.3f} "
              f"| {record['load_ms']:.1f} | {record['false_positive_percent']:.3f}% |")
    print()


def find_run(results, tree, tool):
    for result in results:
        if result["tree"] == tree and result["algorithm"] == "sha256":
            for run in result["table"]:
                if run.tool == tool:
                    return run
    return None


def evaluate_targets(args, results, pattern_records):
    """Return (PASS/FAIL/SKIP, description) for each performance target."""
    large = make_tree.tree_name("large", args.scale)
    tiny = make_tree.tree_name("tiny", args.scale)
    mixed = make_tree.tree_name("mixed", args.scale)
    checks = [
        (large, LIMIT_NAMES["sha256"], lambda o, r: o.megabytes_per_second() / r.megabytes_per_second(),
         LARGE_LIMIT_FRACTION, "large files: odscan MB/s / SHA-256 limit MB/s"),
        (tiny, "python", lambda o, r: o.files_per_second() / r.files_per_second(),
         TINY_PYTHON_FACTOR, f"tiny files: odscan files/s / Python ({CORES} processes) files/s"),
        (mixed, "clamscan", lambda o, r: o.megabytes_per_second() / r.megabytes_per_second(),
         MIXED_CLAMSCAN_FACTOR, "mixed tree: odscan MB/s / clamscan MB/s"),
    ]
    verdicts = []
    for tree, reference, ratio_of, target, description in checks:
        odscan, other = find_run(results, tree, "odscan"), find_run(results, tree, reference)
        if odscan is None or other is None:
            verdicts.append(("SKIP", f"{description}: not measured"))
            continue
        ratio = ratio_of(odscan, other)
        verdict = "PASS" if ratio >= target else "FAIL"
        verdicts.append((verdict, f"{description} = {ratio:.2f} (target >= {target})"))

    without_archives = find_run(results, mixed, "odscan --no-archives")
    clamscan = find_run(results, mixed, "clamscan")
    if without_archives is not None and clamscan is not None:
        ratio = without_archives.megabytes_per_second() / clamscan.megabytes_per_second()
        verdicts.append(("INFO", f"mixed tree: odscan --no-archives MB/s / clamscan MB/s = "
                                 f"{ratio:.2f}, not a target because clamscan opens archives"))

    ten_million = next((record for record in pattern_records
                        if record["keys"] == PATTERN_BENCH_KEYS[-1]), None)
    if ten_million is None:
        verdicts.append(("SKIP", "10M-key agent pattern load time: not measured"))
    else:
        load = ten_million["load_ms"]
        verdict = "PASS" if load <= PATTERN_LOAD_LIMIT_MS else "FAIL"
        verdicts.append((verdict, f"10M-key agent pattern load = {load:.1f} ms "
                                  f"(target <= {PATTERN_LOAD_LIMIT_MS} ms)"))
    return verdicts


def print_targets(args, verdicts):
    print("## Targets (SHA-256 keys)\n")
    if args.scale != 1:
        print(f"Scale {args.scale:g}: a smoke run; these verdicts are not measurements.\n")
    for verdict, description in verdicts:
        print(f"- {verdict}: {description}")
    print()


# --- main ------------------------------------------------------------------------

def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", default="/var/tmp/odscan-bench",
                        help="folder for trees, signatures and results (default: %(default)s)")
    parser.add_argument("--trees", default="large,tiny,mixed",
                        help="comma-separated trees to measure (default: %(default)s)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="tree size factor, e.g. 0.1 for a smoke run (default: 1)")
    parser.add_argument("--modes", default="sha256,md5",
                        help="hash modes, each with its own signature set (default: %(default)s)")
    parser.add_argument("--tools", default=",".join(ALL_TOOLS),
                        help="tools to run; hashsum is sha256sum or md5sum "
                             "(default: %(default)s)")
    parser.add_argument("--odscan", help="path of the odscan executable")
    parser.add_argument("--odscan-pattern", help="path of the odscan-pattern executable")
    parser.add_argument("--odscan-exe",
                        help="path of the 32-bit Windows odscan.exe, for the odscan-wine tool")
    parser.add_argument("--wineprefix", default="/var/tmp/odscan-bench/wineprefix",
                        help="wine prefix for odscan-wine, created if missing "
                             "(default: %(default)s)")
    parser.add_argument("--signatures", type=int, default=100_000,
                        help="random signatures per set (default: %(default)s)")
    parser.add_argument("--planted", type=int, default=20,
                        help="real file digests added to each set (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="rounds of the fast tools; the median is reported (default: 3)")
    parser.add_argument("--clamscan-budget", type=float, default=120,
                        help="seconds before clamscan is stopped, SHA-256 mode (default: 120)")
    parser.add_argument("--md5-clamscan-budget", type=float, default=40,
                        help="seconds before clamscan is stopped, MD5 mode (default: 40)")
    parser.add_argument("--openssl-seconds", type=int, default=3,
                        help="duration of each `openssl speed` run (default: 3)")
    parser.add_argument("--no-pattern-benchmark", action="store_true",
                        help="skip the 1M/10M-key filter benchmark")
    parser.add_argument("--nice", type=int, default=0,
                        help="niceness change for the benchmark and every tool it runs; a "
                             "negative value such as -15 (needs root) keeps compile jobs of "
                             "other users from slowing the measured runs (default: 0)")
    parser.add_argument("--wait-quiet", type=float, default=0,
                        help="wait up to this many seconds before each tree for other "
                             "processes to go idle (default: 0)")
    args = parser.parse_args()

    args.trees = args.trees.split(",")
    args.modes = args.modes.split(",")
    args.tools = args.tools.split(",")
    for value, allowed, option in ((args.trees, make_tree.TREES, "--trees"),
                                   (args.modes, tuple(HASHSUM), "--modes"),
                                   (args.tools, ALL_TOOLS, "--tools")):
        unknown = sorted(set(value) - set(allowed))
        if unknown:
            parser.error(f"{option}: unknown {', '.join(unknown)}; "
                         f"expected some of {', '.join(allowed)}")
    if bool(args.odscan) != bool(args.odscan_pattern):
        parser.error("give both --odscan and --odscan-pattern, or neither")
    return args


def main():
    args = parse_arguments()
    if args.nice:
        try:
            os.nice(args.nice)
        except PermissionError:
            sys.exit(f"error: --nice {args.nice} needs root; run as root or drop the option")
    make_tree.check_root(args.root)
    os.makedirs(os.path.join(args.root, "work"), exist_ok=True)
    machine = describe_machine()
    if args.odscan:
        ensure_pattern_keys(args)

    machine["background_cpu_before_openssl"] = wait_until_quiet(args.wait_quiet)
    log("measuring the single-core hash rates with openssl speed")
    limit_rates = {mode: openssl_rate(mode, args.openssl_seconds) for mode in args.modes}

    wine = args.odscan and args.odscan_exe and "odscan-wine" in args.tools
    if wine:
        machine["odscan_exe_stripped_bytes"] = stripped_size(args.odscan_exe)
        start_wine_server(args)
    results = []
    try:
        for tree in args.trees:
            manifest = make_tree.ensure_tree(args.root, tree, args.scale)
            for mode in args.modes:
                background = wait_until_quiet(args.wait_quiet)
                result = measure_mode(args, manifest, mode, limit_rates[mode])
                result["background_cpu"] = background
                results.append(result)
    finally:
        if wine:
            stop_wine_server(args)

    pattern_records = []
    if args.odscan and not args.no_pattern_benchmark:
        pattern_records = run_pattern_benchmark(args)

    machine["load_average_at_end"] = os.getloadavg()
    print_machine(machine)
    for mode in args.modes:
        print(f"{MODE_NAMES[mode]} single-core rate (openssl speed -evp {mode}, 16 KiB blocks): "
              f"{limit_rates[mode] / 1e6:.0f} MB/s\n")
    for result in results:
        print_table(result)
    if pattern_records:
        print_pattern_benchmark(pattern_records)
    verdicts = evaluate_targets(args, results, pattern_records)
    print_targets(args, verdicts)
    save_results(args, machine, limit_rates, results, pattern_records, verdicts)


def save_results(args, machine, limit_rates, results, pattern_records, verdicts):
    folder = os.path.join(args.root, "results")
    os.makedirs(folder, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = os.path.join(folder, f"scan-bench-{stamp}.json")
    for result in results:
        result["table"] = [run.as_dict() for run in result["table"]]
    with open(path, "w") as output:
        json.dump({"arguments": sys.argv[1:], "machine": machine, "limit_rates": limit_rates,
                   "results": results, "pattern_benchmark": pattern_records,
                   "targets": verdicts}, output, indent=1)
    print(f"Raw results: {path}")


if __name__ == "__main__":
    main()
