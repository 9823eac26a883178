#include "basin/report.h"

#include <nlohmann/json.hpp>

#include "json_util.h"

namespace basin {

using nlohmann::json;

std::string infoJson(const Objective& o, const Evaluation& e) {
    json groups = json::array();
    for (const auto& g : o.groups()) {
        json params = json::array();
        for (int k : g.parameters)
            params.push_back({{"name", o.parameters()[k].name}, {"shape", o.parameters()[k].shape}});
        groups.push_back({{"name", g.name}, {"parameters", g.size}, {"tensors", params}});
    }
    const auto& d = o.data();
    json inputs = json::array();
    for (const auto& in : d.inputs)
        inputs.push_back({{"name", in.name}, {"argument", in.argument}, {"shape", in.shape}, {"dtype", in.dtype}});
    json j = {{"model", o.modelPath()},
              {"parameters", o.parameterCount()},
              {"groups", groups},
              {"data", {{"inputs", d.inputs_path}, {"targets", d.targets_path}}},
              {"samples", d.samples},
              {"samples_available", d.available},
              {"input_shape", d.input_shape},
              {"inputs", inputs},
              {"output", d.output},
              {"output_shape", d.output_shape},
              {"sample", d.sample},
              {"target_shape", d.target_shape},
              {"classes", d.classes},
              {"loss_function", lossName(o.spec().loss)},
              {"loss", e.loss},
              {"accuracy", e.accuracy < 0 ? json(nullptr) : json(e.accuracy)},
              {"batch_size", o.spec().batch_size},
              {"dtype", dtypeName(o.spec().dtype)},
              {"seed", o.spec().seed}};
    if (d.sample == "random") j["sample_indices"] = d.sample_indices;
    if (d.class_axis != 0) {
        j["class_axis"] = d.class_axis;
        j["class_axis_rule"] = d.class_axis_rule;
        j["ignore_index"] = d.ignore_index;
        j["targets_counted"] = d.targets_counted;
        j["targets_ignored"] = d.targets_ignored;
    }
    return detail::dumpText(j, 2);  // file names may not be UTF-8
}

}  // namespace basin
