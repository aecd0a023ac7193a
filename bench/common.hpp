//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// What the microbenchmarks share. Each scenario file is compiled once per
// variant (CMakeLists.txt), so that every variant has a translation unit of
// its own, as it would in a user's program: in a shared one, the variants
// compete for the compiler's inlining budget and measure that instead.

#ifndef BOOST_ASYNC_LOCAL_BENCH_COMMON_HPP
#define BOOST_ASYNC_LOCAL_BENCH_COMMON_HPP

#include <boost/async_local.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <benchmark/benchmark.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

namespace bench {

namespace net = boost::asio;
namespace al = boost::async_local;

// Every operator new in the process (micro_main.cpp counts them).
extern std::atomic<std::size_t> allocations;

extern al::variable<std::string> vars[16];

// 16 variables; the one the hops read is bound last (see bind_n).
inline al::variable<std::string>& request_id = vars[0];

// Runs f with n variables bound, request_id among them.
template <class F>
void bind_n(int n, F&& f)
{
  if (n == 0)
  {
    f();
    return;
  }
  vars[n - 1].run("req-" + std::to_string(n - 1), [&] { bind_n(n - 1, f); });
}

constexpr int hops_per_chain = 1000;

// The value a hop reads: the async-local one.
inline std::size_t read_value()
{
  std::string const* p = request_id.get();
  return p ? p->size() : 0;
}

inline void report(benchmark::State& state, std::size_t allocs_before)
{
  state.SetItemsProcessed(state.iterations() * hops_per_chain);
  state.counters["allocs_per_hop"] = double(allocations - allocs_before)
    / double(state.iterations() * hops_per_chain);
  state.counters["ns_per_hop"] = benchmark::Counter(
      double(state.iterations() * hops_per_chain),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}


template <class Ex>
struct post_hop
{
  void operator()()
  {
    *sum += read_value();
    if (--*left > 0)
      net::post(ex, *this);
  }
  Ex ex;
  int* left;
  std::size_t* sum;
};

// A chain of posts started with `bound` variables bound, run outside them.
template <class MakeEx>
void post_chain(benchmark::State& state, MakeEx make, int bound)
{
  net::io_context ioc(1);
  auto ex = make(ioc);
  std::size_t sum = 0;
  auto before = allocations.load();
  for (auto _ : state)
  {
    int left = hops_per_chain;
    bind_n(bound, [&] { net::post(ex, post_hop<decltype(ex)>{ex, &left, &sum}); });
    ioc.restart();
    ioc.run();
  }
  benchmark::DoNotOptimize(sum);
  report(state, before);
}

inline auto plain = [](net::io_context& ioc) { return ioc.get_executor(); };
inline auto wrapped = [](net::io_context& ioc) { return al::make_executor(ioc); };


} // namespace bench

#endif
