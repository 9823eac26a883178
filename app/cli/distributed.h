#pragma once
// basin-cli under mpirun: one Communicator for the whole run (MPI when built with it and started
// by mpirun; otherwise none), and which process speaks.
#include "basin/communicator.h"

namespace basin::cli {

/// Starts MPI when this process was launched by mpirun (and Basin was built with MPI).
void startDistributed(int* argc, char*** argv);
void stopDistributed();
/// The run's communicator, or nullptr when running alone.
Communicator* communicator();
/// True on the process that prints and writes files (rank 0, or alone).
bool isLeader();
/// Ends every process of the run with a non-zero exit (MPI_Abort) after a rank's error.
[[noreturn]] void abortRun(int code);
/// "MPI (OpenMPI 4.1)" or "no MPI", for --version.
const char* mpiDescription();

}  // namespace basin::cli
