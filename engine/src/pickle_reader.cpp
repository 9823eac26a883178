#include "pickle_reader.h"

#include <caffe2/serialize/inline_container.h>

#include <climits>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>

#include "basin/error.h"
#include "torch_archive.h"

namespace basin::detail {

namespace {

using Kind = PyValue::Kind;

PyRef make(Kind k) {
    auto v = std::make_shared<PyValue>();
    v->kind = k;
    return v;
}

PyRef makeInt(int64_t i, Kind k = Kind::Int) {
    auto v = make(k);
    v->i = i;
    return v;
}

PyRef makeStr(std::string s, Kind k = Kind::Str) {
    auto v = make(k);
    v->s = std::move(s);
    return v;
}

// Storage classes torch.save names (torch.FloatStorage, ...) and their element types.
bool storageType(const std::string& name, torch::ScalarType& out) {
    static const std::map<std::string, torch::ScalarType> types = {
        {"torch.DoubleStorage", torch::kFloat64},
        {"torch.FloatStorage", torch::kFloat32},
        {"torch.HalfStorage", torch::kFloat16},
        {"torch.BFloat16Storage", torch::kBFloat16},
        {"torch.LongStorage", torch::kInt64},
        {"torch.IntStorage", torch::kInt32},
        {"torch.ShortStorage", torch::kInt16},
        {"torch.CharStorage", torch::kInt8},
        {"torch.ByteStorage", torch::kUInt8},
        {"torch.BoolStorage", torch::kBool},
        {"torch.ComplexFloatStorage", torch::kComplexFloat},
        {"torch.ComplexDoubleStorage", torch::kComplexDouble},
        {"torch.storage.UntypedStorage", torch::kUInt8},
        {"torch.UntypedStorage", torch::kUInt8}};
    auto it = types.find(name);
    if (it == types.end()) return false;
    out = it->second;
    return true;
}

class Unpickler {
public:
    Unpickler(const std::string& path, const unsigned char* data, size_t size,
              std::function<torch::Tensor(const PyValue&)> storage)
        : path_(path), p_(data), end_(data + size), storage_(std::move(storage)) {}

    PyRef run() {
        for (;;) {
            const unsigned char op = u8();
            if (op == '.') break;
            step(op);
        }
        if (stack_.empty()) fail("the pickle is empty");
        return stack_.back();
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw Error(path_, "cannot be read as a torch.save file (" + what + ")");
    }

    void need(size_t n) const {
        if (size_t(end_ - p_) < n) fail("the pickle ends early");
    }
    unsigned char u8() {
        need(1);
        return *p_++;
    }
    uint64_t le(int n) {
        need(size_t(n));
        uint64_t v = 0;
        for (int k = 0; k < n; ++k) v |= uint64_t(p_[k]) << (8 * k);
        p_ += n;
        return v;
    }
    std::string bytes(uint64_t n) {
        need(n);
        std::string s(reinterpret_cast<const char*>(p_), size_t(n));
        p_ += n;
        return s;
    }
    std::string line() {
        const unsigned char* nl = static_cast<const unsigned char*>(std::memchr(p_, '\n', size_t(end_ - p_)));
        if (!nl) fail("a text field has no end");
        std::string s(reinterpret_cast<const char*>(p_), size_t(nl - p_));
        p_ = nl + 1;
        return s;
    }

