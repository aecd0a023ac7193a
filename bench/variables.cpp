//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// get(), set(), run(), snapshot::current() + run().

#include "common.hpp"

namespace bench {
namespace {

// ---------------------------------------------------------------- get/run

void get(benchmark::State& state)
{
  bind_n(int(state.range(0)), [&] {
    for (auto _ : state)
      benchmark::DoNotOptimize(request_id.get());
  });
}
BENCHMARK(get)->Arg(1)->Arg(4)->Arg(16);

void set(benchmark::State& state)
{
  std::string const v = "req-x";
  for (auto _ : state)
  {
    auto g = request_id.set(v);
    benchmark::DoNotOptimize(request_id.get());
  }
}
BENCHMARK(set);

void run(benchmark::State& state)
{
  std::string const v = "req-x";
  for (auto _ : state)
    request_id.run(v, [] { benchmark::DoNotOptimize(request_id.get()); });
}
BENCHMARK(run);

void current_and_run(benchmark::State& state)
{
  bind_n(1, [&] {
    for (auto _ : state)
      al::snapshot::current().run(
          [] { benchmark::DoNotOptimize(request_id.get()); });
  });
}
BENCHMARK(current_and_run);

} // namespace
} // namespace bench
