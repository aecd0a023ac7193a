//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Inheritance policy: a variable declared inheritance::continuations_only
// is seen by the code that binds it and its continuations, not by work
// spawned from it. Each path, spawn and continuation, on its own.

#include <boost/async_local/variable.hpp>

#include <boost/async_local/bind.hpp>
#include <boost/async_local/executor.hpp>
#include <boost/async_local/resource.hpp>
#include <boost/async_local/snapshot.hpp>
#include <boost/async_local/zone.hpp>

#include "common.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace al = boost::async_local;
using namespace std::chrono_literals;

namespace {

al::variable<int> local("local", al::inheritance::continuations_only);
al::variable<int> inherited("inherited");

// What a handler sees: the local variable's value (-1: unbound), and
// whether the inherited one is still there (it always must be).
struct seen
{
  int local;
  bool inherited;
};

seen look()
{
  return {local.value_or(-1), inherited.value_or(-1) == 7};
}

// Runs `start(ex, ioc, record)` inside both bindings (local 1, inherited
// 7), then the io_context; returns what each recorded handler saw.
template <class Start>
std::vector<seen> from_a_binding(Start start)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  std::vector<seen> out;
  auto record = [&] { out.push_back(look()); };
  inherited.run(7, [&] {
    local.run(1, [&] {
      start(ex, ioc, record);
      // The binding stays where it was made.
      BOOST_TEST(local.value_or(-1) == 1);
    });
  });
  ioc.run();
  for (seen const& s : out)
    BOOST_TEST(s.inherited);
  return out;
}

std::vector<int> locals(std::vector<seen> const& v)
{
  std::vector<int> out;
  for (seen const& s : v)
    out.push_back(s.local);
  return out;
}

