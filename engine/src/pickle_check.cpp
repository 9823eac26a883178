// checkPickleStream: the shape of a pickle, checked before LibTorch's unpickler runs it.
// LibTorch 1.13's Unpickler pops its stack and its marks without looking (a REDUCE on an empty
// stack corrupts the heap), and frees what it built recursively (a tuple nested a hundred
// thousand deep overflows the stack). This walks the opcodes once, tracking only how deep the
// stack is, where the marks are, how many memo entries are set (in order) and how deeply values
// nest, and refuses anything LibTorch would mishandle. No torch header: it is fuzzed on its own.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "basin/error.h"
#include "torch_archive.h"

namespace basin::detail {

namespace {

// Far deeper than anything PyTorch writes (a state dict nests 3 levels, a module tree a few dozen).
constexpr int kMaxNesting = 256;
constexpr size_t kMaxStack = size_t(1) << 22;

class PickleWalker {
public:
    PickleWalker(const std::string& where, const unsigned char* data, size_t size)
        : where_(where), p_(data), end_(data + size) {}

    void run() {
        while (true) {
            const unsigned char op = byte();
            switch (op) {
                case 0x80:
                    byte();
                    break;  // PROTO
                case '.':   // STOP
                    need(1);
                    return;
                case '(':
                    marks_.push_back(stack_.size());
                    break;  // MARK
                case 'N':
                case 0x88:
                case 0x89:
                    push(0);
                    break;  // NONE, NEWTRUE, NEWFALSE
                case 'K':
                    skip(1), push(0);
                    break;  // BININT1
                case 'M':
                    skip(2), push(0);
                    break;  // BININT2
                case 'J':
                    skip(4), push(0);
                    break;  // BININT
                case 'G':
                    skip(8), push(0);
                    break;  // BINFLOAT
                case 0x8a:
                    skip(byte()), push(0);
                    break;  // LONG1
                case 0x8b:
                    skip(u32()), push(0);
                    break;  // LONG4
                case 'X':
                case 'B':
                    skip(u32()), push(0);
                    break;  // BINUNICODE, BINBYTES
                case 'T':
                    skip(u32()), push(0);
                    break;  // BINSTRING
                case 'U':
                case 'C':
                case 0x8c:
                    skip(byte()), push(0);
                    break;  // SHORT_BINSTRING, SHORT_BINBYTES, SHORT_BINUNICODE
                case 'c':
                    line(), line(), push(0);
                    break;  // GLOBAL module\nname\n
                case ')':
                case ']':
                case '}':
                    push(1);
                    break;  // EMPTY_TUPLE, EMPTY_LIST, EMPTY_DICT
                case 'q':
                    put(byte());
                    break;  // BINPUT
                case 'r':
                    put(u32());
                    break;  // LONG_BINPUT
                case 'h':
                    get(byte());
                    break;  // BINGET
                case 'j':
                    get(u32());
                    break;  // LONG_BINGET
                case 't':
                case 'l':
                    push(1 + popToMark());
                    break;  // TUPLE, LIST
                case 'd':
                    evenAboveMark(), push(1 + popToMark());
                    break;  // DICT: key, value, key, value ...
                case 0x85:
                    collect(1);
                    break;  // TUPLE1
                case 0x86:
                    collect(2);
                    break;  // TUPLE2
                case 0x87:
                    collect(3);
                    break;  // TUPLE3
                case 'a':
                    into(1);
                    break;  // APPEND
                case 's':
                    into(2);
                    break;  // SETITEM
                case 'e':
                case 'u': {  // APPENDS, SETITEMS: into the value below the mark
                    if (op == 'u') evenAboveMark();
                    const size_t mark = marks_.empty() ? 0 : marks_.back();
                    const int h = popToMark();
                    if (mark == 0) fail("adds items to nothing");
                    nest(stack_.back(), h + 1);
                    break;
                }
                case 'R':
                case 0x81: {  // REDUCE, NEWOBJ: callable, arguments -> value
                    need(2);
                    const int h = std::max(stack_.end()[-1], stack_.end()[-2]);
                    stack_.pop_back();
                    stack_.back() = h + 1;
                    check(stack_.back());
                    break;
                }
                case 'b': {  // BUILD: value, state -> value
                    need(2);
                    const int h = stack_.back();
                    stack_.pop_back();
                    nest(stack_.back(), h + 1);
                    break;
                }
                case 'Q':
                    need(1);
                    break;  // BINPERSID
                case '0':
                    need(1), stack_.pop_back();
                    break;  // POP
                case '1':
                    popToMark();
                    break;  // POP_MARK
                case '2':
                    need(1), push(stack_.back());
                    break;  // DUP
                default:
                    fail("uses the pickle opcode 0x" + hex(op) + ", which PyTorch files do not");
            }
        }
    }

private:
    [[noreturn]] void fail(const std::string& what) {
        throw Error(where_, "its pickled contents are malformed (" + what + "); a damaged or altered file");
    }
    static std::string hex(unsigned v) {
        const char* d = "0123456789abcdef";
        return {d[(v >> 4) & 15], d[v & 15]};
    }
    unsigned char byte() {
        if (p_ >= end_) fail("it ends before its STOP");
        return *p_++;
    }
    size_t u32() {
        size_t v = 0;
        for (int i = 0; i < 4; ++i) v |= size_t(byte()) << (8 * i);
        return v;
    }
    void skip(size_t n) {
        if (size_t(end_ - p_) < n) fail("a value runs past its end");
        p_ += n;
    }
    void line() {
        const void* nl = std::memchr(p_, '\n', size_t(end_ - p_));
        if (!nl) fail("a GLOBAL name has no end");
        p_ = static_cast<const unsigned char*>(nl) + 1;
    }
    void need(size_t n) {
        if (stack_.size() - (marks_.empty() ? 0 : marks_.back()) < n)
            fail("an operation takes more values than there are");
    }
    void check(int h) {
        if (h > kMaxNesting) fail("values nested more than " + std::to_string(kMaxNesting) + " deep");
    }
    void push(int h) {
        if (stack_.size() >= kMaxStack) fail("too many values at once");
        check(h);
        stack_.push_back(h);
    }
    void nest(int& container, int h) {
        container = std::max(container, h);
        check(container);
    }
    // LibTorch stores each PUT in the next memo slot whatever its number, after reserving room for
    // that many entries (a PUT numbered 0x72727272 asked for 30 GB), so the numbers must run 0, 1,
    // 2, ... as every pickler PyTorch uses writes them.
    void put(size_t id) {
        need(1);
        if (id != memo_.size())
            fail("it stores memo entry " + std::to_string(id) + " where entry " + std::to_string(memo_.size()) +
                 " comes next");
        memo_.push_back(stack_.back());
    }
    void get(size_t id) {
        if (id >= memo_.size()) fail("it refers to a memo entry it never stored");
        push(memo_[id]);
    }
    // LibTorch pairs the values above the mark as keys and values without counting them.
    void evenAboveMark() {
        if (!marks_.empty() && (stack_.size() - marks_.back()) % 2 != 0) fail("a dict is given a key without a value");
    }
    // Pops everything above the last mark and the mark; returns the deepest nesting popped.
    int popToMark() {
        if (marks_.empty()) fail("it closes a MARK it never opened");
        const size_t mark = marks_.back();
        marks_.pop_back();
        int h = 0;
        for (size_t i = mark; i < stack_.size(); ++i) h = std::max(h, stack_[i]);
        stack_.resize(mark);
        return h;
    }
    void collect(size_t n) {
        need(n);
        int h = 0;
        for (size_t i = 0; i < n; ++i) {
            h = std::max(h, stack_.back());
            stack_.pop_back();
        }
        push(h + 1);
    }
    void into(size_t n) {
        need(n + 1);
        int h = 0;
        for (size_t i = 0; i < n; ++i) {
            h = std::max(h, stack_.back());
            stack_.pop_back();
        }
        nest(stack_.back(), h + 1);
    }

    std::string where_;
    const unsigned char* p_;
    const unsigned char* end_;
    std::vector<int> stack_;     // how deeply each value on the stack nests
    std::vector<size_t> marks_;  // stack sizes at each MARK
    std::vector<int> memo_;      // how deeply each memo entry nests, by number
};

}  // namespace

void checkPickleStream(const std::string& where, const unsigned char* data, size_t size) {
    PickleWalker(where, data, size).run();
}

}  // namespace basin::detail
