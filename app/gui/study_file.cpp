#include "study_file.h"

#include <QDir>
#include <QFileInfo>
#include <QObject>
#include <fstream>
#include <nlohmann/json.hpp>

namespace basin::gui {

namespace {

using Json = nlohmann::ordered_json;  // keeps the file's own key order

// Relative to `dir` when the file lies inside it, else as it is.
std::string relativeIfInside(const std::string& path, const QDir& dir) {
    if (path.empty()) return path;
    const QString abs = QFileInfo(QString::fromStdString(path)).absoluteFilePath();
    const QString rel = dir.relativeFilePath(abs);
    return rel.startsWith("../") || QFileInfo(rel).isAbsolute() ? path : rel.toStdString();
}

}  // namespace

QString saveStudyFile(const StudySpec& spec, const QString& source, const QString& target) {
    Json file = Json::object();
    if (!source.isEmpty() && QFileInfo::exists(source)) {
        std::ifstream in(source.toStdString());
        if (!in) return QObject::tr("%1 cannot be read, so it was not saved over").arg(source);
        try {
            file = Json::parse(in);
        } catch (const Json::exception& e) {
            return QObject::tr("%1 is not valid JSON (%2); it was left as it is").arg(source, e.what());
        }
        if (!file.is_object()) return QObject::tr("%1 is not a Basin study; it was left as it is").arg(source);
    }

    const QDir dir = QFileInfo(target).absoluteDir();
    StudySpec portable = spec;
    portable.model = relativeIfInside(spec.model, dir);
    for (std::string& c : portable.checkpoints) c = relativeIfInside(c, dir);
    for (std::string& c : portable.optimizers) c = relativeIfInside(c, dir);
    portable.data.inputs = relativeIfInside(spec.data.inputs, dir);
    portable.data.targets = relativeIfInside(spec.data.targets, dir);
    const Json fields = Json::parse(studyToJson(portable));
    for (auto it = fields.begin(); it != fields.end(); ++it) file[it.key()] = *it;

    try {
        writeFileAtomically(target.toStdString(), file.dump(2) + "\n");
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

}  // namespace basin::gui
