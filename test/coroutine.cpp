//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Coroutines on a propagating executor: C++20 co_spawn/awaitable, stackful
// spawn, and the experimental coroutine facilities. Each test runs on one
// thread and on an io_context run by two.

#include <boost/async_local/executor.hpp>

#include "paths.hpp"

#include "net.hpp"
#include <boost/test/data/test_case.hpp>

#if defined(BOOST_ASYNC_LOCAL_TEST_CO_AWAIT)

#include <thread>
#include <tuple>

namespace al = boost::async_local;
namespace data = boost::unit_test::data;
using paths::id;
using namespace std::chrono_literals;

namespace {

auto const thread_counts = data::make({1, 2});

// Records what it sees at the start, after every kind of co_await, with a
// binding of its own across waits, and after that binding is gone.
net::awaitable<void> worker(int n, paths::recorder& r)
{
  auto ex = co_await net::this_coro::executor;
  r.step(n);
  net::steady_timer timer(ex);
  for (int i = 0; i < 3; ++i)
  {
    timer.expires_after(std::chrono::microseconds(100 * ((n + i) % 4)));
    co_await timer.async_wait(net::use_awaitable);
    r.step(n);
    co_await net::post(ex, net::use_awaitable);
    r.step(n);
  }
  {
    auto g = id.set(n + 1000);
    for (int i = 0; i < 3; ++i)
    {
      timer.expires_after(std::chrono::microseconds(100 * ((n + i) % 3)));
      co_await timer.async_wait(net::use_awaitable);
      r.step(n + 1000);
    }
  }
  r.step(n);
  co_await net::post(ex, net::use_awaitable);
  r.step(n);
}

constexpr int worker_steps = 1 + 6 + 3 + 2;

} // namespace

BOOST_FIXTURE_TEST_SUITE(test_coroutine, test::clean_thread)

BOOST_DATA_TEST_CASE(co_spawn_on_wrapped_executor, thread_counts, threads)
{
  paths::recorder r;
  test::on_threads(threads, [&](net::io_context& ioc) {
    auto ex = al::make_executor(ioc);
    for (int n = 1; n <= 50; ++n)
      id.run(n, [&] { net::co_spawn(ex, worker(n, r), net::detached); });
  });
  r.check(50 * worker_steps);
}

BOOST_DATA_TEST_CASE(co_spawn_on_strand_of_wrapped_executor, thread_counts, threads)
{
  // All coroutines share one strand: interleaved on it.
  paths::recorder r;
  test::on_threads(threads, [&](net::io_context& ioc) {
    auto s = net::make_strand(al::make_executor(ioc));
    for (int n = 1; n <= 50; ++n)
      id.run(n, [&] { net::co_spawn(s, worker(n, r), net::detached); });
  });
  r.check(50 * worker_steps);
}

namespace {

net::awaitable<void> child(int inherited, paths::recorder& r)
{
  r.step(inherited);
  auto g = id.set(inherited + 1);
  net::steady_timer timer(co_await net::this_coro::executor, 1ms);
  co_await timer.async_wait(net::use_awaitable);
  r.step(inherited + 1);
}

} // namespace

BOOST_DATA_TEST_CASE(child_awaitable_inherits_and_its_bindings_end_with_it,
    thread_counts, threads)
{
  paths::recorder r;
  test::on_threads(threads, [&](net::io_context& ioc) {
    auto ex = al::make_executor(ioc);
    id.run(1, [&] {
      net::co_spawn(ex, [&]() -> net::awaitable<void> {
        auto g = id.set(10);
        co_await child(10, r);
        r.step(10);
        net::steady_timer timer(co_await net::this_coro::executor, 1ms);
        co_await timer.async_wait(net::use_awaitable);
        r.step(10);
      }, net::detached);
    });
  });
  r.check(4);
}

BOOST_DATA_TEST_CASE(nested_co_spawn_inherits_the_spawners_context,
    thread_counts, threads)
{
  paths::recorder r;
  test::on_threads(threads, [&](net::io_context& ioc) {
    auto ex = al::make_executor(ioc);
    id.run(1, [&] {
      net::co_spawn(ex, [&]() -> net::awaitable<void> {
        auto g = id.set(7);
        // The child starts in 7; the parent's later changes stay on its side.
        net::co_spawn(co_await net::this_coro::executor,
            [&]() -> net::awaitable<void> {
          r.step(7);
          net::steady_timer timer(co_await net::this_coro::executor, 2ms);
          co_await timer.async_wait(net::use_awaitable);
          r.step(7);
          auto mine = id.set(70);
          timer.expires_after(2ms);
          co_await timer.async_wait(net::use_awaitable);
          r.step(70);
        }, net::detached);
        auto later = id.set(8);
        net::steady_timer timer(co_await net::this_coro::executor, 3ms);
        co_await timer.async_wait(net::use_awaitable);
        r.step(8);
      }, net::detached);
    });
  });
  r.check(4);
}

