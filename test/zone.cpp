//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// al::zone: a request's pending work, its errors, its cost and its deadline.

#include <boost/async_local/zone.hpp>

#include <boost/async_local/bind.hpp>
#include <boost/async_local/executor.hpp>
#include <boost/async_local/resource.hpp>
#include <boost/async_local/variable.hpp>

#include "common.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace al = boost::async_local;
using namespace std::chrono_literals;

namespace {

al::variable<int> id;

int value()
{
  int const* v = id.get();
  return v ? *v : -1;
}

// A composed operation of three steps, each a post through the handler's
// executor, as Asio's own are.
template <class Executor, class Token>
auto async_three_steps(Executor ex, Token&& token)
{
  return net::async_compose<Token, void(int)>(
      [ex, step = 0](auto& self) mutable
      {
        if (step++ < 3)
          return net::post(ex, std::move(self));
        self.complete(step);
      },
      token, ex);
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(test_zone, test::clean_thread)

BOOST_AUTO_TEST_CASE(a_default_zone_is_no_zone)
{
  al::zone z;
  BOOST_TEST(!z);
  BOOST_TEST(z.pending() == 0u);
  BOOST_TEST(z.name().empty());
  BOOST_TEST(!al::zone::current());
  BOOST_TEST(!z.deadline());
}

BOOST_AUTO_TEST_CASE(run_binds_the_zone_and_keeps_other_bindings)
{
  al::zone z("request");
  BOOST_TEST(z.name() == "request");
  id.run(4, [&] {
    z.run([&] {
      BOOST_TEST((al::zone::current() == z));
      BOOST_TEST(value() == 4);
    });
    BOOST_TEST(!al::zone::current());
  });
}

BOOST_AUTO_TEST_CASE(posts_are_pending_until_their_handlers_have_run)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  al::zone z("request");
  int ran = 0;
  z.run([&] {
    net::post(ex, [&] {
      ++ran;
      net::post(ex, [&] { ++ran; });  // started by a handler: the zone's too
      net::defer(ex, [&] { ++ran; });
    });
  });
  BOOST_TEST(z.pending() == 1u);
  BOOST_TEST(ioc.run_one() == 1u);
  BOOST_TEST(z.pending() == 2u);
  ioc.run();
  BOOST_TEST(ran == 3);
  BOOST_TEST(z.pending() == 0u);
  BOOST_TEST(z.stats().handlers_run == 3u);
}

BOOST_AUTO_TEST_CASE(work_outside_the_zone_is_not_counted)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  al::zone z("request");
  net::post(ex, [] {});
  id.run(1, [&] { net::post(ex, [] {}); });
  BOOST_TEST(z.pending() == 0u);
  ioc.run();
  BOOST_TEST(z.stats().handlers_run == 0u);
}

// A zone's binding is its context's last entry (its key is the largest),
// which is how work is told to be in a zone: true with few bindings and
// with more than the linear lookup's 8, bound before the zone or inside it.
BOOST_AUTO_TEST_CASE(the_zone_is_found_among_many_bindings)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  std::vector<std::unique_ptr<al::variable<int>>> vars;
  for (int i = 0; i < 12; ++i)
    vars.push_back(std::make_unique<al::variable<int>>());
  // Calls f with the first n variables bound.
  std::function<void(std::size_t, std::function<void()>)> bind_all =
      [&](std::size_t n, std::function<void()> f) {
        if (n == 0)
          return f();
        vars[n - 1]->run(int(n), [&] { bind_all(n - 1, f); });
      };
  for (std::size_t n : {std::size_t(0), std::size_t(3), std::size_t(12)})
  {
    al::zone z("request");
    bind_all(n, [&] {
      net::post(ex, [] {});  // outside the zone
      z.run([&] {
        net::post(ex, [] {});
        bind_all(n, [&] { net::post(ex, [] {}); });  // bound inside it
      });
    });
    BOOST_TEST(z.pending() == 2u, n << " bindings");
    ioc.run();
    ioc.restart();
    BOOST_TEST(z.pending() == 0u);
    BOOST_TEST(z.stats().handlers_run == 2u);
  }
}

BOOST_AUTO_TEST_CASE(timers_and_composed_operations_are_pending)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  net::steady_timer t(ex, 1ms);
  al::zone z("request");
  int result = 0;
  z.run([&] {
    t.async_wait([&](error_code) {
      async_three_steps(ex, [&](int r) { result = r; });
    });
  });
  BOOST_TEST(z.pending() >= 1u);
  ioc.run();
  BOOST_TEST(result == 4);
  BOOST_TEST(z.pending() == 0u);
  // The wait, then the composed operation's three steps and its end.
  BOOST_TEST(z.stats().handlers_run >= 5u);
}

