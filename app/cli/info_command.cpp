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
            std::printf("parameters %lld in %zu groups\n", (long long)objective.parameterCount(), objective.groups().size());
            for (const auto& g : objective.groups()) std::printf("  %-24s %10lld\n", g.name.c_str(), (long long)g.size);
            std::string shape;
            for (auto s : d.input_shape) shape += (shape.empty() ? "" : "x") + std::to_string(s);
            std::printf("data       %lld samples (of %lld) of shape %s, %lld classes\n", (long long)d.samples,
                        (long long)d.available, shape.c_str(), (long long)d.classes);
            std::printf("loss       %s = %.6g\n", lossName(objective.spec().loss).c_str(), eval.loss);
            if (eval.accuracy >= 0) std::printf("accuracy   %.4f\n", eval.accuracy);
            return 0;
        };
    });
}

}  // namespace basin::cli