namespace {

net::awaitable<void> branch(int expected, paths::recorder& r,
    std::chrono::milliseconds delay)
{
  r.step(expected);
  net::steady_timer timer(co_await net::this_coro::executor, delay);
  try
  {
    co_await timer.async_wait(net::use_awaitable);
  }
  catch (system_error const&)
  {
    // The loser of ||: cancelled, and still in its own context.
  }
  r.step(expected);
}

} // namespace

BOOST_DATA_TEST_CASE(awaitable_operators, thread_counts, threads)
{
  using namespace net::experimental::awaitable_operators;
  paths::recorder r;
  test::on_threads(threads, [&](net::io_context& ioc) {
    auto ex = al::make_executor(ioc);
    id.run(1, [&] {
      net::co_spawn(ex, [&]() -> net::awaitable<void> {
        auto g = id.set(5);
        co_await (branch(5, r, 1ms) && branch(5, r, 2ms));
        r.step(5);
        co_await (branch(5, r, 1ms) || branch(5, r, std::chrono::hours(1)));
        r.step(5);
      }, net::detached);
    });
  });
  r.check(10);
}

BOOST_DATA_TEST_CASE(use_awaitable_with_as_tuple_and_redirect_error,
    thread_counts, threads)
{
  paths::recorder r;
  error_code e1, e2, e3;
  test::on_threads(threads, [&](net::io_context& ioc) {
    auto ex = al::make_executor(ioc);
    id.run(3, [&] {
      net::co_spawn(ex, [&]() -> net::awaitable<void> {
        net::steady_timer timer(co_await net::this_coro::executor, 1ms);
        std::tie(e1) =
          co_await timer.async_wait(net::as_tuple(net::use_awaitable));
        r.step(3);
        timer.expires_after(1ms);
        co_await timer.async_wait(net::redirect_error(net::use_awaitable, e2));
        r.step(3);
        // A failing operation: the error arrives in the initiator's context.
        // (Nothing listens on a port just closed on loopback.)
        net::ip::tcp::endpoint closed;
        {
          net::ip::tcp::acceptor a(ioc, {net::ip::address_v4::loopback(), 0});
          closed = a.local_endpoint();
        }
        net::ip::tcp::socket socket(co_await net::this_coro::executor);
        co_await socket.async_connect(closed,
            net::redirect_error(net::use_awaitable, e3));
        r.step(3);
      }, net::detached);
    });
  });
  r.check(3);
  BOOST_TEST(!e1);
  BOOST_TEST(!e2);
  BOOST_TEST(e3 == net::error::connection_refused);
}

BOOST_AUTO_TEST_CASE(thread_local_is_wrong_across_co_await)
{
  // The failure that motivates the library: on a plain executor, a
  // thread_local read after co_await shows whichever coroutine wrote last.
  static thread_local int current_request = 0;
  std::vector<int> seen_thread_local;
  std::vector<int> seen_async_local;
  test::io_context ioc(1);
  auto ex = al::make_executor(ioc);
  auto request = [&](int n, std::chrono::milliseconds d)
      -> net::awaitable<void> {
    current_request = n;
    net::steady_timer timer(co_await net::this_coro::executor, d);
    co_await timer.async_wait(net::use_awaitable);
    seen_thread_local.push_back(current_request);
    seen_async_local.push_back(id.value_or(-1));
  };
  id.run(1, [&] { net::co_spawn(ex, request(1, 2ms), net::detached); });
  id.run(2, [&] { net::co_spawn(ex, request(2, 1ms), net::detached); });
  ioc.run();
  // Request 2 finishes first; then request 1 reads request 2's value.
  BOOST_TEST(seen_thread_local == (std::vector<int>{2, 2}),
      boost::test_tools::per_element());
  BOOST_TEST(seen_async_local == (std::vector<int>{2, 1}),
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

#endif // defined(BOOST_ASYNC_LOCAL_TEST_CO_AWAIT)
