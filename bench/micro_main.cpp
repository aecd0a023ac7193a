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
#include <thread>

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

// Every benchmark runs in a multi-threaded process, as a server does. The C
// and C++ runtimes drop atomics while a process has only ever had one
// thread (std::shared_ptr's counts, for one), so without this the first
// benchmarks would measure a single-threaded process and those after the
// two-thread one a multi-threaded process: the hand-passed shared_ptr chain
// measured 12 ns per hop before, and 32 ns after.
int main(int argc, char** argv)
{
  std::thread([] {}).join();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  benchmark::AddCustomContext("process", "multi-threaded");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
