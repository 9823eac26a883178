#pragma once
/// Work shared across processes. The engine knows nothing of MPI: basin-cli passes it a
/// Communicator (an MPI one when run under mpirun). With one, an Objective holds a shard of the
/// samples and every loss, gradient and H*v is the sum of the shards' parts, identical on every
/// process, so Lanczos, Hutchinson and SLQ run the same steps everywhere.
#include <cstddef>

namespace basin {

class Communicator {
public:
    virtual ~Communicator() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;
    /// Sums `n` doubles elementwise across processes; every process receives the same bits.
    virtual void sum(double* data, size_t n) = 0;
};

}  // namespace basin