BOOST_AUTO_TEST_CASE(strand_work_is_pending)
{
  test::io_context ioc;
  auto s = al::make_strand(ioc.get_executor());
  al::zone z("request");
  z.run([&] {
    for (int i = 0; i < 3; ++i)
      net::post(s, [] {});
  });
  BOOST_TEST(z.pending() == 3u);
  ioc.run();
  BOOST_TEST(z.pending() == 0u);
  BOOST_TEST(z.stats().handlers_run == 3u);
}

BOOST_AUTO_TEST_CASE(resources_are_pending_until_they_go)
{
  al::zone z("request");
  std::unique_ptr<al::resource> r;
  z.run([&] { r = std::make_unique<al::resource>("db"); });
  BOOST_TEST(z.pending() == 1u);
  r->run([] {});
  BOOST_TEST(z.stats().handlers_run == 1u);
  r.reset();
  BOOST_TEST(z.pending() == 0u);
}

BOOST_AUTO_TEST_CASE(child_work_counts_for_the_parent)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  al::zone parent("request");
  al::zone child;
  parent.run([&] {
    child = al::zone("query");
    BOOST_TEST((child.parent() == parent));
    child.run([&] { net::post(ex, [] {}); });
    net::post(ex, [] {});
  });
  BOOST_TEST(child.pending() == 1u);
  BOOST_TEST(parent.pending() == 2u);
  ioc.run();
  BOOST_TEST(parent.pending() == 0u);
  BOOST_TEST(child.stats().handlers_run == 1u);
  BOOST_TEST(parent.stats().handlers_run == 2u);
}

BOOST_AUTO_TEST_CASE(destroyed_unrun_work_is_no_longer_pending)
{
  al::zone z("request");
  {
    // Destroyed with its handlers unrun, on purpose: net::io_context.
    net::io_context ioc;
    auto ex = al::make_executor(ioc.get_executor());
    auto t = std::make_shared<net::steady_timer>(ex, 1h);
    z.run([&] {
      net::post(ex, [] {});
      t->async_wait([t](error_code) {});
    });
    t.reset();
    BOOST_TEST(z.pending() >= 2u);
  }
  BOOST_TEST(z.pending() == 0u);
  BOOST_TEST(z.stats().handlers_run == 0u);
}

BOOST_AUTO_TEST_CASE(pending_on_two_threads)
{
  al::zone z("request");
  std::atomic<int> ran{0};
  test::on_threads(2, [&](net::io_context& ioc) {
    auto ex = al::make_executor(ioc.get_executor());
    z.run([&] {
      for (int i = 0; i < 200; ++i)
        net::post(ex, [ex, &ran] {
          net::post(ex, [&ran] { ++ran; });
        });
    });
  });
  BOOST_TEST(ran == 200);
  BOOST_TEST(z.pending() == 0u);
  BOOST_TEST(z.stats().handlers_run == 400u);
}

#if defined(BOOST_ASYNC_LOCAL_TEST_CO_AWAIT)

BOOST_AUTO_TEST_CASE(a_coroutine_spawned_in_the_zone_is_pending)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  al::zone z("request");
  bool finished = false;
  z.run([&] {
    net::co_spawn(ex, [&]() -> net::awaitable<void> {
      net::steady_timer t(co_await net::this_coro::executor, 1ms);
      co_await t.async_wait(net::use_awaitable);
      BOOST_TEST((al::zone::current() == z));
      finished = true;
    }, net::detached);
  });
  BOOST_TEST(z.pending() >= 1u);
  ioc.run();
  BOOST_TEST(finished);
  BOOST_TEST(z.pending() == 0u);
}

#endif

// ---- async_wait_idle ----------------------------------------------------

BOOST_AUTO_TEST_CASE(wait_idle_completes_when_the_last_work_has_run)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  al::zone z("request");
  std::vector<std::string> order;
  z.run([&] {
    net::post(ex, [&] {
      order.push_back("first");
      net::post(ex, [&] { order.push_back("second"); });
    });
  });
  id.run(9, [&] {
    z.async_wait_idle(net::bind_executor(ioc, test::checked([&](error_code ec) {
      BOOST_TEST(!ec);
      BOOST_TEST(value() == 9);  // in the waiter's context
      BOOST_TEST(!al::zone::current());
      order.push_back("idle");
    })));
  });
  ioc.run();
  BOOST_TEST((order == std::vector<std::string>{"first", "second", "idle"}));
}

