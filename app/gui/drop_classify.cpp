#include "drop_classify.h"

#include <QFileInfo>
#include <QObject>
#include <QRegularExpression>
#include <QStringList>

namespace basin::gui {

namespace {

bool nameSaysData(const QString& base) {
    static const QRegularExpression words(QStringLiteral("(data|dataset|inputs?|targets?|labels?|images|features)"),
                                          QRegularExpression::CaseInsensitiveOption);
    return words.match(base).hasMatch();
}

bool nameSaysTargets(const QString& base) {
    static const QRegularExpression words(QStringLiteral("(targets?|labels?|idx1)"),
                                          QRegularExpression::CaseInsensitiveOption);
    return words.match(base).hasMatch();
}

// MNIST-style IDX: "train-images-idx3-ubyte", "t10k-labels.idx1-ubyte", "x.idx".
bool isIdxName(const QString& name) {
    static const QRegularExpression idx(QStringLiteral("(-ubyte|\\.idx[0-9]?|[-.]idx[0-9](-ubyte)?)$"),
                                        QRegularExpression::CaseInsensitiveOption);
    return idx.match(name).hasMatch();
}

}  // namespace

DropClass classifyDroppedPath(const QString& path, bool is_dir) {
    const QString name = QFileInfo(path).fileName();
    if (is_dir) return {DropKind::Refused, QObject::tr("%1 is a folder; drop a study, model or data file").arg(name)};
    const QString lower = name.toLower();
    if (lower.endsWith(".basin.json") || lower.endsWith(".json")) return {DropKind::Study, {}};
    if (lower.endsWith(".ptl")) return {DropKind::Model, {}};
    if (lower.endsWith(".pt")) return {nameSaysData(name) ? DropKind::Data : DropKind::Model, {}};
    if (lower.endsWith(".npz") || lower.endsWith(".csv")) return {DropKind::Data, {}};
    if (lower.endsWith(".npy")) return {nameSaysTargets(name) ? DropKind::Targets : DropKind::Data, {}};
    const QString unzipped = lower.endsWith(".gz") ? lower.chopped(3) : lower;
    if (isIdxName(unzipped)) return {nameSaysTargets(unzipped) ? DropKind::Targets : DropKind::Data, {}};
    if (lower.endsWith(".gz"))
        return {
            DropKind::Refused,
            QObject::tr("%1 is a gzipped file but not MNIST-style IDX (…-ubyte.gz); Basin cannot read it").arg(name)};
    return {DropKind::Refused, QObject::tr("%1 is not a study (.basin.json), model (.pt, .ptl) or data file "
                                           "(.npz, .npy, .pt, .csv, IDX); nothing was changed")
                                   .arg(name)};
}

}  // namespace basin::gui