    PyRef pop() {
        if (stack_.size() <= floor()) fail("the pickle takes more values than it pushed");
        PyRef v = stack_.back();
        stack_.pop_back();
        return v;
    }
    PyRef& top() {
        if (stack_.size() <= floor()) fail("the pickle uses a value it did not push");
        return stack_.back();
    }
    size_t floor() const { return marks_.empty() ? 0 : marks_.back(); }
    std::vector<PyRef> popToMark() {
        if (marks_.empty()) fail("the pickle closes a group it did not open");
        const size_t m = marks_.back();
        marks_.pop_back();
        std::vector<PyRef> items(stack_.begin() + std::ptrdiff_t(m), stack_.end());
        stack_.resize(m);
        return items;
    }
    void setItems(PyValue& d, const std::vector<PyRef>& kv) {
        if (kv.size() % 2) fail("a dict has a key without a value");
        if (d.kind != Kind::Dict) return;  // items of an opaque object (a defaultdict subclass, ...)
        for (size_t k = 0; k + 1 < kv.size(); k += 2) d.dict.emplace_back(kv[k], kv[k + 1]);
    }
    void appendItems(PyValue& l, const std::vector<PyRef>& items) {
        if (l.kind == Kind::List) l.items.insert(l.items.end(), items.begin(), items.end());
    }
    PyRef tuple(std::vector<PyRef> items) {
        auto t = make(Kind::Tuple);
        t->items = std::move(items);
        return t;
    }
    void memoPut(uint64_t id) { memo_[id] = top(); }
    PyRef memoGet(uint64_t id) {
        auto it = memo_.find(id);
        if (it == memo_.end()) fail("the pickle refers to a value it never stored");
        return it->second;
    }
    static int64_t longFrom(const std::string& b) {
        if (b.size() > 8) return b.back() & 0x80 ? INT64_MIN : INT64_MAX;  // beyond int64: only its sign matters here
        uint64_t v = 0;
        for (size_t k = 0; k < b.size(); ++k) v |= uint64_t(static_cast<unsigned char>(b[k])) << (8 * k);
        if (!b.empty() && b.size() < 8 && (b.back() & 0x80)) v |= ~uint64_t(0) << (8 * b.size());
        return int64_t(v);
    }

    PyRef global(const std::string& module, const std::string& name) {
        return makeStr(module + "." + name, Kind::Global);
    }

    // REDUCE and NEWOBJ: the few callables a state dict needs are understood; anything else is
    // kept as an opaque object of that name.
    PyRef call(const PyRef& fn, const PyRef& args) {
        const std::string name = fn->kind == Kind::Global ? fn->s : std::string();
        const auto& a = args->items;
        if (name == "torch._utils._rebuild_tensor_v2" || name == "torch._utils._rebuild_tensor")
            return rebuildTensor(a);
        if ((name == "torch._utils._rebuild_parameter" || name == "torch._utils._rebuild_parameter_with_state") &&
            !a.empty() && a[0]->kind == Kind::Tensor)
            return a[0];
        if (name == "collections.OrderedDict" || name == "builtins.dict" || name == "__builtin__.dict") {
            auto d = make(Kind::Dict);
            if (!a.empty() && a[0]->kind == Kind::List)
                for (const auto& kv : a[0]->items)
                    if (kv->kind == Kind::Tuple && kv->items.size() == 2)
                        d->dict.emplace_back(kv->items[0], kv->items[1]);
            return d;
        }
        if (name == "builtins.set" || name == "builtins.frozenset" || name == "__builtin__.set") {
            auto l = make(Kind::List);
            if (!a.empty() && a[0]->kind == Kind::List) l->items = a[0]->items;
            return l;
        }
        return makeStr(name.empty() ? "object" : name, Kind::Object);
    }

    PyRef rebuildTensor(const std::vector<PyRef>& a) {
        if (a.size() < 4 || a[0]->kind != Kind::Storage || a[1]->kind != Kind::Int || a[2]->kind != Kind::Tuple ||
            a[3]->kind != Kind::Tuple || a[2]->items.size() != a[3]->items.size())
            fail("a tensor is described in a way Basin does not know");
        std::vector<int64_t> size, stride;
        for (const auto& s : a[2]->items) size.push_back(s->kind == Kind::Int ? s->i : -1);
        for (const auto& s : a[3]->items) stride.push_back(s->kind == Kind::Int ? s->i : -1);
        const int64_t offset = a[1]->i, numel = a[0]->numel;
        bool empty = false;
        int64_t last = offset;
        for (size_t d = 0; d < size.size(); ++d) {
            if (size[d] < 0 || stride[d] < 0) fail("a tensor has a negative size or stride");
            if (size[d] == 0) empty = true;
            else if (size[d] > 1 && stride[d] > (INT64_MAX - last) / (size[d] - 1))
                fail("a tensor is larger than any storage");
            else last += (size[d] - 1) * stride[d];
        }
        auto t = make(Kind::Tensor);
        if (empty) {
            t->tensor = torch::empty(size, torch::TensorOptions().dtype(a[0]->dtype));
            return t;
        }
        if (offset < 0 || last >= numel)
            fail("a tensor reaches past the end of its storage (" + std::to_string(last + 1) + " of " +
                 std::to_string(numel) + " elements)");
        t->tensor = storage_(*a[0]).as_strided(size, stride, offset).clone();
        return t;
    }

