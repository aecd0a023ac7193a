//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The microbenchmarks' main, and the allocation count they report.

#include "common.hpp"

#include <cstdlib>
#include <new>

namespace bench {

std::atomic<std::size_t> allocations{0};
al::variable<std::string> vars[16];

} // namespace bench

void* operator new(std::size_t n)
{
  bench::allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1))
    return p;
  throw std::bad_alloc();
}

void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

BENCHMARK_MAIN();
