#pragma once
// A reader for the pickles inside torch.save zip archives (data.pkl), enough for state dicts and
// the dicts that hold them beside an optimizer's state. LibTorch 1.13's own unpickler turns every
// collections.OrderedDict into None (it expects them only as tensor hooks), so the file that
// model.state_dict() gives cannot be read with it. Nothing is executed: a class or function named
// in the pickle becomes an opaque Object carrying its name.
#include <torch/torch.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace basin::detail {

struct PyValue;
using PyRef = std::shared_ptr<PyValue>;

struct PyValue {
    enum class Kind { None, Bool, Int, Float, Str, Bytes, List, Tuple, Dict, Global, Storage, Tensor, Object };
    Kind kind = Kind::None;
    int64_t i = 0;                              ///< Bool, Int
    double f = 0;                               ///< Float
    std::string s;                              ///< Str, Bytes; Global and Object: "module.name"; Storage: record key
    std::vector<PyRef> items;                   ///< List, Tuple
    std::vector<std::pair<PyRef, PyRef>> dict;  ///< Dict, in insertion order
    torch::Tensor tensor;                       ///< Tensor
    torch::ScalarType dtype = torch::kFloat;    ///< Storage
    int64_t numel = 0;                          ///< Storage
};

/// The object pickled in `path`'s data.pkl, tensors read from its data/ records. Throws
/// basin::Error naming the file when it is not a zip archive, is damaged, or uses a pickle
/// feature that torch.save does not write.
PyRef readTorchSavePickle(const std::string& path);

/// "a dict", "a pickled __main__.Net object", ... for messages.
std::string describe(const PyValue& v);

}  // namespace basin::detail