BOOST_AUTO_TEST_CASE(wait_idle_on_an_idle_zone_is_posted)
{
  test::io_context ioc;
  al::zone z("request");
  bool done = false;
  z.async_wait_idle(net::bind_executor(ioc, [&](error_code) { done = true; }));
  BOOST_TEST(!done);  // never inside the initiating function
  BOOST_TEST(ioc.run_one() == 1u);
  BOOST_TEST(done);
}

BOOST_AUTO_TEST_CASE(wait_idle_from_inside_the_zone_is_not_its_work)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  al::zone z("request");
  bool done = false;
  z.run([&] {
    net::post(ex, [] {});
    z.async_wait_idle(net::bind_executor(ex, [&](error_code) {
      BOOST_TEST(!al::zone::current());
      done = true;
    }));
  });
  BOOST_TEST(z.pending() == 1u);
  ioc.run();
  BOOST_TEST(done);
}

BOOST_AUTO_TEST_CASE(wait_idle_with_deferred_and_use_future)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  al::zone z("request");
  z.run([&] { net::post(ex, [] {}); });
  auto op = z.async_wait_idle(net::deferred);
  bool deferred_done = false;
  std::move(op)(net::bind_executor(ioc, [&](error_code) {
    deferred_done = true;
  }));
  std::future<void> f = z.async_wait_idle(net::use_future);
  BOOST_TEST((f.wait_for(0s) == std::future_status::timeout));
  ioc.run();
  BOOST_TEST(deferred_done);
  BOOST_TEST((f.wait_for(10s) == std::future_status::ready));
  f.get();
}

BOOST_AUTO_TEST_CASE(wait_idle_can_be_cancelled)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  al::zone z("request");
  net::steady_timer t(ex, 1h);
  z.run([&] { t.async_wait([](error_code) {}); });
  net::cancellation_signal sig;
  error_code got;
  bool done = false;
  z.async_wait_idle(net::bind_cancellation_slot(sig.slot(),
      net::bind_executor(ioc, [&](error_code ec) { got = ec; done = true; })));
  ioc.poll();
  BOOST_TEST(!done);
  sig.emit(net::cancellation_type::terminal);
  ioc.poll();
  BOOST_TEST(done);
  BOOST_TEST((got == net::error::operation_aborted));
  t.cancel();
  ioc.run();
}

#if defined(BOOST_ASYNC_LOCAL_TEST_CO_AWAIT)

BOOST_AUTO_TEST_CASE(wait_idle_in_a_coroutine)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  bool written = false, waited = false;
  net::co_spawn(ex, [&]() -> net::awaitable<void> {
    al::zone z("invocation");
    z.run([&] {
      auto t = std::make_shared<net::steady_timer>(ex, 2ms);
      t->async_wait([t, &written](error_code) { written = true; });
    });
    co_await z.async_wait_idle(net::use_awaitable);
    BOOST_TEST(written);
    waited = true;
  }, net::detached);
  ioc.run();
  BOOST_TEST(waited);
}

#endif

// ---- errors -------------------------------------------------------------

BOOST_AUTO_TEST_CASE(an_exception_goes_to_the_zone_and_run_goes_on)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  al::zone z("request");
  std::vector<std::string> seen;
  z.on_error([&](std::exception_ptr e) {
    BOOST_TEST(value() == 5);  // in the failing handler's context
    BOOST_TEST((al::zone::current() == z));
    try
    {
      std::rethrow_exception(e);
    }
    catch (std::exception const& x)
    {
      seen.push_back(x.what());
    }
  });
  bool other_ran = false;
  id.run(5, [&] {
    z.run([&] {
      net::post(ex, [] { throw std::runtime_error("boom"); });
    });
  });
  net::post(ex, [&] { other_ran = true; });
  BOOST_CHECK_NO_THROW(ioc.run());
  BOOST_TEST((seen == std::vector<std::string>{"boom"}));
  BOOST_TEST(other_ran);
  BOOST_TEST(z.pending() == 0u);
}

BOOST_AUTO_TEST_CASE(without_a_handler_the_exception_propagates)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  al::zone z("request");
  z.run([&] { net::post(ex, [] { throw std::runtime_error("boom"); }); });
  BOOST_CHECK_THROW(ioc.run(), std::runtime_error);
  BOOST_TEST(z.pending() == 0u);
  BOOST_TEST(value() == -1);
}