    void step(unsigned char op) {
        switch (op) {
            case 0x80:
                u8();
                break;  // PROTO
            case 0x95:
                le(8);
                break;  // FRAME
            case '(':
                marks_.push_back(stack_.size());
                break;
            case '}':
                stack_.push_back(make(Kind::Dict));
                break;
            case ']':
                stack_.push_back(make(Kind::List));
                break;
            case ')':
                stack_.push_back(tuple({}));
                break;
            case 0x8f:
                stack_.push_back(make(Kind::List));
                break;  // EMPTY_SET
            case 't':
                stack_.push_back(tuple(popToMark()));
                break;
            case 0x91: {  // FROZENSET
                auto l = make(Kind::List);
                l->items = popToMark();
                stack_.push_back(l);
                break;
            }
            case 0x85:
            case 0x86:
            case 0x87: {  // TUPLE1..3
                std::vector<PyRef> items(size_t(op - 0x84));
                for (size_t k = items.size(); k-- > 0;) items[k] = pop();
                stack_.push_back(tuple(std::move(items)));
                break;
            }
            case 'l': {
                auto l = make(Kind::List);
                l->items = popToMark();
                stack_.push_back(l);
                break;
            }
            case 'd': {
                auto d = make(Kind::Dict);
                setItems(*d, popToMark());
                stack_.push_back(d);
                break;
            }
            case 'a': {
                auto v = pop();
                appendItems(*top(), {v});
                break;
            }
            case 'e':
            case 0x90: {  // APPENDS, ADDITEMS
                auto items = popToMark();
                appendItems(*top(), items);
                break;
            }
            case 's': {
                auto v = pop();
                auto k = pop();
                setItems(*top(), {k, v});
                break;
            }
            case 'u': {
                auto kv = popToMark();
                setItems(*top(), kv);
                break;
            }
            case 'J':
                stack_.push_back(makeInt(int32_t(uint32_t(le(4)))));
                break;
            case 'K':
                stack_.push_back(makeInt(int64_t(le(1))));
                break;
            case 'M':
                stack_.push_back(makeInt(int64_t(le(2))));
                break;
            case 0x8a:
                stack_.push_back(makeInt(longFrom(bytes(le(1)))));
                break;
            case 0x8b:
                stack_.push_back(makeInt(longFrom(bytes(le(4)))));
                break;
            case 'I': {
                const std::string s = line();
                if (s == "00" || s == "01") stack_.push_back(makeInt(s == "01", Kind::Bool));
                else stack_.push_back(makeInt(std::strtoll(s.c_str(), nullptr, 10)));
                break;
            }
            case 'L':
                stack_.push_back(makeInt(std::strtoll(line().c_str(), nullptr, 10)));
                break;
            case 'G': {
                uint64_t bits = 0;
                for (int k = 0; k < 8; ++k) bits = (bits << 8) | u8();  // big-endian
                auto v = make(Kind::Float);
                std::memcpy(&v->f, &bits, sizeof bits);
                stack_.push_back(v);
                break;
            }
            case 'F': {
                auto v = make(Kind::Float);
                v->f = std::strtod(line().c_str(), nullptr);
                stack_.push_back(v);
                break;
            }
            case 'N':
                stack_.push_back(make(Kind::None));
                break;
            case 0x88:
                stack_.push_back(makeInt(1, Kind::Bool));
                break;
            case 0x89:
                stack_.push_back(makeInt(0, Kind::Bool));
                break;
            case 'X':
                stack_.push_back(makeStr(bytes(le(4))));
                break;
            case 0x8c:
                stack_.push_back(makeStr(bytes(le(1))));
                break;
            case 0x8d:
                stack_.push_back(makeStr(bytes(le(8))));
                break;
            case 'V':
                stack_.push_back(makeStr(line()));
                break;
            case 'U':
                stack_.push_back(makeStr(bytes(le(1))));
                break;
            case 'T':
                stack_.push_back(makeStr(bytes(le(4))));
                break;
            case 'S': {
                std::string s = line();
                if (s.size() >= 2 && (s.front() == '\'' || s.front() == '"')) s = s.substr(1, s.size() - 2);
                stack_.push_back(makeStr(s));
                break;
            }
            case 'B':
                stack_.push_back(makeStr(bytes(le(4)), Kind::Bytes));
                break;
            case 'C':
                stack_.push_back(makeStr(bytes(le(1)), Kind::Bytes));
                break;
            case 0x8e:
            case 0x96:
                stack_.push_back(makeStr(bytes(le(8)), Kind::Bytes));
                break;
            case 'c': {
                const std::string module = line();
                stack_.push_back(global(module, line()));
                break;
            }
            case 0x93: {  // STACK_GLOBAL
                auto name = pop();
                auto module = pop();
                if (module->kind != Kind::Str || name->kind != Kind::Str)
                    fail("a class is named by something not a string");
                stack_.push_back(global(module->s, name->s));
                break;
            }
            case 'R':
            case 0x81: {  // REDUCE, NEWOBJ
                auto args = pop();
                auto fn = pop();
                if (args->kind != Kind::Tuple) fail("a call's arguments are not a tuple");
                stack_.push_back(call(fn, args));
                break;
            }
            case 0x92: {  // NEWOBJ_EX
                pop();
                auto args = pop();
                auto fn = pop();
                stack_.push_back(call(fn, args->kind == Kind::Tuple ? args : tuple({})));
                break;
            }
            case 'i': {  // INST: module and name lines, arguments from the mark
                const std::string module = line();
                const std::string name = line();
                popToMark();
                stack_.push_back(makeStr(module + "." + name, Kind::Object));
                break;
            }
            case 'o': {  // OBJ: class and arguments from the mark
                auto items = popToMark();
                stack_.push_back(
                    makeStr(!items.empty() && items[0]->kind == Kind::Global ? items[0]->s : "object", Kind::Object));
                break;
            }
            case 'b':
                pop();
                break;  // BUILD: an object's state (an OrderedDict's _metadata); not needed
            case 'q':
                memoPut(le(1));
                break;
            case 'r':
                memoPut(le(4));
                break;
            case 'p':
                memoPut(uint64_t(std::strtoull(line().c_str(), nullptr, 10)));
                break;
            case 0x94:
                memoPut(memo_.size());
                break;  // MEMOIZE
            case 'h':
                stack_.push_back(memoGet(le(1)));
                break;
            case 'j':
                stack_.push_back(memoGet(le(4)));
                break;
            case 'g':
                stack_.push_back(memoGet(uint64_t(std::strtoull(line().c_str(), nullptr, 10))));
                break;
            case 'Q':
                stack_.push_back(persistent(pop()));
                break;
            case '0':
                pop();
                break;
            case '1':
                popToMark();
                break;
            case '2':
                stack_.push_back(top());
                break;
            default: {
                char hex[8];
                std::snprintf(hex, sizeof hex, "0x%02x", op);
                fail(std::string("pickle opcode ") + hex + " is not one torch.save writes");
            }
        }
    }

