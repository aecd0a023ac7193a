//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Strand chains.

#include "common.hpp"

namespace bench {
namespace {

// ------------------------------------------------------- strand chains

[[maybe_unused]] auto plain_strand = [](net::io_context& ioc) {
  return net::make_strand(ioc);
};
[[maybe_unused]] auto wrapped_strand = [](net::io_context& ioc) {
  return net::make_strand(al::make_executor(ioc));
};

#if defined(BENCH_PLAIN)
void strand_plain(benchmark::State& s) { post_chain(s, plain_strand, 0); }
BENCHMARK(strand_plain);
#elif defined(BENCH_WRAPPED)
void strand_al_empty(benchmark::State& s) { post_chain(s, wrapped_strand, 0); }
void strand_al_1(benchmark::State& s) { post_chain(s, wrapped_strand, 1); }
void strand_al_8(benchmark::State& s) { post_chain(s, wrapped_strand, 8); }
BENCHMARK(strand_al_empty);
BENCHMARK(strand_al_1);
BENCHMARK(strand_al_8);
#endif

} // namespace
} // namespace bench
