//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Every other way Asio offers to write asynchronous code, on a propagating
// executor: stackful spawn, futures, deferred operations and their
// composition, parallel groups, channels, promises, coro, co_composed,
// any_completion_handler and cancellation.

#include <boost/async_local/executor.hpp>

// g++ 12 reports (from the optimiser, so for the whole file) Asio 1.81's co_composed promise (class-specific operator new
// with placement arguments, operator delete without) as mismatched; the pair
// is Asio's, and correct.
#if defined(__GNUC__) && !defined(__clang__)
# pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include "paths.hpp"

#include "net.hpp"
#include <boost/async_local/bind.hpp>
#include <boost/test/data/test_case.hpp>

#include <future>
#include <optional>
#include <thread>

namespace al = boost::async_local;
namespace data = boost::unit_test::data;
using paths::id;
using namespace std::chrono_literals;

namespace {

auto const thread_counts = data::make({1, 2});

using wrapped_executor = al::propagating_executor<net::io_context::executor_type>;

} // namespace

BOOST_FIXTURE_TEST_SUITE(test_tokens, test::clean_thread)

#if BOOST_ASYNC_LOCAL_TEST_SPAWN
BOOST_TEST_DECORATOR(
    *boost::unit_test::enable_if<test::stackful_coroutines_supported>())
BOOST_DATA_TEST_CASE(stackful_spawn, thread_counts, threads)
{
  paths::recorder r;
  test::on_threads(threads, [&](net::io_context& ioc) {
    auto ex = al::make_executor(ioc);
    for (int n = 1; n <= 20; ++n)
      id.run(n, [&] {
        net::spawn(ex, [&r, n](net::yield_context yield) {
          r.step(n);
          net::steady_timer timer(yield.get_executor());
          for (int i = 0; i < 3; ++i)
          {
            timer.expires_after(std::chrono::microseconds(100 * ((n + i) % 4)));
            timer.async_wait(yield);
            r.step(n);
          }
          auto g = id.set(n + 1000);
          timer.expires_after(1ms);
          timer.async_wait(yield);
          net::post(yield);
          r.step(n + 1000);
          g.restore();
          timer.async_wait(yield);
          r.step(n);
        }, net::detached);
      });
  });
  r.check(20 * 6);
}
#endif // BOOST_ASYNC_LOCAL_TEST_SPAWN

BOOST_AUTO_TEST_CASE(use_future)
{
  // use_future's handler carries its own executor, which runs the packaged
  // function; bound, the function runs in the initiating context. get() on
  // another thread leaves that thread's context alone.
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  net::steady_timer timer(ex, 1ms);
  std::future<int> f = id.run(4, [&] {
    return timer.async_wait(al::bind_snapshot(net::use_future([](error_code) {
      return id.value_or(-1);
    })));
  });
  std::thread runner([&] { ioc.run(); });
  int got = id.run(9, [&] {
    int v = f.get();
    BOOST_TEST(id.value_or(-1) == 9);
    return v;
  });
  runner.join();
  BOOST_TEST(got == 4);
}

BOOST_AUTO_TEST_CASE(deferred_captures_at_launch_and_composition_keeps_it)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  paths::recorder r;
  net::steady_timer t1(ex, 1ms), t2(ex, 1ms), t3(ex, 1ms);

  // Made in 1, launched in 2: the launch is the initiation.
  auto op = id.run(1, [&] { return t1.async_wait(net::deferred); });
  id.run(2, [&] { std::move(op)(r.expect(2)); });

  // | deferred(...): the continuation and the final handler run in 3.
  auto chain = t2.async_wait(net::deferred)
    | net::deferred([&](error_code) {
        r.step(3);
        return net::post(ex, net::deferred);
      });
  id.run(3, [&] { std::move(chain)(r.expect(3)); });

  // deferred.when(...).then(...).otherwise(...)
  auto branch = t3.async_wait(net::deferred)
    | net::deferred([&](error_code ec) {
        r.step(4);
        return net::deferred.when(!ec)
          .then(net::post(ex, net::deferred))
          .otherwise(net::post(ex, net::deferred));
      });
  id.run(4, [&] { std::move(branch)(r.expect(4)); });

  ioc.run();
  r.check(5);
}