// A composed operation of two timer steps and a step posted as Asio's own
// operations post (the step is the operation, with its executor): reads in
// each step.
template <class Executor, class Record, class Token>
auto async_steps(Executor ex, Record record, Token&& token)
{
  auto timer = std::make_shared<net::steady_timer>(ex);
  return net::async_compose<Token, void(error_code)>(
      [ex, timer, record, step = 0](auto& self, error_code = {}) mutable
      {
        record();
        switch (step++)
        {
        case 0:
        case 1:
          timer->expires_after(1ms);
          return timer->async_wait(std::move(self));
        case 2:
          return net::post(ex, std::move(self));
        default:
          self.complete(error_code());
        }
      },
      token, ex);
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(test_inheritance, test::clean_thread)

// ---- spawns: the local variable stays behind --------------------------

BOOST_AUTO_TEST_CASE(post_and_dispatch_spawn)
{
  auto v = from_a_binding([](auto ex, auto&, auto record) {
    net::post(ex, record);
    net::dispatch(ex, record);  // outside a handler of ex: queued
  });
  BOOST_TEST(locals(v) == (std::vector<int>{-1, -1}),
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(dispatch_run_inline_is_a_spawn_too)
{
  auto v = from_a_binding([](auto ex, auto&, auto record) {
    net::post(ex, [ex, record] {
      // In a handler that has it, for the test: bind it here.
      local.run(2, [&] {
        net::dispatch(ex, record);  // runs at once
        record();
      });
    });
  });
  BOOST_TEST(locals(v) == (std::vector<int>{-1, 2}),
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_strand_post_spawns)
{
  auto v = from_a_binding([](auto ex, auto& ioc, auto record) {
    auto strand = al::make_strand(ioc.get_executor());
    net::post(strand, record);
    net::dispatch(strand, record);
    (void)ex;
  });
  BOOST_TEST(locals(v) == (std::vector<int>{-1, -1}),
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(what_a_spawn_starts_continues_without_it)
{
  // The spawned handler's own continuations do not get it back.
  auto v = from_a_binding([](auto ex, auto&, auto record) {
    net::post(ex, [ex, record] {
      auto t = std::make_shared<net::steady_timer>(ex, 1ms);
      t->async_wait([t, record](error_code) { record(); });
    });
  });
  BOOST_TEST(locals(v) == (std::vector<int>{-1}),
      boost::test_tools::per_element());
}

#if defined(BOOST_ASYNC_LOCAL_TEST_CO_AWAIT)
BOOST_AUTO_TEST_CASE(co_spawn_spawns)
{
  auto v = from_a_binding([](auto ex, auto&, auto record) {
    net::co_spawn(ex, [record]() -> net::awaitable<void> {
      record();
      co_return;
    }, net::detached);
  });
  BOOST_TEST(locals(v) == (std::vector<int>{-1}),
      boost::test_tools::per_element());
}
#endif

#if BOOST_ASYNC_LOCAL_TEST_SPAWN
BOOST_AUTO_TEST_CASE(stackful_spawn_spawns)
{
  auto v = from_a_binding([](auto ex, auto&, auto record) {
    net::spawn(ex, [record](net::yield_context) { record(); },
        net::detached);
  });
  BOOST_TEST(locals(v) == (std::vector<int>{-1}),
      boost::test_tools::per_element());
}
#endif

// ---- continuations: the local variable follows ------------------------

BOOST_AUTO_TEST_CASE(an_operations_completion_continues)
{
  auto v = from_a_binding([](auto ex, auto&, auto record) {
    auto t = std::make_shared<net::steady_timer>(ex, 1ms);
    t->async_wait([t, record](error_code) { record(); });
  });
  BOOST_TEST(locals(v) == (std::vector<int>{1}),
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(defer_continues)
{
  auto v = from_a_binding([](auto ex, auto&, auto record) {
    net::defer(ex, record);
  });
  BOOST_TEST(locals(v) == (std::vector<int>{1}),
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(every_step_of_a_composed_operation_continues)
{
  int completed = 0;
  auto v = from_a_binding([&](auto ex, auto&, auto record) {
    async_steps(ex, record, [&, record](error_code) {
      record();
      ++completed;
    });
  });
  BOOST_TEST(completed == 1);
  // The initiation's step, two timer steps, a posted step, the handler.
  BOOST_TEST(locals(v) == (std::vector<int>{1, 1, 1, 1, 1}),
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_handler_with_an_executor_of_its_own_continues)
{
  // Asio dispatches it as work tracked on its executor: the same as an
  // operation's step.
  auto v = from_a_binding([](auto ex, auto& ioc, auto record) {
    auto strand = al::make_strand(ioc.get_executor());
    net::post(ex, net::bind_executor(strand, record));
  });
  BOOST_TEST(locals(v) == (std::vector<int>{1}),
      boost::test_tools::per_element());
}

#if defined(BOOST_ASYNC_LOCAL_TEST_CO_AWAIT)
BOOST_AUTO_TEST_CASE(co_await_continues)
{
  // Bound inside the coroutine (its start was a spawn), across a timer and
  // across a post of the coroutine itself.
  auto v = from_a_binding([](auto ex, auto&, auto record) {
    net::co_spawn(ex, [record]() -> net::awaitable<void> {
      auto g = local.set(3);
      auto ex = co_await net::this_coro::executor;
      net::steady_timer t(ex, 1ms);
      co_await t.async_wait(net::use_awaitable);
      record();
      co_await net::post(ex, net::use_awaitable);
      record();
      co_await net::dispatch(ex, net::use_awaitable);
      record();
    }, net::detached);
  });
  BOOST_TEST(locals(v) == (std::vector<int>{3, 3, 3}),
      boost::test_tools::per_element());
}
#endif

// ---- explicit captures take everything --------------------------------

BOOST_AUTO_TEST_CASE(snapshots_binders_and_resources_keep_it)
{
  auto v = from_a_binding([](auto ex, auto& ioc, auto record) {
    al::snapshot::current().run(record);
    net::post(ioc, al::bind_snapshot(record));
    auto r = std::make_shared<al::resource>("job");
    net::post(ioc, [r, record] { r->run(record); });
    (void)ex;
  });
  BOOST_TEST(locals(v) == (std::vector<int>{1, 1, 1}),
      boost::test_tools::per_element());
}

// ---- what else holds ---------------------------------------------------

BOOST_AUTO_TEST_CASE(a_spawn_keeps_its_zone)
{
  al::zone z("z");
  std::vector<bool> in_zone;
  from_a_binding([&](auto ex, auto&, auto) {
    z.run([&] {
      net::post(ex, [&] { in_zone.push_back(al::zone::current() == z); });
    });
  });
  BOOST_TEST(in_zone == std::vector<bool>{true},
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_spawn_from_only_the_local_binding_is_empty)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  bool empty = false;
  local.run(1, [&] {
    net::post(ex, [&] { empty = al::snapshot::current().empty(); });
  });
  ioc.run();
  BOOST_TEST(empty);
}

BOOST_AUTO_TEST_CASE(disable_keeps_the_policy)
{
  al::variable<int> v(al::inheritance::continuations_only);
  v.disable();
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  int spawned = 0;
  v.run(1, [&] { net::post(ex, [&] { spawned = v.value_or(-1); }); });
  ioc.run();
  BOOST_TEST(spawned == -1);
}

BOOST_AUTO_TEST_CASE(a_watched_local_variable_reports_the_spawn)
{
  std::vector<int> currents;
  {
    al::variable<int> v("v",
        [&](int const*, int const* c, bool) { currents.push_back(c ? *c : -1); },
        al::inheritance::continuations_only);
    test::io_context ioc;
    auto ex = al::make_executor(ioc.get_executor());
    v.run(1, [&] { net::post(ex, [] {}); });
    ioc.run();
  }
  // Bound and left; the spawned handler ran in the empty context, so it
  // changed nothing the thread saw.
  BOOST_TEST(currents == (std::vector<int>{1, -1}),
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(spawns_and_continuations_on_two_threads)
{
  int const requests = 200;
  std::atomic<int> spawned_saw{0};
  std::atomic<int> continued_lost{0};
  std::atomic<int> ran{0};
  {
    test::io_context ioc(2);
    auto ex = al::make_executor(ioc.get_executor());
    for (int i = 0; i < requests; ++i)
      net::post(ioc, [&, i] {
        local.run(i, [&, i] {
          net::post(ex, [&] {
            if (local.get())
              ++spawned_saw;
            ++ran;
          });
          auto t = std::make_shared<net::steady_timer>(ex, 1ms);
          t->async_wait([&, t, i](error_code) {
            if (local.value_or(-1) != i)
              ++continued_lost;
            ++ran;
          });
        });
      });
    std::thread other([&] { ioc.run(); });
    ioc.run();
    other.join();
  }
  BOOST_TEST(ran == 2 * requests);
  BOOST_TEST(spawned_saw == 0);
  BOOST_TEST(continued_lost == 0);
}

BOOST_AUTO_TEST_SUITE_END()