BOOST_AUTO_TEST_CASE(a_child_without_a_handler_uses_its_parents)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  al::zone parent("request");
  int caught = 0;
  parent.on_error([&](std::exception_ptr) { ++caught; });
  parent.run([&] {
    al::zone child("query");
    child.run([&] { net::post(ex, [] { throw 42; }); });
  });
  BOOST_CHECK_NO_THROW(ioc.run());
  BOOST_TEST(caught == 1);
}

BOOST_AUTO_TEST_CASE(a_throwing_error_handler_passes_to_the_enclosing_zone)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  al::zone parent("request");
  std::string outer;
  parent.on_error([&](std::exception_ptr e) {
    try
    {
      std::rethrow_exception(e);
    }
    catch (std::logic_error const& x)
    {
      outer = x.what();
    }
  });
  parent.run([&] {
    al::zone child("query");
    child.on_error([](std::exception_ptr) {
      throw std::logic_error("from the child's handler");
    });
    child.run([&] { net::post(ex, [] { throw std::runtime_error("x"); }); });
  });
  BOOST_CHECK_NO_THROW(ioc.run());
  BOOST_TEST(outer == "from the child's handler");
}

BOOST_AUTO_TEST_CASE(a_throwing_error_handler_with_no_parent_propagates)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  al::zone z("request");
  z.on_error([](std::exception_ptr) { throw std::logic_error("again"); });
  z.run([&] { net::post(ex, [] { throw std::runtime_error("x"); }); });
  BOOST_CHECK_THROW(ioc.run(), std::logic_error);
}

BOOST_AUTO_TEST_CASE(an_exception_from_a_resource_wrapper_is_routed)
{
  al::zone z("request");
  int caught = 0;
  z.on_error([&](std::exception_ptr) { ++caught; });
  std::function<void()> callback;
  z.run([&] {
    al::resource r("queue");
    callback = r.wrap([] { throw std::runtime_error("x"); });
  });
  BOOST_CHECK_NO_THROW(callback());
  BOOST_TEST(caught == 1);
  callback = nullptr;
  BOOST_TEST(z.pending() == 0u);
}

// ---- stats ----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(stats_time_the_runs)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  al::zone z("request");
  z.run([&] {
    net::post(ex, [] { std::this_thread::sleep_for(5ms); });
    net::post(ex, [ex] {
      // Dispatched inline inside a run of the zone: counted, not timed twice.
      net::dispatch(ex, [] { std::this_thread::sleep_for(5ms); });
    });
  });
  BOOST_TEST((z.stats().wall > 0ns));
  ioc.run();
  al::zone_stats const st = z.stats();
  BOOST_TEST(st.handlers_run == 3u);
  BOOST_TEST((st.busy >= 10ms));
  BOOST_TEST((st.wall >= st.busy));
  BOOST_TEST(st.pending == 0u);
  auto const wall = st.wall;
  std::this_thread::sleep_for(2ms);
  BOOST_TEST((z.stats().wall == wall));  // idle: the time it became idle
}

// ---- cancellation and deadlines --------------------------------------

BOOST_AUTO_TEST_CASE(cancel_aborts_bound_timers)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  net::steady_timer t(ioc, 1h);     // a plain timer: the bound handler counts
  net::steady_timer u(ex, 1h);      // a propagating one
  al::zone z("request");
  error_code a, b;
  z.run([&] {
    t.async_wait(al::bind_snapshot([&](error_code ec) { a = ec; }));
    u.async_wait(al::bind_snapshot([&](error_code ec) { b = ec; }));
  });
  ioc.poll();
  BOOST_TEST(!z.cancelled());
  net::post(ioc, [&] { z.cancel(); });
  ioc.run_for(1min);  // an hour's timer: fails rather than hangs
  BOOST_TEST(z.cancelled());
  BOOST_TEST((a == net::error::operation_aborted));
  BOOST_TEST((b == net::error::operation_aborted));
}

BOOST_AUTO_TEST_CASE(cancel_reaches_child_zones_and_spares_others)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  net::steady_timer t(ex, 1h), other(ex, 5ms);
  al::zone parent("request");
  al::zone unrelated("other");
  error_code a, b;
  parent.run([&] {
    al::zone child("query");
    child.run([&] {
      t.async_wait(al::bind_snapshot([&](error_code ec) { a = ec; }));
    });
  });
  unrelated.run([&] {
    other.async_wait(al::bind_snapshot([&](error_code ec) { b = ec; }));
  });
  net::post(ioc, [&] { parent.cancel(); });
  ioc.run_for(1min);  // an hour's timer: fails rather than hangs
  BOOST_TEST((a == net::error::operation_aborted));
  BOOST_TEST(!b);
  BOOST_TEST(!unrelated.cancelled());
}

