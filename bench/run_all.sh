#!/usr/bin/env bash
# Runs every benchmark on the demo study (and a random-weight ResNet-20) and prints the tables.
# About 15 minutes on 2 idle cores. Usage: bench/run_all.sh [OUTDIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-/tmp/basin-bench}
mkdir -p "$out"
bin="$root/build/release"
demo="$root/resources/demo/demo.basin.json"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
echo "== H*v modes, demo"; "$bin/bench/bench_hvp" "$demo" 5
/usr/bin/python3 "$root/bench/make_resnet20.py" "$out/resnet20" >/dev/null
echo "== H*v modes, ResNet-20 (random weights, 512 images)"; "$bin/bench/bench_hvp" "$out/resnet20/resnet20.basin.json" 3
echo "== surface 51x51, demo"; "$bin/bench/bench_surface" "$demo" 51
echo "== sensitivity, demo, budget 25%"
/usr/bin/time -f "%e s wall, %M kB peak" "$bin/app/basin-cli" sensitivity --study "$demo" --probes 32 --budget 25%
echo "== MPI speed-up: H*v (Lanczos top 5, exact H*v, 1 thread per rank)"
for np in 1 2; do
  /usr/bin/time -f "np=$np: %e s wall" mpirun -np $np "$bin/app/basin-cli" spectrum --study "$demo" --threads 1 \
    --hvp exact --top 5 --tol 1e-3 --json > "$out/mpi_spectrum_$np.json"
  /usr/bin/python3 -c "import json; j=json.load(open('$out/mpi_spectrum_$np.json')); print('  np=$np', j['hvp_count'], 'H*v in', round(j['seconds'], 2), 's:', round(j['seconds']/j['hvp_count'], 3), 's per H*v')"
done
echo "== MPI speed-up: 31x31 grid"
for np in 1 2; do
  /usr/bin/time -f "np=$np: %e s wall" mpirun -np $np "$bin/app/basin-cli" surface --study "$demo" --threads 1 \
    --grid 31x31 --out "$out/mpi_surface_$np.json" > /dev/null
done
echo "== Lanczos vs power, demo"; "$bin/bench/bench_spectrum" "$demo" eigen
