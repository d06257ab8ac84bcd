#!/usr/bin/env bash
# Rewrites every shipped library's PublicAPI.Unshipped.txt from its code, with the PublicApiAnalyzers' own code
# fix (RS0016). Run it after a deliberate public API change and review the diff like code: the build fails on any
# public member that is not listed (RS0016) or listed but gone (RS0017). PublicAPI.Shipped.txt changes only at a
# release, when the released Unshipped lines move into it.
set -euo pipefail
cd "$(dirname "$0")/.."
for project in src/*/*.csproj; do
  dir="$(dirname "$project")"
  printf '#nullable enable\n' > "$dir/PublicAPI.Unshipped.txt"
  dotnet format analyzers "$project" --diagnostics RS0016 --severity info -v q
done
git --no-pager diff --stat -- 'src/*/PublicAPI.*.txt'