BOOST_DATA_TEST_CASE(parallel_group, thread_counts, threads)
{
  paths::recorder r;
  std::optional<net::steady_timer> t1, t2;
  test::on_threads(threads, [&](net::io_context& ioc) {
    auto ex = al::make_executor(ioc);
    t1.emplace(ex, 1ms);
    t2.emplace(ex, 2ms);
    id.run(5, [&] {
      net::experimental::make_parallel_group(
          t1->async_wait(net::deferred)
            | net::deferred([&](error_code) {
                r.step(5);  // a step inside the group
                return net::deferred.values(error_code());
              }),
          t2->async_wait(net::deferred))
        .async_wait(net::experimental::wait_for_all(),
            [&](auto, error_code, error_code) { r.step(5); });
    });
  }, [&] { t1.reset(); t2.reset(); });
  r.check(2);
}

template <class Channel>
void channel_handlers_run_in_their_initiators_context(int threads)
{
  paths::recorder r;
  std::optional<Channel> ch;
  test::on_threads(threads, [&](net::io_context& ioc) {
    ch.emplace(al::make_executor(ioc), 0);
    id.run(5, [&] { ch->async_receive(r.expect(5)); });
    id.run(6, [&] { ch->async_send(error_code(), 42, r.expect(6)); });
    id.run(7, [&] { ch->async_send(error_code(), 43, r.expect(7)); });
    id.run(8, [&] { ch->async_receive(r.expect(8)); });
  }, [&] { ch.reset(); });
  r.check(4);
}

BOOST_DATA_TEST_CASE(channel, thread_counts, threads)
{
  channel_handlers_run_in_their_initiators_context<
    net::experimental::channel<wrapped_executor, void(error_code, int)>>(
      threads);
}

BOOST_DATA_TEST_CASE(concurrent_channel, thread_counts, threads)
{
  channel_handlers_run_in_their_initiators_context<
    net::experimental::concurrent_channel<wrapped_executor,
      void(error_code, int)>>(threads);
}

namespace {

// A user operation that type-erases its handler and completes it later.
template <class Timer, class Token>
auto async_erased_wait(Timer& timer, Token&& token)
{
  return net::async_initiate<Token, void(error_code)>(
      [](net::any_completion_handler<void(error_code)> h, Timer* t) {
        t->async_wait(std::move(h));
      }, token, &timer);
}

} // namespace

BOOST_DATA_TEST_CASE(any_completion_handler, thread_counts, threads)
{
  paths::recorder r;
  std::optional<net::steady_timer> timer;
  std::optional<net::any_completion_handler<void(error_code)>> stored;
  test::on_threads(threads, [&](net::io_context& ioc) {
    timer.emplace(al::make_executor(ioc), 1ms);
    id.run(9, [&] { async_erased_wait(*timer, r.expect(9)); });
    // Stored now, invoked later from outside any context: a bound handler
    // keeps its snapshot through the type erasure.
    id.run(10, [&] { stored.emplace(al::bind_snapshot(r.expect(10))); });
  }, [&] { timer.reset(); });
  std::move(*stored)(error_code());
  r.check(2);
}

BOOST_DATA_TEST_CASE(cancellation_completes_in_the_initiators_context,
    thread_counts, threads)
{
  paths::recorder r;
  net::cancellation_signal sig;
  std::optional<net::steady_timer> timer;
  error_code result;
  test::on_threads(threads, [&](net::io_context& ioc) {
    timer.emplace(al::make_executor(ioc), std::chrono::hours(1));
    id.run(11, [&] {
      timer->async_wait(net::bind_cancellation_slot(sig.slot(),
          [&, h = r.expect(11)](error_code ec) mutable { result = ec; h(); }));
    });
    // Emitted from a handler in another context.
    id.run(12, [&] {
      net::post(timer->get_executor(), [&] {
        sig.emit(net::cancellation_type::terminal);
      });
    });
  }, [&] { timer.reset(); });
  r.check(1);
  BOOST_TEST(result == net::error::operation_aborted);
}

#if defined(BOOST_ASYNC_LOCAL_TEST_CO_AWAIT)

