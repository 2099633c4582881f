#!/usr/bin/env python3
"""Time whole commands side by side on the same input and print ratios (HogGuard / baseline).

Runs are alternated (A B C A B C ...) so a noisy neighbour hurts every command alike; the figure
per command is the median wall time. Peak memory is sampled from /proc for the whole process
tree (HogGuard plus the git processes it starts) and for HogGuard's own process.

  compare.py history --hogguard BIN --repo REPO [--runs 5]
  compare.py tree    --hogguard BIN --dir DIR   [--runs 5] [--secretlint DIR_WITH_NODE_MODULES]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

PATTERN = r"\bph[xsarc]_[0-9A-Za-z]{40,49}\b"


def tree_rss_kb(pid, field="VmRSS:"):
    """Sum of a /proc status field (VmRSS, or RssAnon: memory not backed by files, so not the
    mapped pack pages) over pid and its descendants, in KiB."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith(field):
                        total += int(line.split()[1])
            with open(f"/proc/{p}/task/{p}/children") as f:
                stack.extend(int(c) for c in f.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            pass
    return total


def run(cmd, sample_memory=False):
    """Runs cmd (a list, or a string for sh -c); returns (seconds, exit code, peak tree KiB, own peak KiB,
    peak anonymous tree KiB)."""
    shell = isinstance(cmd, str)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, shell=shell, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak_tree = peak_own = peak_anon = 0
    if sample_memory:
        while proc.poll() is None:
            peak_tree = max(peak_tree, tree_rss_kb(proc.pid))
            peak_anon = max(peak_anon, tree_rss_kb(proc.pid, "RssAnon:"))
            try:
                with open(f"/proc/{proc.pid}/status") as f:
                    for line in f:
                        if line.startswith("VmHWM:"):
                            peak_own = max(peak_own, int(line.split()[1]))
            except FileNotFoundError:
                pass
            time.sleep(0.01)
    code = proc.wait()
    return time.perf_counter() - start, code, peak_tree, peak_own, peak_anon


def compare(commands, runs, expect):
    """commands: {name: cmd}; returns {name: [seconds...]} after alternating runs."""
    times = {name: [] for name in commands}
    for name, cmd in commands.items():  # warm-up: page cache, JIT-free first run
        run(cmd)
    for _ in range(runs):
        for name, cmd in commands.items():
            seconds, code, *_ = run(cmd)
            if name in expect and code not in expect[name]:
                sys.exit(f"{name} exited {code}; expected {expect[name]}: {cmd}")
            times[name].append(seconds)
    return times


def report(title, times, subject="hogguard"):
    med = {name: statistics.median(values) for name, values in times.items()}
    print(f"\n## {title}")
    print("| command | median s | runs | ratio hogguard / this |")
    print("|---|---:|---:|---:|")
    for name, value in med.items():
        ratio = "" if name == subject else f"{med[subject] / value:.2f}"
        print(f"| {name} | {value:.3f} | {len(times[name])} | {ratio} |")
    return med


def floor_command(repo, workdir):
    """git's own decompression floor: the unique reachable blobs, split into two halves, each
    inflated by its own `git cat-file --batch` (git's default settings), output discarded."""
    blobs = subprocess.run(["git", "-C", repo, "rev-list", "--objects", "--all", "--filter=object:type=blob"],
                           capture_output=True, text=True, check=True).stdout.split("\n")
    ids = [line.split(" ", 1)[0] for line in blobs if line and not line.startswith("?")]
    half = (len(ids) + 1) // 2
    parts = []
    for index, chunk in enumerate((ids[:half], ids[half:])):
        path = os.path.join(workdir, f"floor-{index}.txt")
        with open(path, "w") as f:
            f.write("\n".join(chunk) + "\n")
        parts.append(path)
    return (f"git -C '{repo}' cat-file --batch < '{parts[0]}' > /dev/null & "
            f"git -C '{repo}' cat-file --batch < '{parts[1]}' > /dev/null; wait"), len(ids)


def history(args):
    repo = os.path.abspath(args.repo)
    workdir = tempfile.mkdtemp(prefix="hogguard-floor-")
    floor, blobs = floor_command(repo, workdir)
    commands = {
        "hogguard": [args.hogguard, "scan", repo, "--history", "--format", "json", "--no-progress"],
        "floor: 2 x cat-file --batch": floor,
        "git log -p + rg": f"git -C '{repo}' log -p -U0 --all | rg -a -c '{PATTERN}'",
        "rev-list + cat-file + rg": f"git -C '{repo}' rev-list --objects --all | git -C '{repo}' cat-file "
                                    f"--batch='%(objectname) %(objecttype) %(objectsize) %(rest)' | rg -a -c '{PATTERN}'",
    }
    commits = subprocess.run(["git", "-C", repo, "rev-list", "--all", "--count"], capture_output=True, text=True).stdout.strip()
    times = compare(commands, args.runs, {"hogguard": (0, 1)})
    shutil.rmtree(workdir, ignore_errors=True)
    med = report(f"history: {os.path.basename(repo)} ({commits} commits, {blobs} unique blobs)", times)
    _, _, tree, own, anon = run(commands["hogguard"], sample_memory=True)
    print(f"\npeak memory of `hogguard scan --history`: {anon / 1024:.0f} MiB anonymous (RssAnon) for the process tree, "
          f"{tree / 1024:.0f} MiB resident with mapped pack pages, {own / 1024:.0f} MiB resident for hogguard itself")
    return {"commits": commits, "blobs": blobs, "median_s": med, "peak_anon_tree_mib": anon / 1024,
            "peak_tree_mib": tree / 1024, "peak_own_mib": own / 1024}


def tree(args):
    folder = os.path.abspath(args.dir)
    commands = {
        "hogguard": [args.hogguard, "scan", folder, "--no-git", "--format", "json", "--no-progress"],
        "rg": ["rg", "-a", "-uu", "-c", PATTERN, folder],
    }
    times = compare(commands, args.runs, {"hogguard": (0, 1)})
    med = report(f"tree: {folder}", times)
    result = {"median_s": med}
    if args.secretlint:
        config = os.path.join(tempfile.mkdtemp(), ".secretlintrc.json")
        with open(config, "w") as f:
            json.dump({"rules": [{"id": "@secretlint/secretlint-rule-pattern", "options": {
                "patterns": [{"name": "PostHog token", "pattern": "/" + PATTERN + "/"}]}}]}, f)
        secretlint = os.path.join(os.path.abspath(args.secretlint), "node_modules", ".bin", "secretlint")
        slow = {"hogguard": commands["hogguard"],
                "secretlint (PostHog pattern only)": [secretlint, "--secretlintrc", config, "--maskSecrets", f"{folder}/**/*"]}
        times = compare(slow, max(1, args.secretlint_runs), {})
        result["secretlint"] = report(f"tree vs secretlint: {folder}", times)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    h = sub.add_parser("history")
    h.add_argument("--repo", required=True)
    t = sub.add_parser("tree")
    t.add_argument("--dir", required=True)
    t.add_argument("--secretlint", help="folder where secretlint and its pattern rule are npm-installed")
    t.add_argument("--secretlint-runs", type=int, default=2)
    for p in (h, t):
        p.add_argument("--hogguard", required=True)
        p.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for tool in ("git", "rg"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is needed: apt-get install ripgrep git")
    result = history(args) if args.mode == "history" else tree(args)
    print("\n" + json.dumps(result))


if __name__ == "__main__":
    main()
