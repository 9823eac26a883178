#!/usr/bin/env bash
# Installs the Debian 12 packages Basin needs to build, test, fuzz (clang's libFuzzer), check the
# formatting (clang-format), package (dpkg-shlibdeps) and run. Quick when they are there.
set -euo pipefail
PACKAGES=(
  cmake ninja-build g++ ccache pkg-config
  qt6-base-dev libqt6opengl6-dev qt6-svg-dev
  libvtk9-dev libtorch-dev libqcustomplot-dev libeigen3-dev
  nlohmann-json3-dev libcli11-dev libzip-dev zlib1g-dev
  python3-torch python3-numpy python3-h5py
  openmpi-bin libopenmpi-dev libhdf5-dev
  xvfb xauth libgl1-mesa-dri
  dataset-fashion-mnist
  clang-14 libclang-rt-14-dev lld-14 clang-format-14
  dpkg-dev file desktop-file-utils
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}"
