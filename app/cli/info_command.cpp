#include <cstdio>
#include <iostream>

#include "basin/objective.h"
#include "basin/report.h"
#include "commands.h"
#include "distributed.h"

namespace basin::cli {

void addInfoCommand(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand("info", "Describe the model and data, and the loss and accuracy at the weights");
    auto opts = std::make_shared<StudyOptions>();
    auto json = std::make_shared<bool>(false);
    opts->add(*cmd);
    cmd->add_flag("--json", *json, "print JSON");
    cmd->callback([opts, json, &run] {
        run = [opts, json] {
            auto objective = Objective::open(opts->resolve(), {}, communicator());
            const auto eval = objective.evaluate();
            if (!isLeader()) return 0;
            if (*json) {
                std::cout << infoJson(objective, eval) << "\n";
                return 0;
            }
            const auto& d = objective.data();
            std::printf("model      %s\n", objective.modelPath().c_str());
            std::printf("parameters %lld in %zu groups\n", (long long)objective.parameterCount(),
                        objective.groups().size());
            for (const auto& g : objective.groups()) std::printf("  %-24s %10lld\n", g.name.c_str(), (long long)g.size);
            auto dims = [](const std::vector<int64_t>& shape) {
                std::string s;
                for (auto n : shape) s += (s.empty() ? "" : "x") + std::to_string(n);
                return s.empty() ? std::string("scalar") : s;
            };
            std::printf("data       %lld samples (of %lld, %s), %lld classes\n", (long long)d.samples,
                        (long long)d.available, d.sample == "random" ? "a seeded random subset" : "the first",
                        (long long)d.classes);
            for (const auto& in : d.inputs) {
                const std::string arg = in.argument.empty() || in.argument == in.name ? "" : " as " + in.argument;
                std::printf("input      %s%s: %s %s\n", in.name.empty() ? "(the array)" : in.name.c_str(), arg.c_str(),
                            dims(in.shape).c_str(), in.dtype.c_str());
            }
            if (!d.output.empty()) std::printf("output     %s: %s\n", d.output.c_str(), dims(d.output_shape).c_str());
            if (d.class_axis != 0) {
                std::printf("classes    %s\n", d.class_axis_rule.c_str());
                std::printf("targets    %lld counted, %lld equal to ignore_index %lld\n", (long long)d.targets_counted,
                            (long long)d.targets_ignored, (long long)d.ignore_index);
            }
            std::printf("loss       %s = %.6g\n", lossName(objective.spec().loss).c_str(), eval.loss);
            if (eval.accuracy >= 0) std::printf("accuracy   %.4f\n", eval.accuracy);
            return 0;
        };
    });
}

}  // namespace basin::cli