BOOST_AUTO_TEST_CASE(cancel_aborts_a_bound_socket_read)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  net::ip::tcp::acceptor acceptor(ex, {net::ip::address_v4::loopback(), 0});
  net::ip::tcp::socket client(ex), server(ex);
  client.connect(acceptor.local_endpoint());
  acceptor.accept(server);
  al::zone z("request");
  char buf[4];
  error_code got;
  z.run([&] {
    net::async_read(server, net::buffer(buf),
        al::bind_snapshot([&](error_code ec, std::size_t) { got = ec; }));
  });
  ioc.poll();
  BOOST_TEST(z.pending() >= 1u);
  net::post(ioc, [&] { z.cancel(); });
  ioc.run_for(1min);  // an hour's timer: fails rather than hangs
  BOOST_TEST((got == net::error::operation_aborted));
  BOOST_TEST(z.pending() == 0u);
}

BOOST_AUTO_TEST_CASE(a_handler_that_ran_gives_its_slot_back)
{
  test::io_context ioc;
  net::steady_timer t(ioc, 1ms);
  al::zone z("request");
  int ran = 0;
  z.run([&] {
    t.async_wait(al::bind_snapshot([&](error_code) { ++ran; }));
  });
  ioc.run();
  BOOST_TEST(ran == 1);
  z.cancel();  // nothing left to emit on
  BOOST_TEST(z.cancelled());
}

BOOST_AUTO_TEST_CASE(the_deadline_cancels_pending_work)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  net::steady_timer t(ex, 1h);
  al::zone z(ex, "request");
  BOOST_TEST(!z.deadline());
  error_code got;
  auto const start = al::zone::clock_type::now();
  z.run([&] {
    t.async_wait(al::bind_snapshot([&](error_code ec) {
      got = ec;
      // Readable from the zone's handlers.
      BOOST_TEST(al::zone::current().deadline().has_value());
    }));
  });
  z.expires_after(5ms);
  BOOST_TEST(z.deadline().has_value());
  ioc.run_for(1min);  // an hour's timer: fails rather than hangs
  BOOST_TEST((got == net::error::operation_aborted));
  BOOST_TEST(z.cancelled());
  BOOST_TEST((al::zone::clock_type::now() - start < 30min));
}

BOOST_AUTO_TEST_CASE(an_idle_zone_does_not_keep_run_waiting_for_its_deadline)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  al::zone z(ex, "request");
  z.expires_after(1h);
  z.run([&] { net::post(ex, [] {}); });
  auto const start = std::chrono::steady_clock::now();
  ioc.run_for(1min);  // returns once the post has run, not in an hour
  BOOST_TEST((std::chrono::steady_clock::now() - start < 30min));
  BOOST_TEST(!z.cancelled());
}

BOOST_AUTO_TEST_CASE(a_child_deadline_is_no_later_than_its_parents)
{
  test::io_context ioc;
  al::zone parent(ioc.get_executor(), "request");
  parent.expires_after(1s);
  parent.run([&] {
    al::zone child("query");
    child.expires_after(1h);  // takes the parent's executor
    BOOST_TEST((child.deadline() == parent.deadline()));
  });
  al::zone no_executor("x");
  BOOST_CHECK_THROW(no_executor.expires_after(1s), std::logic_error);
}

#if defined(BOOST_ASYNC_LOCAL_TEST_CO_AWAIT)

BOOST_AUTO_TEST_CASE(cancel_reaches_a_coroutine_spawned_with_a_bound_token)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  al::zone z(ex, "request");
  error_code got;
  bool after = false;
  z.run([&] {
    net::co_spawn(ex, [&]() -> net::awaitable<void> {
      net::steady_timer t(co_await net::this_coro::executor, 1h);
      auto [ec] = co_await t.async_wait(net::as_tuple(net::use_awaitable));
      got = ec;
      after = true;
    }, al::bind_snapshot(net::detached));
  });
  z.expires_after(2ms);
  ioc.run_for(1min);  // an hour's timer: fails rather than hangs
  BOOST_TEST(after);
  BOOST_TEST((got == net::error::operation_aborted));
}

#endif

BOOST_AUTO_TEST_SUITE_END()
