#pragma once
// Checkpoints saved with torch.save(model.state_dict()), or a dict holding one, read without
// Python and loaded by name into a TorchScript module of the same architecture.
// Only engine .cpp files include this header (it includes torch).
#include <torch/script.h>

#include <string>
#include <utility>
#include <vector>

namespace basin::detail {

struct StateDict {
    std::vector<std::pair<std::string, torch::Tensor>> tensors;  ///< in file order, prefix stripped
    std::string found_under;      ///< "" for a bare state dict, else its key ("model", "state_dict", ...)
    std::string stripped_prefix;  ///< "module." (DataParallel, DDP), "_orig_mod." (torch.compile), or ""
};

/// Reads a torch.save zip file holding a state dict, as it is or under one of the usual keys
/// (state_dict, model_state_dict, model, net; an optimizer's state and other entries beside it
/// are skipped). The "module." prefix that DataParallel and DDP leave (and torch.compile's
/// "_orig_mod.") is stripped when every key has it; the OrderedDict's _metadata is ignored.
/// Nothing in the file is executed: a pickled class is only a name. Throws basin::Error naming
/// the file when it holds no state dict (a pickled model object, an optimizer state only).
StateDict readStateDict(const std::string& path);

/// Names and shapes checked against `module`'s parameters and buffers (recursively): one
/// basin::Error lists the missing, unexpected and mis-shaped keys (the first few of each, and how
/// many). A missing buffer is an error only for BatchNorm statistics (running_mean, running_var):
/// TorchScript keeps non-persistent buffers (a causal mask) that a state dict never holds, and
/// those keep the architecture file's values.
void checkStateDict(const torch::jit::Module& module, const StateDict& sd, const std::string& path,
                    const std::string& arch_path);

/// checkStateDict, then every tensor copied into the module (converted to the module's dtypes).
void loadStateDict(torch::jit::Module& module, const StateDict& sd, const std::string& path,
                   const std::string& arch_path);

}  // namespace basin::detail
