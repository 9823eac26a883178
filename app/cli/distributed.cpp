#include "distributed.h"

#include <cstdlib>
#include <string>
#include <vector>

#ifdef BASIN_WITH_MPI
// The C API only: the deprecated C++ bindings would need libmpi_cxx.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace basin::cli {

namespace {

#ifdef BASIN_WITH_MPI
class MpiCommunicator : public Communicator {
public:
    MpiCommunicator() {
        MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
        MPI_Comm_size(MPI_COMM_WORLD, &size_);
    }
    int rank() const override { return rank_; }
    int size() const override { return size_; }
    // Reduce to rank 0, then broadcast: every rank receives rank 0's bits, which MPI_Allreduce
    // does not promise; Lanczos on every rank then takes identical steps.
    void sum(double* data, size_t n) override {
        if (rank_ == 0) MPI_Reduce(MPI_IN_PLACE, data, int(n), MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
        else MPI_Reduce(data, nullptr, int(n), MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
        MPI_Bcast(data, int(n), MPI_DOUBLE, 0, MPI_COMM_WORLD);
    }

private:
    int rank_ = 0, size_ = 1;
};

MpiCommunicator* g_comm = nullptr;
bool g_started = false;

bool launchedByMpirun() {
    for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
        if (std::getenv(v)) return true;
    return false;
}
#endif

}  // namespace

void startDistributed(int* argc, char*** argv) {
#ifdef BASIN_WITH_MPI
    if (!launchedByMpirun()) return;
    MPI_Init(argc, argv);
    g_started = true;
    g_comm = new MpiCommunicator();
    if (g_comm->size() == 1) {
        delete g_comm;
        g_comm = nullptr;
    }
#else
    (void)argc;
    (void)argv;
#endif
}

void stopDistributed() {
#ifdef BASIN_WITH_MPI
    delete g_comm;
    g_comm = nullptr;
    if (g_started) MPI_Finalize();
    g_started = false;
#endif
}

Communicator* communicator() {
#ifdef BASIN_WITH_MPI
    return g_comm;
#else
    return nullptr;
#endif
}

bool isLeader() { return !communicator() || communicator()->rank() == 0; }

void abortRun(int code) {
#ifdef BASIN_WITH_MPI
    if (g_comm) MPI_Abort(MPI_COMM_WORLD, code);
#endif
    std::exit(code);
}

const char* mpiDescription() {
#ifdef BASIN_WITH_MPI
    return "MPI: yes (OpenMPI; run under mpirun to distribute)";
#else
    return "MPI: no";
#endif
}

}  // namespace basin::cli
