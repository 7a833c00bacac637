#!/usr/bin/env bash
# Checks a native Lambda function.zip against what the provided.al2023 runtime runs: an executable `bootstrap` at
# the root of the zip, an ELF for the function's architecture, needing at most glibc 2.34 (Amazon Linux 2023's).
# A native executable linked on a newer Linux (Debian 12 has glibc 2.36) fails on Lambda at the first start with
# "GLIBC_2.36 not found": build it in the Mandrel builder container (make lambda-native NATIVE_CONTAINER=1).
set -euo pipefail
zip=${1:?usage: check-bootstrap.sh function.zip [x86_64|arm64]}
arch=${2:-x86_64}
max_glibc=2.34
for tool in unzip readelf objdump; do
  command -v "$tool" >/dev/null || { echo "check-bootstrap: needs $tool (binutils, unzip)" >&2; exit 2; }
done
[ -f "$zip" ] || { echo "check-bootstrap: $zip does not exist" >&2; exit 1; }
unzip -Z1 "$zip" | grep -qx bootstrap || { echo "check-bootstrap: $zip has no 'bootstrap' at its root" >&2; exit 1; }
unzip -Z "$zip" bootstrap | grep -Eq '^-..x' || { echo "check-bootstrap: bootstrap is not executable in $zip" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unzip -q -o "$zip" bootstrap -d "$tmp"
machine=$(readelf -h "$tmp/bootstrap" 2>/dev/null | sed -n 's/^ *Machine: *//p')
case "$arch:$machine" in
  x86_64:*X86-64*|arm64:*AArch64*) ;;
  *) echo "check-bootstrap: bootstrap is '${machine:-not an ELF executable}', the function is $arch" >&2; exit 1 ;;
esac
need=$(objdump -T "$tmp/bootstrap" 2>/dev/null | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n1 || true)
if [ -n "$need" ] && [ "$(printf '%s\n%s\n' "$need" "$max_glibc" | sort -V | tail -n1)" != "$max_glibc" ]; then
  echo "check-bootstrap: bootstrap needs glibc $need; provided.al2023 has $max_glibc." >&2
  echo "  Build it in the builder container: make lambda-native NATIVE_CONTAINER=1" >&2
  exit 1
fi
echo "check-bootstrap: $zip is fit for provided.al2023 ($arch, glibc ${need:-not used} <= $max_glibc)"
