#!/usr/bin/env bash
# The package suite (test/package/): packs the tarball (prebuilds for linux-x64 and linux-arm64),
# installs it into fresh projects with and without compilers, loads the arm64 prebuild under
# qemu-user, and verifies the systemd unit. First installs, from Debian's packages and only when
# missing, what that needs: the arm64 cross compiler (whose arm64 C/C++ libraries qemu-user also
# uses), qemu-user-static and systemd's systemd-analyze. Run by .ci/run; prints what each part took.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

missing=()
command -v aarch64-linux-gnu-g++ >/dev/null || missing+=(g++-aarch64-linux-gnu)
command -v qemu-aarch64-static >/dev/null || command -v qemu-aarch64 >/dev/null ||
  missing+=(qemu-user-static)
command -v systemd-analyze >/dev/null || missing+=(systemd)
if ((${#missing[@]} > 0)); then
  echo "package-check: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
installed=$(date +%s)

npm run test:package -- --reporter=verbose
echo "package-check: Debian packages $((installed - started)) s, package suite $(($(date +%s) - installed)) s"