BOOST_DATA_TEST_CASE(promise, thread_counts, threads)
{
  // A promise invokes its waiter's handler directly from the promised
  // operation's completion, so an unbound waiter runs in the context the
  // operation started in. A waiter that wants its own binds its handler;
  // a coroutine that awaits a promise it made stays in its own context.
  paths::recorder r;
  std::optional<net::steady_timer> t1, t2, t3;
  std::optional<decltype(t1->async_wait(net::experimental::use_promise))> p;
  std::optional<decltype(t3->async_wait(
      al::bind_snapshot(net::experimental::use_promise)))> bound;
  test::on_threads(threads, [&](net::io_context& ioc) {
    auto ex = al::make_executor(ioc);
    t1.emplace(ex, 1ms);
    t2.emplace(ex, 1ms);
    t3.emplace(ex, 1ms);
    // (A promise cancels its operation when destroyed: keep it.)
    id.run(13, [&] {
      p.emplace(t1->async_wait(net::experimental::use_promise));
    });
    id.run(14, [&] { (*p)(al::bind_snapshot(r.expect(14))); });
    // A bound use_promise: the promise still lives on the I/O executor.
    id.run(18, [&] {
      auto bp = t3->async_wait(al::bind_snapshot(net::experimental::use_promise));
      static_assert(std::is_same<decltype(bp), net::experimental::promise<
          void(error_code), net::any_io_executor>>::value,
          "the initiation's executor, not system_executor");
      bound.emplace(std::move(bp));
    });
    (*bound)(r.expect(18));
    id.run(17, [&] {
      net::co_spawn(ex, [&]() -> net::awaitable<void> {
        auto q = t2->async_wait(net::experimental::use_promise);
        co_await q(net::use_awaitable);
        r.step(17);
      }, net::detached);
    });
  }, [&] { p.reset(); bound.reset(); t1.reset(); t2.reset(); t3.reset(); });
  r.check(3);
}

namespace {

net::experimental::coro<void, int> delayed_value(net::any_io_executor ex)
{
  net::steady_timer timer(ex, 1ms);
  co_await timer.async_wait(net::experimental::use_coro);
  co_return id.value_or(-1);
}

} // namespace

BOOST_DATA_TEST_CASE(coro, thread_counts, threads)
{
  paths::recorder r;
  int value = 0;
  // The coro goes before its io_context does: destroying it uses the executor.
  std::optional<net::experimental::coro<void, int>> c;
  test::on_threads(threads, [&](net::io_context& ioc) {
    c.emplace(delayed_value(al::make_executor(ioc)));
    // Resumed in 15: the body runs, and completes, in 15.
    id.run(15, [&] {
      c->async_resume([&, h = r.expect(15)](std::exception_ptr, int v) mutable {
        value = v;
        h();
      });
    });
  }, [&] { c.reset(); });
  r.check(1);
  BOOST_TEST(value == 15);
}

namespace {

template <class Timer, class Token>
auto async_two_waits(Timer& timer, paths::recorder& r, int expected,
    Token&& token)
{
  return net::async_initiate<Token, void(error_code)>(
      net::experimental::co_composed<void(error_code)>(
        [](auto state, Timer& timer, paths::recorder& r, int expected) -> void
        {
          (void)state;
          r.step(expected);
          for (int i = 0; i < 2; ++i)
          {
            timer.expires_after(1ms);
            auto [ec] = co_await timer.async_wait(
                net::as_tuple(net::deferred));
            r.step(expected);
            if (ec)
              co_return {ec};
          }
          co_return {error_code()};
        }, timer),
      token, std::ref(timer), std::ref(r), expected);
}

} // namespace

BOOST_DATA_TEST_CASE(co_composed, thread_counts, threads)
{
  paths::recorder r;
  std::optional<net::steady_timer> timer;
  test::on_threads(threads, [&](net::io_context& ioc) {
    timer.emplace(al::make_executor(ioc));
    id.run(16, [&] { async_two_waits(*timer, r, 16, r.expect(16)); });
  }, [&] { timer.reset(); });
  r.check(4);
}

#endif // defined(BOOST_ASYNC_LOCAL_TEST_CO_AWAIT)

BOOST_AUTO_TEST_SUITE_END()