    // ('storage', torch.FloatStorage, key, location, numel): the tensor data in record data/<key>.
    PyRef persistent(const PyRef& pid) {
        const auto& a = pid->items;
        if (pid->kind != Kind::Tuple || a.size() < 5 || a[0]->kind != Kind::Str || a[0]->s != "storage" ||
            a[1]->kind != Kind::Global || a[2]->kind != Kind::Str || a[4]->kind != Kind::Int || a[4]->i < 0)
            fail("it refers to data in a way torch.save does not");
        auto s = make(Kind::Storage);
        if (!storageType(a[1]->s, s->dtype)) fail("unknown storage type " + a[1]->s);
        s->s = a[2]->s;
        s->numel = a[4]->i;
        return s;
    }

    std::string path_;
    const unsigned char* p_;
    const unsigned char* end_;
    std::function<torch::Tensor(const PyValue&)> storage_;
    std::vector<PyRef> stack_;
    std::vector<size_t> marks_;
    std::map<uint64_t, PyRef> memo_;
};

}  // namespace

std::string describe(const PyValue& v) {
    switch (v.kind) {
        case Kind::None:
            return "None";
        case Kind::Bool:
            return "a boolean";
        case Kind::Int:
            return "a whole number";
        case Kind::Float:
            return "a number";
        case Kind::Str:
            return "a string";
        case Kind::Bytes:
            return "bytes";
        case Kind::List:
            return "a list";
        case Kind::Tuple:
            return "a tuple";
        case Kind::Dict:
            return "a dict";
        case Kind::Global:
            return "the name " + v.s;
        case Kind::Storage:
            return "a storage";
        case Kind::Tensor:
            return "a tensor";
        case Kind::Object:
            return "a pickled " + v.s + " object";
    }
    return "?";
}

PyRef readTorchSavePickle(const std::string& path) {
    checkPyTorchChecksums(path);  // LibTorch's reader checks none
    std::unique_ptr<caffe2::serialize::PyTorchStreamReader> reader;
    std::string pickle;
    try {
        reader = std::make_unique<caffe2::serialize::PyTorchStreamReader>(path);
        if (reader->hasRecord("byteorder")) {
            auto [ptr, n] = reader->getRecord("byteorder");
            if (std::string(static_cast<const char*>(ptr.get()), n).rfind("big", 0) == 0)
                throw Error(path, "was saved on a big-endian machine; Basin reads little-endian torch.save files");
        }
        if (!reader->hasRecord("data.pkl"))
            throw Error(path, "is a zip archive without data.pkl: not a torch.save file");
        auto [ptr, n] = reader->getRecord("data.pkl");
        pickle.assign(static_cast<const char*>(ptr.get()), n);
    } catch (const basin::Error&) {
        throw;
    } catch (const std::exception& e) {
        const std::string what = e.what();
        throw Error(path, "damaged or truncated torch.save archive (" + what.substr(0, what.find('\n')) + ")");
    }
    std::map<std::string, torch::Tensor> storages;  // tensors that share a storage read it once
    auto storage = [&](const PyValue& s) -> torch::Tensor {
        auto it = storages.find(s.s);
        if (it != storages.end()) return it->second;
        const std::string record = "data/" + s.s;
        if (!reader->hasRecord(record)) throw Error(path, "lacks the tensor data record " + record);
        auto [ptr, n] = reader->getRecord(record);
        const size_t want = size_t(s.numel) * c10::elementSize(s.dtype);
        if (n != want)
            throw Error(path, "tensor data " + record + " holds " + std::to_string(n) + " bytes, " +
                                  std::to_string(want) + " were announced: the file is damaged");
        auto t = torch::from_blob(ptr.get(), {s.numel}, torch::TensorOptions().dtype(s.dtype)).clone();
        storages.emplace(s.s, t);
        return t;
    };
    Unpickler u(path, reinterpret_cast<const unsigned char*>(pickle.data()), pickle.size(), storage);
    return u.run();
}

}  // namespace basin::detail
