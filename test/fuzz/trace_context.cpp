//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// libFuzzer target for the header parsers. Besides "no crash, no sanitizer
// report", it checks what the parsers promise: whatever they accept formats
// back to something they accept again, unchanged, and never to a byte
// outside printable ASCII (so a parsed value cannot inject into a log).

#include <boost/async_local/http/trace_context.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

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

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
  std::string_view const in(reinterpret_cast<char const*>(data), size);

  if (auto t = traceparent::parse(in))
  {
    std::string const out = t->to_string();
    printable(out);
    auto again = traceparent::parse(out);
    require(again && *again == *t);
  }
  if (auto t = tracestate::parse(in))
  {
    std::string const out = t->to_string();
    printable(out);
    auto again = tracestate::parse(out);
    require(again && again->to_string() == out);
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
