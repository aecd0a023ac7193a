//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Post chains: plain, al::propagating_executor (empty, 1 and 8 bound, and 1
// with a no-op hook installed), by hand, al::bind_snapshot.
// Each variant is compiled in a translation unit of its own (CMakeLists.txt).

#include "common.hpp"

namespace bench {
namespace {

// ------------------------------------------------------------- post chains

#if defined(BENCH_PLAIN)
void post_plain(benchmark::State& s) { post_chain(s, plain, 0); }
BENCHMARK(post_plain);
#elif defined(BENCH_WRAPPED)
void post_al_empty(benchmark::State& s) { post_chain(s, wrapped, 0); }
void post_al_1(benchmark::State& s) { post_chain(s, wrapped, 1); }
void post_al_8(benchmark::State& s) { post_chain(s, wrapped, 8); }
// One hook installed that does nothing: what a hop costs once hooks are in
// use (a record per operation and four virtual calls).
void post_al_1_hook(benchmark::State& s)
{
  al::async_hooks nothing;
  auto registration = al::install_hooks(nothing);
  post_chain(s, wrapped, 1);
}
BENCHMARK(post_al_empty);
BENCHMARK(post_al_1);
BENCHMARK(post_al_8);
BENCHMARK(post_al_1_hook);
#elif defined(BENCH_MANUAL)

// The baseline users write today: the ID, a shared_ptr, passed by hand.
struct manual_hop
{
  void operator()()
  {
    *sum += id->size();
    if (--*left > 0)
      net::post(ex, manual_hop{ex, left, sum, id});
  }
  net::io_context::executor_type ex;
  int* left;
  std::size_t* sum;
  std::shared_ptr<std::string const> id;
};

void post_manual(benchmark::State& state)
{
  net::io_context ioc(1);
  std::size_t sum = 0;
  auto id = std::make_shared<std::string const>("req-0");
  auto before = allocations.load();
  for (auto _ : state)
  {
    int left = hops_per_chain;
    net::post(ioc, manual_hop{ioc.get_executor(), &left, &sum, id});
    ioc.restart();
    ioc.run();
  }
  benchmark::DoNotOptimize(sum);
  report(state, before);
}
BENCHMARK(post_manual);

#elif defined(BENCH_BIND)
// al::bind_snapshot on a plain executor: every hop binds its handler.
struct bound_hop
{
  void operator()()
  {
    *sum += read_value();
    if (--*left > 0)
      net::post(ex, al::bind_snapshot(*this));
  }
  net::io_context::executor_type ex;
  int* left;
  std::size_t* sum;
};

void post_bind_1(benchmark::State& state)
{
  net::io_context ioc(1);
  std::size_t sum = 0;
  auto before = allocations.load();
  for (auto _ : state)
  {
    int left = hops_per_chain;
    bind_n(1, [&] {
      net::post(ioc, al::bind_snapshot(bound_hop{ioc.get_executor(), &left, &sum}));
    });
    ioc.restart();
    ioc.run();
  }
  benchmark::DoNotOptimize(sum);
  report(state, before);
}
BENCHMARK(post_bind_1);
#endif

} // namespace
} // namespace bench
