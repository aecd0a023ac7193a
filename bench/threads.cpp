//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Two threads sharing one context.

#include "common.hpp"

namespace bench {
namespace {

// ------------------------------------ two threads sharing one context

// Two chains run by two threads at once, both started in the same context:
// every hop counts references on the same node from both threads. The second
// thread stays in run() for the whole benchmark.
template <class Ex>
struct shared_hop
{
  void operator()()
  {
    *sum += read_value();
    if (--left > 0)
      net::post(ex, std::move(*this));
    else
      done->fetch_add(1);
  }
  Ex ex;
  int left;
  std::size_t* sum;
  std::atomic<int>* done;
};

template <class MakeEx>
void shared_context(benchmark::State& state, MakeEx make, int bound)
{
  net::io_context ioc(2);
  auto ex = make(ioc);
  auto work = net::make_work_guard(ioc);
  std::thread second([&] { ioc.run(); });
  std::size_t sum1 = 0, sum2 = 0;
  auto before = allocations.load();
  for (auto _ : state)
  {
    std::atomic<int> done{0};
    using hop = shared_hop<decltype(ex)>;
    bind_n(bound, [&] {
      net::post(ex, hop{ex, hops_per_chain / 2, &sum1, &done});
      net::post(ex, hop{ex, hops_per_chain / 2, &sum2, &done});
    });
    // (The other thread may finish both chains: never block for long.)
    while (done.load() < 2)
      ioc.run_one_for(std::chrono::microseconds(100));
  }
  work.reset();
  second.join();
  benchmark::DoNotOptimize(sum1 + sum2);
  report(state, before);
}

#if defined(BENCH_PLAIN)
void threads2_plain(benchmark::State& s) { shared_context(s, plain, 0); }
BENCHMARK(threads2_plain)->UseRealTime();
#elif defined(BENCH_WRAPPED)
void threads2_al_1(benchmark::State& s) { shared_context(s, wrapped, 1); }
BENCHMARK(threads2_al_1)->UseRealTime();
#endif

} // namespace
} // namespace bench
