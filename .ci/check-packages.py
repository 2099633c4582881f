#!/usr/bin/env python3
"""Checks what 'dotnet pack HogGuard.slnx' made: exactly the three packages, each publishable.

Usage: check-packages.py PACK_LOG PACKAGE_FOLDER. Fails (exit 1) naming every problem found.
"""
import re
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

EXPECTED = {"HogGuard.Core", "HogGuard.AspNetCore", "HogGuard.Cli"}
log, folder = Path(sys.argv[1]), Path(sys.argv[2])
problems = []

for line in log.read_text().splitlines():
    if re.search(r"\bwarning\b", line, re.IGNORECASE):
        problems.append(f"pack warned: {line.strip()}")

packages = sorted(folder.glob("*.nupkg"))
symbols = sorted(folder.glob("*.snupkg"))
ids = {}
for package in packages:
    with zipfile.ZipFile(package) as z:
        nuspec = next(n for n in z.namelist() if n.endswith(".nuspec"))
        root = ET.fromstring(z.read(nuspec))
        ns = {"n": root.tag[1:].split("}")[0]}
        meta = root.find("n:metadata", ns)
        get = lambda name: (meta.findtext(f"n:{name}", default="", namespaces=ns) or "").strip()
        pid = get("id")
        ids[pid] = package.name
        if not re.fullmatch(r"\d+\.\d+\.\d+(-dev\.\d+)?", get("version")):
            problems.append(f"{pid}: version {get('version')!r} is not 0.2.0-dev.<height> or a release")
        if not get("description") or get("description") == "Package Description":
            problems.append(f"{pid}: no description of its own")
        if get("authors") in ("", pid):
            problems.append(f"{pid}: authors is the package id")
        license_el = meta.find("n:license", ns)
        if license_el is None or license_el.get("type") != "expression" or not license_el.text:
            problems.append(f"{pid}: no license expression")
        if get("readme") != "README.md" or "README.md" not in z.namelist():
            problems.append(f"{pid}: no readme in the package")
        if not get("tags"):
            problems.append(f"{pid}: no tags")
        repo = meta.find("n:repository", ns)
        if repo is None or not repo.get("url") or not re.fullmatch(r"[0-9a-f]{40}", repo.get("commit") or ""):
            problems.append(f"{pid}: no repository url and commit (SourceLink)")
        dlls = [n for n in z.namelist() if n.startswith("lib/") and n.endswith(".dll")]
        if pid != "HogGuard.Cli" and [Path(d).stem for d in dlls] != [pid]:
            problems.append(f"{pid}: holds {dlls}; the package id and the assembly name must agree")

if set(ids) != EXPECTED:
    problems.append(f"expected exactly the packages {sorted(EXPECTED)}, got {sorted(ids)}")
if len(symbols) != len(EXPECTED):
    problems.append(f"expected a symbol package (.snupkg) per package, got {[s.name for s in symbols]}")

for problem in problems:
    print(f"check-packages: {problem}", file=sys.stderr)
if problems:
    sys.exit(1)
print(f"check-packages: {len(packages)} packages and {len(symbols)} symbol packages, no warnings: {', '.join(sorted(ids))}")
