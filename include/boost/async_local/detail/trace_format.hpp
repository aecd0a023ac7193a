//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_DETAIL_TRACE_FORMAT_HPP
#define BOOST_ASYNC_LOCAL_DETAIL_TRACE_FORMAT_HPP

// The writers behind trace_recorder: Chrome trace event JSON and Graphviz.
// Values come from user variables and type names: anything can be in them,
// so every string is escaped for its format, and bytes that are not UTF-8
// are replaced (U+FFFD), so that the output always parses.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <ostream>
#include <set>
#include <string_view>
#include <vector>

namespace boost {
namespace async_local {
namespace detail {
namespace trace_format {

// The length of the well-formed UTF-8 sequence at s[i] (1 to 4), or 0.
inline std::size_t utf8_sequence(std::string_view s, std::size_t i) noexcept
{
  auto const at = [&](std::size_t k) {
    return static_cast<unsigned char>(s[k]);
  };
  unsigned char const c = at(i);
  if (c < 0x80)
    return 1;
  std::size_t n;
  unsigned char lo = 0x80, hi = 0xBF;  // the second byte's range
  if (c >= 0xC2 && c <= 0xDF)
    n = 2;
  else if (c >= 0xE0 && c <= 0xEF)
  {
    n = 3;
    if (c == 0xE0)
      lo = 0xA0;  // no overlong forms
    if (c == 0xED)
      hi = 0x9F;  // no surrogates
  }
  else if (c >= 0xF0 && c <= 0xF4)
  {
    n = 4;
    if (c == 0xF0)
      lo = 0x90;
    if (c == 0xF4)
      hi = 0x8F;  // nothing above U+10FFFF
  }
  else
    return 0;
  if (i + n > s.size())
    return 0;
  if (at(i + 1) < lo || at(i + 1) > hi)
    return 0;
  for (std::size_t k = 2; k < n; ++k)
    if (at(i + k) < 0x80 || at(i + k) > 0xBF)
      return 0;
  return n;
}

// Writes `s`: well-formed multibyte UTF-8 sequences as they are, a byte
// that is not UTF-8 as `replacement`, and each ASCII character through
// `ascii(os, c)`, which escapes it for the format.
template <class Ascii>
void utf8_text(std::ostream& os, std::string_view s, char const* replacement,
    Ascii ascii)
{
  for (std::size_t i = 0; i < s.size();)
  {
    std::size_t const n = utf8_sequence(s, i);
    if (n == 0)
    {
      os << replacement;
      ++i;
    }
    else if (n > 1)
    {
      os.write(s.data() + i, static_cast<std::streamsize>(n));
      i += n;
    }
    else
      ascii(os, s[i++]);
  }
}

inline bool control(char c) noexcept
{
  return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
}

// A JSON string, quotes included.
inline void json_string(std::ostream& os, std::string_view s)
{
  os << '"';
  utf8_text(os, s, "\\ufffd", [](std::ostream& out, char c) {
    switch (c)
    {
    case '"': out << "\\\""; break;
    case '\\': out << "\\\\"; break;
    case '\n': out << "\\n"; break;
    case '\r': out << "\\r"; break;
    case '\t': out << "\\t"; break;
    default:
      if (control(c))
      {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x",
            static_cast<unsigned>(static_cast<unsigned char>(c)));
        out << buf;
      }
      else
        out << c;
    }
  });
  os << '"';
}

// Text inside a Graphviz double-quoted label: quotes and backslashes
// escaped, control characters shown as spaces (the label's own line breaks
// are written by the caller as \n).
inline void dot_text(std::ostream& os, std::string_view s)
{
  utf8_text(os, s, "\xEF\xBF\xBD", [](std::ostream& out, char c) {
    if (c == '"' || c == '\\')
      out << '\\' << c;
    else
      out << (control(c) ? ' ' : c);
  });
}

// Microseconds, as the trace event format counts (a valid JSON number for
// any input).
inline void micros(std::ostream& os, std::int64_t ns)
{
  unsigned long long const magnitude = ns < 0
    ? 0ull - static_cast<unsigned long long>(ns)
    : static_cast<unsigned long long>(ns);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%llu.%03llu", ns < 0 ? "-" : "",
      magnitude / 1000, magnitude % 1000);
  os << buf;
}

// The watched values go in an object of their own, so that a variable
// named "id" cannot repeat a key.
template <class Operation>
void json_args(std::ostream& os, Operation const& op)
{
  os << "\"args\":{\"id\":" << op.id << ",\"trigger\":" << op.trigger
     << ",\"values\":{";
  char const* sep = "";
  for (auto const& [name, value] : op.values)
  {
    os << sep;
    sep = ",";
    json_string(os, name);
    os << ':';
    json_string(os, value);
  }
  os << "}}";
}

template <class Operation>
void chrome_trace(std::ostream& os, std::vector<Operation> const& ops)
{
  os << "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[";
  bool first = true;
  auto next = [&] {
    if (!first)
      os << ",\n";
    first = false;
  };
  std::set<unsigned> threads;
  for (auto const& op : ops)
  {
    if (op.thread)
      threads.insert(op.thread);
    for (auto const& r : op.runs)
      threads.insert(r.thread);
  }
  for (unsigned t : threads)
  {
    next();
    os << "{\"ph\":\"M\",\"pid\":1,\"tid\":" << t
       << ",\"name\":\"thread_name\",\"args\":{\"name\":\"thread " << t
       << "\"}}";
  }
  for (auto const& op : ops)
  {
    auto common = [&](char const* ph, unsigned tid, std::int64_t ns,
        char const* cat) {
      os << "{\"ph\":\"" << ph << "\",\"pid\":1,\"tid\":" << tid
         << ",\"ts\":";
      micros(os, ns);
      os << ",\"cat\":\"" << cat << "\",\"name\":";
      json_string(os, op.type);
    };
    if (op.init_ns >= 0)
    {
      // The operation's life, as an async span from init to destroy.
      next();
      common("b", op.thread, op.init_ns, "operation");
      os << ",\"id\":" << op.id << ',';
      json_args(os, op);
      os << '}';
      if (op.destroy_ns >= 0)
      {
        next();
        common("e", op.thread, op.destroy_ns, "operation");
        os << ",\"id\":" << op.id << '}';
      }
      // An arrow from where it was initiated to its first run.
      if (!op.runs.empty())
      {
        next();
        common("s", op.thread, op.init_ns, "causality");
        os << ",\"id\":" << op.id << '}';
        next();
        common("f", op.runs.front().thread, op.runs.front().begin_ns,
            "causality");
        os << ",\"id\":" << op.id << ",\"bp\":\"e\"}";
      }
    }
    for (auto const& r : op.runs)
    {
      if (r.end_ns < 0)
        continue;
      next();
      common("X", r.thread, r.begin_ns, "run");
      os << ",\"dur\":";
      micros(os, r.end_ns - r.begin_ns);
      os << ',';
      json_args(os, op);
      os << '}';
    }
  }
  os << "]}\n";
}

template <class Operation>
void graphviz(std::ostream& os, std::vector<Operation> const& ops,
    std::function<bool(Operation const&)> const& include)
{
  std::map<std::uint64_t, Operation const*> by_id;
  for (auto const& op : ops)
    by_id.emplace(op.id, &op);
  auto drawn = [&](Operation const& op) { return !include || include(op); };

  // Each drawn operation's nearest drawn ancestor (0: none). The walk is
  // bounded, in case ids repeat.
  std::map<std::uint64_t, std::uint64_t> parent_of;
  for (auto const& op : ops)
  {
    if (!drawn(op))
      continue;
    std::uint64_t parent = op.trigger;
    for (std::size_t steps = 0; parent && steps < ops.size(); ++steps)
    {
      auto const it = by_id.find(parent);
      if (it == by_id.end())
      {
        parent = 0;
        break;
      }
      if (drawn(*it->second))
        break;
      parent = it->second->trigger;
    }
    auto const it = by_id.find(parent);
    parent_of[op.id] = parent && it != by_id.end() && drawn(*it->second)
      ? parent : 0;
  }

  os << "digraph async_operations {\n"
        "  node [shape=box, style=rounded, fontname=\"Helvetica\", "
        "fontsize=10];\n";
  for (auto const& op : ops)
  {
    if (!drawn(op))
      continue;
    std::int64_t busy = 0;
    for (auto const& r : op.runs)
      if (r.end_ns >= 0)
        busy += r.end_ns - r.begin_ns;
    // An operation that never ran is drawn dashed: work tracked for an
    // operation whose handler ran as another (see async_hooks), or one
    // destroyed unrun.
    os << "  op" << op.id
       << (op.runs.empty() ? " [style=\"rounded,dashed\", color=gray50, "
             "fontcolor=gray40, label=\"" : " [label=\"");
    dot_text(os, op.type);
    os << " #" << op.id;
    // Values are shown where they differ from the parent's.
    Operation const* parent = nullptr;
    if (std::uint64_t const p = parent_of[op.id])
      parent = by_id[p];
    for (auto const& [name, value] : op.values)
    {
      bool inherited = false;
      if (parent)
        for (auto const& pv : parent->values)
          inherited = inherited || (pv.first == name && pv.second == value);
      if (inherited)
        continue;
      os << "\\n";
      dot_text(os, name);
      os << ": ";
      dot_text(os, value);
    }
    // How long it waited for its first run, how long it ran, and where.
    os << "\\n";
    if (!op.runs.empty() && op.init_ns >= 0)
    {
      os << "waited ";
      micros(os, op.runs.front().begin_ns - op.init_ns);
      os << " us, ";
    }
    if (op.runs.size() != 1)
      os << op.runs.size() << " runs, ";
    os << "ran ";
    micros(os, busy);
    os << " us";
    std::set<unsigned> on;
    for (auto const& r : op.runs)
      on.insert(r.thread);
    char const* sep = on.size() == 1 ? " on thread " : " on threads ";
    for (unsigned t : on)
    {
      os << sep << t;
      sep = ", ";
    }
    os << "\"];\n";
  }
  for (auto const& op : ops)
    if (drawn(op) && parent_of[op.id])
      os << "  op" << parent_of[op.id] << " -> op" << op.id << ";\n";
  os << "}\n";
}

} // namespace trace_format
} // namespace detail
} // namespace async_local
} // namespace boost

#endif // BOOST_ASYNC_LOCAL_DETAIL_TRACE_FORMAT_HPP
