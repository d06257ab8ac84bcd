#!/usr/bin/env bash
# Restores a SQLite-only application against the freshly packed SDK and fails if anything of Npgsql comes with it.
# Usage: sqlite-consumer.sh PACKAGE_FOLDER WORK_FOLDER
set -euo pipefail
packages="$(cd "$1" && pwd)"
work="$2"
mkdir -p "$work"
# The global package cache may hold an older build of the same 0.1.0 packages: drop the SDK's own entries only.
cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
rm -rf "$cache"/gdpr.abstractions "$cache"/gdpr.core "$cache"/gdpr.storage.efcore "$cache"/gdpr.storage.efcore.postgresql "$cache"/gdpr.testing
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$(dirname "$0")/../Directory.Build.props" | head -n 1)"
efcore="$(sed -n 's:.*<EfCoreVersion>\(.*\)</EfCoreVersion>.*:\1:p' "$(dirname "$0")/../Directory.Packages.props" | head -n 1)"
# The machine's default package source stays; the local folder adds the SDK's packages.
cat >"$work/nuget.config" <<XML
<configuration>
  <packageSources>
    <add key="gdpr-packed" value="$packages" />
  </packageSources>
</configuration>
XML
cat >"$work/Consumer.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImportDirectoryBuildProps>false</ImportDirectoryBuildProps>
    <ImportDirectoryPackagesProps>false</ImportDirectoryPackagesProps>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Gdpr.Storage.EfCore" Version="$version" />
    <PackageReference Include="Microsoft.EntityFrameworkCore.Sqlite" Version="$efcore" />
  </ItemGroup>
</Project>
XML
echo 'System.Console.WriteLine(typeof(Gdpr.Storage.EfCore.GdprEfCore).Assembly.GetName().Name);' >"$work/Program.cs"
dotnet build "$work/Consumer.csproj" -v q -nologo >"$work/build.log" 2>&1 || { tail -n 20 "$work/build.log"; exit 1; }
assets="$work/obj/project.assets.json"
grep -q '"Gdpr.Storage.EfCore/' "$assets" || { echo "the consumer did not restore Gdpr.Storage.EfCore" >&2; exit 1; }
if grep -qi '"npgsql' "$assets"; then
  echo "a SQLite-only consumer restores Npgsql:" >&2
  grep -io '"npgsql[^"]*"' "$assets" | sort -u >&2
  exit 1
fi
