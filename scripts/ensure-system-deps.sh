#!/usr/bin/env bash
# Makes sure the Debian packages the tests (or the local stack) need are installed.
# Installs them with apt-get when missing and allowed (root, or passwordless sudo);
# otherwise prints the exact command to run and fails.
#   scripts/ensure-system-deps.sh test|stack
set -euo pipefail
purpose=${1:-test}

# binary -> Debian package
declare -A need=([redis-server]=redis-server)
if [[ $purpose == test ]]; then
  need+=([flite]=flite [sox]=sox [ffmpeg]=ffmpeg [espeak-ng]=espeak-ng)
fi

missing=()
for bin in "${!need[@]}"; do
  command -v "$bin" >/dev/null 2>&1 || missing+=("${need[$bin]}")
done
((${#missing[@]} == 0)) && exit 0

mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo -n); else sudo=(none); fi
fi
if [[ ${sudo[0]:-} == none ]] || ! command -v apt-get >/dev/null 2>&1 || [[ ${FALIGN_NO_APT:-} == 1 ]]; then
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them with:  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >&2
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
