//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_TEST_ISOLATION_HPP
#define BOOST_ASYNC_LOCAL_TEST_ISOLATION_HPP

// The isolation stress: many interleaved units of work, each with its own
// value, hopping over timers with random expiries and posts. Every handler
// must see its own unit's value, on one thread or on several.

#include "paths.hpp"

#include <atomic>
#include <memory>
#include <random>
#include <thread>

namespace isolation {


struct result
{
  int steps = 0;
  int mismatches = 0;
};

template <class Mode>
result run(Mode m, int threads, int units = 1000, int hops = 4)
{
  test::io_context ioc(threads);
  auto ex = m.executor(ioc);
  using Ex = decltype(ex);

  struct unit
  {
    unit(Ex const& ex, int n) : timer(ex), value(n), rng(n) {}
    paths::steady_timer<Ex> timer;
    int value;
    int left = 0;
    std::minstd_rand rng;
  };

  std::atomic<int> steps{0};
  std::atomic<int> mismatches{0};
  std::vector<std::unique_ptr<unit>> all;

  // One hop: a timer with a random expiry, or a post; the handler checks the
  // value and starts the next hop from inside the context it sees.
  struct hop
  {
    void operator()(error_code = {}) const
    {
      ++*steps;
      if (paths::id.value_or(-1) != u->value)
        ++*mismatches;
      if (--u->left > 0)
        start(m, ex, u, steps, mismatches);
    }

    static void start(Mode m, Ex const& ex, unit* u, std::atomic<int>* steps,
        std::atomic<int>* mismatches)
    {
      hop next{m, ex, u, steps, mismatches};
      auto r = u->rng() % 4;
      if (r == 0)
        net::post(ex, m.handler(next));
      else
      {
        u->timer.expires_after(std::chrono::microseconds(200 * r));
        u->timer.async_wait(m.handler(next));
      }
    }

    Mode m;
    Ex ex;
    unit* u;
    std::atomic<int>* steps;
    std::atomic<int>* mismatches;
  };

  for (int i = 0; i < units; ++i)
  {
    all.push_back(std::make_unique<unit>(ex, i));
    all.back()->left = hops;
    paths::id.run(i, [&] {
      hop::start(m, ex, all.back().get(), &steps, &mismatches);
    });
  }

  test::run_on_threads(ioc, threads);
  return result{steps.load(), mismatches.load()};
}

} // namespace isolation

#endif
