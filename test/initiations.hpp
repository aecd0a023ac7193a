//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_TEST_INITIATIONS_HPP
#define BOOST_ASYNC_LOCAL_TEST_INITIATIONS_HPP

// Work initiated on every kind of path that captures a context, for the
// tests of what stops a capture (the off switch, suppress_flow).

#include <boost/async_local/bind.hpp>
#include <boost/async_local/executor.hpp>
#include <boost/async_local/resource.hpp>
#include <boost/async_local/variable.hpp>

#include "common.hpp"

#include <chrono>
#include <memory>
#include <vector>

namespace test {

// Inside v.run(1, ...), calls `around(initiate)`, where `initiate` starts
// work on each path: a propagating executor (post, defer), a propagating
// strand, a timer on the executor, bind_snapshot(handler) on a plain
// executor, an al::resource, and a coroutine that reads before and after a
// co_await. Runs it all outside the binding. Returns what each handler read
// with `read()`: by default, of v (-1: nothing).
template <class Around, class Read>
std::vector<int> initiate_everywhere(
    boost::async_local::variable<int> const& v, Around around, Read read)
{
  namespace al = boost::async_local;
  using namespace std::chrono_literals;
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  auto strand = al::make_strand(ioc.get_executor());
  net::steady_timer timer(ex);
  std::vector<int> seen;
  auto record = [&] { seen.push_back(read()); };
  v.run(1, [&] {
    around([&] {
      net::post(ex, record);
      net::defer(ex, record);
      net::post(strand, record);
      timer.expires_after(1ms);
      timer.async_wait([&](error_code) { record(); });
      net::post(ioc, al::bind_snapshot(record));
      auto r = std::make_shared<al::resource>("job");
      net::post(ioc, [r, record] { r->run(record); });
#if defined(BOOST_ASYNC_LOCAL_TEST_CO_AWAIT)
      net::co_spawn(ex, [&]() -> net::awaitable<void> {
        record();
        net::steady_timer t(co_await net::this_coro::executor, 1ms);
        co_await t.async_wait(net::use_awaitable);
        record();
      }, net::detached);
#endif
    });
  });
  ioc.run();
  return seen;
}

template <class Around>
std::vector<int> initiate_everywhere(
    boost::async_local::variable<int> const& v, Around around)
{
  return initiate_everywhere(v, around, [&] { return v.value_or(-1); });
}

} // namespace test

#endif
