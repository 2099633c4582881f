#!/usr/bin/env bash
# Builds HogGuard as users would run it and times it against peer approaches on the same inputs.
#   bench/run.sh [OUT_DIR]     (default bench/out; needs git, python3, ripgrep; npm for secretlint)
# Inputs: a 3,000- and a 15,000-commit repository from bench/make-history-repo.py, git/git when
# HOGGUARD_BENCH_GIT_MIRROR names a bare mirror of it, and a copy of /usr/include. Each history
# table has git's own decompression floor (the unique blobs over two cat-file processes) and peak
# anonymous memory. Prints markdown tables of medians and ratios (HogGuard / baseline).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
out="${1:-$here/out}"
mkdir -p "$out"
command -v rg >/dev/null || { echo "install ripgrep (apt-get install ripgrep)" >&2; exit 2; }

# Native AOT when a native toolchain is present (as a release build would be), else ReadyToRun.
if command -v clang >/dev/null || command -v gcc >/dev/null; then
  dotnet publish "$root/src/HogGuard.Cli" -c Release -r linux-x64 -p:PublishAot=true -o "$out/tool" -v quiet -nologo
else
  dotnet publish "$root/src/HogGuard.Cli" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$out/tool" -v quiet -nologo
fi
hogguard="$out/tool/hogguard"

for commits in 3000 15000; do
  repo="$out/history-$commits"
  [ -d "$repo" ] || python3 "$root/bench/make-history-repo.py" "$repo" --commits "$commits"
  python3 "$here/compare.py" history --hogguard "$hogguard" --repo "$repo" --runs "${RUNS:-5}"
done

# A real repository when a bare mirror of git/git is at hand (HOGGUARD_BENCH_GIT_MIRROR=PATH):
# its master and tags, cloned once without a checkout.
if [ -n "${HOGGUARD_BENCH_GIT_MIRROR:-}" ]; then
  real="$out/git-git"
  if [ ! -d "$real" ]; then
    git clone -q --bare --single-branch --branch master "$HOGGUARD_BENCH_GIT_MIRROR" "$real"
    git -C "$real" fetch -q --tags origin
  fi
  python3 "$here/compare.py" history --hogguard "$hogguard" --repo "$real" --runs "${RUNS:-5}"
else
  echo "(HOGGUARD_BENCH_GIT_MIRROR not set: git/git skipped, generated repositories only)"
fi

[ -d "$out/include" ] || cp -r /usr/include "$out/include"
secretlint_args=()
if command -v npm >/dev/null; then
  if [ ! -x "$out/secretlint/node_modules/.bin/secretlint" ]; then
    mkdir -p "$out/secretlint"
    (cd "$out/secretlint" && npm install --silent secretlint @secretlint/secretlint-rule-preset-recommend @secretlint/secretlint-rule-pattern >/dev/null)
  fi
  secretlint_args=(--secretlint "$out/secretlint")
fi
python3 "$here/compare.py" tree --hogguard "$hogguard" --dir "$out/include" --runs "${RUNS:-5}" "${secretlint_args[@]}"
