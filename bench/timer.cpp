//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// steady_timer(0) chains.

#include "common.hpp"

namespace bench {
namespace {

// ------------------------------------------------------- timer(0) chains

template <class Timer>
struct timer_hop
{
  void operator()(boost::system::error_code)
  {
    *sum += read_value();
    if (--*left > 0)
    {
      timer->expires_at(std::chrono::steady_clock::time_point());
      timer->async_wait(*this);
    }
  }
  Timer* timer;
  int* left;
  std::size_t* sum;
};

template <class MakeEx>
void timer_chain(benchmark::State& state, MakeEx make, int bound)
{
  net::io_context ioc(1);
  auto ex = make(ioc);
  using timer_t = net::basic_waitable_timer<std::chrono::steady_clock,
      net::wait_traits<std::chrono::steady_clock>, decltype(ex)>;
  timer_t timer(ex);
  std::size_t sum = 0;
  auto before = allocations.load();
  for (auto _ : state)
  {
    int left = hops_per_chain;
    bind_n(bound, [&] {
      timer.expires_at(std::chrono::steady_clock::time_point());
      timer.async_wait(timer_hop<timer_t>{&timer, &left, &sum});
    });
    ioc.restart();
    ioc.run();
  }
  benchmark::DoNotOptimize(sum);
  report(state, before);
}

#if defined(BENCH_PLAIN)
void timer_plain(benchmark::State& s) { timer_chain(s, plain, 0); }
BENCHMARK(timer_plain);
#elif defined(BENCH_WRAPPED)
void timer_al_empty(benchmark::State& s) { timer_chain(s, wrapped, 0); }
void timer_al_1(benchmark::State& s) { timer_chain(s, wrapped, 1); }
void timer_al_8(benchmark::State& s) { timer_chain(s, wrapped, 8); }
BENCHMARK(timer_al_empty);
BENCHMARK(timer_al_1);
BENCHMARK(timer_al_8);
#endif

} // namespace
} // namespace bench
