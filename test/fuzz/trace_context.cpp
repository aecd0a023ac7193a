//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// libFuzzer target for the header parsers and formatters. Besides "no
// crash, no sanitizer report", it checks what they promise, at both Trace
// Context levels:
//   format(parse(x)): whatever the parsers accept formats back to something
//     they accept again, unchanged;
//   parse(format(v)): whatever a value holds (the input cut into keys,
//     values and IDs), its formatter writes only what the parser accepts,
//     within the W3C limits;
// and no output has a byte outside printable ASCII (so nothing can inject
// into a header or a log).

#include <boost/async_local/http/trace_context.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

using namespace boost::async_local::http;

namespace {

void require(bool ok)
{
  if (!ok)
    std::abort();
}

void printable(std::string const& s)
{
  for (char c : s)
    require(c >= 0x20 && c <= 0x7e);
}

std::vector<std::string> pieces(std::string_view in)
{
  std::vector<std::string> out;
  for (;;)
  {
    std::size_t const cut = in.find('\x1f');
    out.emplace_back(in.substr(0, cut));
    if (cut == std::string_view::npos)
      return out;
    in.remove_prefix(cut + 1);
  }
}

void parse_then_format(std::string_view in, trace_context_level level)
{
  if (auto t = traceparent::parse(in, level))
  {
    std::string const out = t->to_string(level);
    printable(out);
    auto again = traceparent::parse(out, level);
    require(again && *again == *t);
  }
  if (auto t = tracestate::parse(in, level))
  {
    std::string const out = t->to_string(level);
    printable(out);
    auto again = tracestate::parse(out, level);
    require(again && again->to_string(level) == out);
  }
}

void format_then_parse(std::string_view in, trace_context_level level)
{
  std::vector<std::string> const p = pieces(in);

  traceparent t;
  std::size_t n = 0;
  for (char& c : t.trace_id)
    c = n < in.size() ? in[n++] : '0';
  for (char& c : t.parent_id)
    c = n < in.size() ? in[n++] : '0';
  t.flags = n < in.size() ? static_cast<std::uint8_t>(in[n]) : 0;
  std::string const tp = t.to_string(level);
  printable(tp);
  if (!tp.empty())
  {
    auto again = traceparent::parse(tp, level);
    require(again && again->trace_id == t.trace_id
        && again->parent_id == t.parent_id
        && again->flags == (t.flags & traceparent::known_flags(level)));
  }

  tracestate ts;
  for (std::size_t i = 0; i + 1 < p.size(); i += 2)
    ts.members.emplace_back(p[i], p[i + 1]);
  std::string const state = ts.to_string(level);
  printable(state);
  auto parsed_state = tracestate::parse(state, level);
  require(parsed_state
      && parsed_state->members.size() <= tracestate::max_members
      && parsed_state->to_string(level) == state);

  baggage b;
  for (std::size_t i = 0; i + 2 < p.size(); i += 3)
    b.entries.push_back({p[i], p[i + 1], p[i + 2]});
  std::string const bag = b.to_string();
  printable(bag);
  require(bag.size() <= baggage::max_bytes);
  if (!bag.empty())
  {
    auto parsed_bag = baggage::parse(bag);
    require(parsed_bag && parsed_bag->entries.size() <= baggage::max_members
        && parsed_bag->to_string() == bag);
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
  std::string_view const in(reinterpret_cast<char const*>(data), size);

  for (auto level : {trace_context_level::level1, trace_context_level::level2})
  {
    parse_then_format(in, level);
    format_then_parse(in, level);
  }
  if (auto b = baggage::parse(in))
  {
    std::string const out = b->to_string();
    printable(out);
    auto again = baggage::parse(out);
    require(again && again->to_string() == out);
  }
  return 0;
}
