#pragma once
// Surface files for other tools: VTK XML structured grids (.vts) for ParaView, and the HDF5
// layout of Li et al.'s loss-landscape code. Used by basin-cli and the GUI alike.
#include <string>

#include "basin/surface.h"

namespace basin::exporting {

/// A .vts structured grid: points (x, y, loss) with point data "loss", "accuracy", "computed", and
/// for a curvature map "lambda_max", "lambda_min", "trace" and "ratio" (|λmin/λmax|). Points not
/// yet computed have NaN values. Written beside the target, then renamed.
void writeVts(const std::string& path, const SurfaceGrid& grid);

/// Li et al.'s layout: datasets xcoordinates (nx), ycoordinates (ny, 2D only), train_loss and
/// train_acc (percent, as their code stores it) of shape (ny, nx), x varying along the last axis,
/// which is what their plot_2D.py expects (meshgrid(x, y) has shape (ny, nx)); 1D: shape (nx).
/// A curvature map adds plot_hessian_eigen.py's max_eig and min_eig (same shape; points not
/// computed are -1 and 1, as their code marks them) and, when computed, trace.
void writeLossLandscapeH5(const std::string& path, const SurfaceGrid& grid);

/// Reads that layout back (also files their own code wrote), with max_eig and min_eig when present.
/// Missing values (their -1) are not marked computed.
SurfaceGrid readLossLandscapeH5(const std::string& path);

/// Throws basin::Error unless the extension is one writeSurface() knows (checked before long work).
void checkSurfacePath(const std::string& path);

/// Writes by extension: .vts, .h5/.hdf5, .csv, .json; throws basin::Error for others.
void writeSurface(const std::string& path, const SurfaceGrid& grid);

}  // namespace basin::exporting
