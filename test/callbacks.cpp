//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Change callbacks: variable<T>(on_change), the bridge to libraries that
// keep a thread_local of their own.

#include <boost/async_local/variable.hpp>

#include <boost/async_local/bind.hpp>
#include <boost/async_local/enable.hpp>
#include <boost/async_local/executor.hpp>
#include <boost/async_local/flow.hpp>
#include <boost/async_local/hooks.hpp>
#include <boost/async_local/snapshot.hpp>
#include <boost/async_local/zone.hpp>

#include "common.hpp"
#include "initiations.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace al = boost::async_local;

namespace {

// What a library's own thread_local would hold: the callback copies the
// value in, as a logging MDC bridge does.
thread_local int mirror = -1;

struct event
{
  int previous;
  int current;
  bool context_switch;

  bool operator==(event const& o) const
  {
    return previous == o.previous && current == o.current
      && context_switch == o.context_switch;
  }
};

std::ostream& operator<<(std::ostream& os, event const& e)
{
  return os << '{' << e.previous << "->" << e.current
            << (e.context_switch ? " switch" : " own") << '}';
}

// Events of this thread, while a test records them.
thread_local std::vector<event>* events = nullptr;

int or_none(int const* p)
{
  return p ? *p : -1;
}

// Calls that found the mirror out of step with the change they report:
// counted, not tested here (Boost.Test's checks are for one thread).
std::atomic<int> out_of_step{0};

void on_change(int const* previous, int const* current, bool context_switch)
{
  // The thread's mirror must have followed every change before.
  if (mirror != or_none(previous))
    ++out_of_step;
  mirror = or_none(current);
  if (events)
    events->push_back({or_none(previous), or_none(current), context_switch});
}

al::variable<int> id("request", on_change);
al::variable<int> plain;

// Records the events of this thread while it lives.
struct recording
{
  recording()
  {
    events = &list;
  }

  ~recording()
  {
    events = nullptr;
  }

  std::vector<event> list;
};

// The mirror agrees with the variable; checked in every handler.
void check_mirror()
{
  BOOST_TEST(mirror == id.value_or(-1));
}

// Each test ends with every reported change in step with the mirror.
struct in_step : test::clean_thread
{
  ~in_step()
  {
    BOOST_TEST(out_of_step == 0);
    out_of_step = 0;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(test_callbacks, in_step)

BOOST_AUTO_TEST_CASE(run_and_exit_call_back_as_the_variables_own_changes)
{
  recording r;
  id.run(1, [] {
    BOOST_TEST(mirror == 1);
    id.run(2, [] {
      BOOST_TEST(mirror == 2);
      id.exit([] { BOOST_TEST(mirror == -1); });
    });
    BOOST_TEST(mirror == 1);
  });
  BOOST_TEST(mirror == -1);
  std::vector<event> const expected{{-1, 1, false}, {1, 2, false},
    {2, -1, false}, {-1, 2, false}, {2, 1, false}, {1, -1, false}};
  BOOST_TEST(r.list == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(set_assign_reset_and_disable_call_back)
{
  al::variable<int> v("v", on_change);
  recording r;
  {
    auto g = v.set(1);
    BOOST_TEST(mirror == 1);
    auto t = v.assign(2);
    BOOST_TEST(mirror == 2);
    v.reset(std::move(t));
    BOOST_TEST(mirror == 1);
    auto t2 = v.assign(3);
    BOOST_TEST(mirror == 3);
    v.disable();
    BOOST_TEST(mirror == -1);
  }
  // The guard's binding was replaced by disable's context: leaving it
  // restores the empty context, where v was unbound already.
  BOOST_TEST(mirror == -1);
  std::vector<event> const expected{{-1, 1, false}, {1, 2, false},
    {2, 1, false}, {1, 3, false}, {3, -1, false}};
  BOOST_TEST(r.list == expected, boost::test_tools::per_element());
  r.list.clear();
  {
    auto g = v.set(4);
    BOOST_TEST(mirror == 4);
  }
  BOOST_TEST(mirror == -1);
  std::vector<event> const guarded{{-1, 4, false}, {4, -1, false}};
  BOOST_TEST(r.list == guarded, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_change_is_a_new_binding_not_a_new_value)
{
  recording r;
  id.run(1, [] {
    id.run(1, [] {});
    // Another variable, suppression and a snapshot of the same context
    // change nothing this variable sees.
    plain.run(5, [] {});
    al::snapshot::current().run([] {});
    auto g = al::suppress_flow();
    // A snapshot taken under suppression is of the empty context.
    al::snapshot::current().run([] { BOOST_TEST(mirror == -1); });
  });
  std::vector<event> const expected{{-1, 1, false}, {1, 1, false},
    {1, 1, false}, {1, -1, true}, {-1, 1, true}, {1, -1, false}};
  BOOST_TEST(r.list == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_handler_hop_calls_back_as_a_context_switch)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  recording r;
  id.run(7, [&] { net::post(ex, [] { check_mirror(); }); });
  r.list.clear();
  ioc.run();
  BOOST_TEST(mirror == -1);
  std::vector<event> const expected{{-1, 7, true}, {7, -1, true}};
  BOOST_TEST(r.list == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_mirror_follows_every_initiation_path)
{
  // In each handler, what the thread's mirror holds; the same paths with
  // the variable read show the test can tell (flow.cpp).
  std::vector<int> const mirrored = test::initiate_everywhere(id,
      [](auto initiate) {
        BOOST_TEST(mirror == 1);
        initiate();
      },
      [] { return mirror; });
  BOOST_TEST(!mirrored.empty());
  BOOST_TEST(mirrored == std::vector<int>(mirrored.size(), 1),
      boost::test_tools::per_element());
  BOOST_TEST(mirror == -1);
}

BOOST_AUTO_TEST_CASE(handlers_that_lose_the_value_are_reported_too)
{
  // Handlers run inside a binding of the variable (run() called in a
  // scope) that were initiated outside it, or under suppress_flow, or
  // bound to another snapshot: the value visible changes from the
  // enclosing one to none, and back.
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  al::snapshot const empty;
  std::vector<int> inside;
  auto record = [&] {
    check_mirror();
    inside.push_back(mirror);
  };
  net::post(ex, record);
  net::post(ioc, al::bind_snapshot(empty, record));
  recording r;
  id.run(3, [&] {
    ioc.run();
    ioc.restart();
    // dispatch runs inline in a handler of ioc: under suppression, in no
    // context, inside a handler that has one.
    net::post(ex, [&] {
      {
        auto g = al::suppress_flow();
        net::dispatch(ex, record);
      }
      BOOST_TEST(mirror == 3);
    });
    ioc.run();
    BOOST_TEST(mirror == 3);
  });
  BOOST_TEST(inside == std::vector<int>(3, -1),
      boost::test_tools::per_element());
  std::vector<event> const expected{{-1, 3, false},
    {3, -1, true}, {-1, 3, true},
    {3, -1, true}, {-1, 3, true},
    {3, -1, true}, {-1, 3, true},
    {3, -1, false}};
  BOOST_TEST(r.list == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(coroutines_call_back_when_they_suspend_and_resume)
{
#if defined(BOOST_ASYNC_LOCAL_TEST_CO_AWAIT)
  using namespace std::chrono_literals;
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  std::vector<int> inside;
  id.run(4, [&] {
    net::co_spawn(ex, [&]() -> net::awaitable<void> {
      for (int i = 0; i < 3; ++i)
      {
        inside.push_back(mirror);
        net::steady_timer t(co_await net::this_coro::executor, 1ms);
        co_await t.async_wait(net::use_awaitable);
        check_mirror();
        // A timer handler of another request in between.
        net::post(ioc, al::bind_snapshot(al::snapshot(), [&] {
          inside.push_back(mirror);
        }));
      }
    }, net::detached);
  });
  ioc.run();
  BOOST_TEST(mirror == -1);
  // The coroutine posts the other handler and goes on to its next wait
  // before that handler runs.
  std::vector<int> const expected{4, 4, -1, 4, -1, -1};
  BOOST_TEST(inside == expected, boost::test_tools::per_element());
#else
  BOOST_TEST_MESSAGE("no co_await: skipped");
#endif
}

BOOST_AUTO_TEST_CASE(a_coroutine_suspended_at_a_bound_await_calls_back)
{
#if defined(BOOST_ASYNC_LOCAL_TEST_CO_AWAIT)
  // On a plain executor: the thread lets go of the coroutine's context when
  // it suspends at a bound token, and the bound handler brings it back.
  using namespace std::chrono_literals;
  test::io_context ioc;
  int other = 0;
  int resumed = 0;
  recording r;
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    net::steady_timer timer(ioc, 1ms);
    auto g = id.set(2);
    net::post(ioc, [&] { other = mirror; });
    co_await timer.async_wait(al::bind_snapshot(net::use_awaitable));
    resumed = mirror;
  }, net::detached);
  ioc.run();
  BOOST_TEST(other == -1);
  BOOST_TEST(resumed == 2);
  BOOST_TEST(mirror == -1);
  // Set, suspended, resumed by the bound handler, the guard ends with the
  // coroutine. After that, the scopes the handler ran in unwind (the bound
  // handler's, inside its executor's: each puts back what it found, and
  // the last one the empty context); how many there are is Asio's.
  std::vector<event> const expected{{-1, 2, false}, {2, -1, true},
    {-1, 2, true}, {2, -1, false}};
  BOOST_TEST_REQUIRE(r.list.size() >= expected.size());
  BOOST_TEST(std::vector<event>(r.list.begin(), r.list.begin() + 4)
      == expected, boost::test_tools::per_element());
  BOOST_TEST(r.list.back().current == -1);
  BOOST_TEST(r.list.back().context_switch);
#else
  BOOST_TEST_MESSAGE("no co_await: skipped");
#endif
}

BOOST_AUTO_TEST_CASE(hops_with_a_hook_installed_and_in_a_zone_call_back)
{
  // With a hook installed (and in a zone, whose hook records what runs in
  // it) the handler runs as an operation: another way in and out.
  struct nothing : al::async_hooks
  {
  } hooks;
  std::vector<int> inside;
  {
    test::io_context ioc;
    auto ex = al::make_executor(ioc.get_executor());
    auto reg = al::install_hooks(hooks);
    id.run(5, [&] { net::post(ex, [&] { inside.push_back(mirror); }); });
    recording r;
    ioc.run();
    std::vector<event> const expected{{-1, 5, true}, {5, -1, true}};
    BOOST_TEST(r.list == expected, boost::test_tools::per_element());
  }
  {
    test::io_context ioc;
    auto ex = al::make_executor(ioc.get_executor());
    al::zone z("z");
    z.run([&] {
      id.run(6, [&] { net::post(ex, [&] { inside.push_back(mirror); }); });
    });
    recording r;
    ioc.run();
    std::vector<event> const expected{{-1, 6, true}, {6, -1, true}};
    BOOST_TEST(r.list == expected, boost::test_tools::per_element());
  }
  BOOST_TEST(inside == (std::vector<int>{5, 6}),
      boost::test_tools::per_element());
  BOOST_TEST(mirror == -1);
}

BOOST_AUTO_TEST_CASE(other_variables_and_zones_keep_their_bindings)
{
  // Watched entries sort after plain ones and before a zone's: every
  // lookup still finds its own.
  al::variable<int> a;
  al::variable<int> w([](int const*, int const*, bool) {});
  al::variable<int> b;
  recording r;
  a.run(1, [&] {
    w.run(2, [&] {
      b.run(3, [&] {
        id.run(4, [&] {
          al::zone z("z");
          z.run([&] {
            BOOST_TEST(a.value_or(-1) == 1);
            BOOST_TEST(w.value_or(-1) == 2);
            BOOST_TEST(b.value_or(-1) == 3);
            BOOST_TEST(id.value_or(-1) == 4);
            BOOST_TEST((al::zone::current() == z));
            BOOST_TEST(mirror == 4);
          });
        });
      });
    });
  });
  std::vector<event> const expected{{-1, 4, false}, {4, -1, false}};
  BOOST_TEST(r.list == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(nothing_is_called_while_propagation_is_off)
{
  recording r;
  al::set_enabled(false);
  id.run(1, [] {});
  al::set_enabled(true);
  BOOST_TEST(r.list.empty());
  // Off while a binding is current: the way out is not reported either.
  id.run(2, [] { al::set_enabled(false); });
  al::set_enabled(true);
  std::vector<event> const expected{{-1, 2, false}};
  BOOST_TEST(r.list == expected, boost::test_tools::per_element());
  mirror = -1;
}

BOOST_AUTO_TEST_CASE(a_destroyed_variable_is_never_called_back)
{
  std::atomic<int> calls{0};
  auto v = std::make_unique<al::variable<std::string>>(
      [&](std::string const*, std::string const*, bool) { ++calls; });
  std::optional<al::snapshot> kept;
  v->run("held", [&] { kept.emplace(al::snapshot::current()); });
  BOOST_TEST(calls == 2);
  v.reset();
  // The snapshot still holds the value, and with it the callback; running
  // it changes nothing a live variable can see.
  BOOST_TEST(!kept->empty());
  kept->run([] {});
  BOOST_TEST(calls == 2);
  kept.reset();
}

BOOST_AUTO_TEST_CASE(disable_stops_reports_of_older_values)
{
  std::atomic<int> calls{0};
  al::variable<int> v([&](int const*, int const* c, bool) {
    ++calls;
    (void)c;
  });
  al::snapshot s;
  v.run(1, [&] { s = al::snapshot::current(); });
  BOOST_TEST(calls == 2);
  v.disable();
  BOOST_TEST(!s.empty());
  s.run([] {});
  BOOST_TEST(calls == 2);
  v.run(2, [] {});
  BOOST_TEST(calls == 4);
}

BOOST_AUTO_TEST_CASE(a_callback_may_bind_and_initiate)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  int posted = 0;
  al::variable<int> nested([&](int const*, int const* c, bool sw) {
    if (c && !sw)
    {
      plain.run(*c, [&] { net::post(ex, [&] { ++posted; }); });
      // Even an assignment: the walk holds the contexts it compares.
      auto t = plain.assign(*c + 1);
      (void)t;
    }
  });
  nested.run(1, [] { BOOST_TEST(plain.value_or(-1) == 2); });
  ioc.run();
  BOOST_TEST(posted == 1);
}

BOOST_AUTO_TEST_CASE(disable_reports_the_loss_and_what_the_callback_binds)
{
  // The callback of the value disable takes away binds the variable again:
  // that binding is the variable's new identity's, and is reported.
  std::vector<event> seen;
  al::variable<int>* self = nullptr;
  al::variable<int> v([&](int const* p, int const* c, bool sw) {
    seen.push_back({or_none(p), or_none(c), sw});
    if (!c && seen.size() == 2)
      self->run(5, [&] { BOOST_TEST(self->value_or(-1) == 5); });
  });
  self = &v;
  {
    auto g = v.set(1);
    v.disable();
  }
  std::vector<event> const expected{{-1, 1, false}, {1, -1, false},
    {-1, 5, false}, {5, -1, false}};
  BOOST_TEST(seen == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_callback_of_disable_may_destroy_the_variable)
{
  // Under ASan, touching the variable after the call is a use after free.
  static std::unique_ptr<al::variable<int>> v;
  static int calls = 0;
  v = std::make_unique<al::variable<int>>([](int const*, int const* c, bool) {
    ++calls;
    if (!c)
      v.reset();
  });
  {
    auto g = v->set(1);
    v->disable();
  }
  BOOST_TEST(!v);
  BOOST_TEST(calls == 2);
}

BOOST_AUTO_TEST_CASE(changes_a_callback_makes_are_reported_after_it_in_order)
{
  // a's callback assigns b while the thread's context is being changed:
  // b's mirror must see the change that brought b in first, then the
  // assignment, and end with what b reads.
  int mirror_b = -1;
  int b_out_of_step = 0;
  std::vector<event> b_seen;
  al::variable<int>* bp = nullptr;
  al::variable<int> a([&](int const*, int const* c, bool sw) {
    if (c && *c == 1 && sw)
    {
      auto t = bp->assign(10);
      (void)t;
    }
  });
  al::variable<int> b([&](int const* p, int const* c, bool sw) {
    if (mirror_b != or_none(p))
      ++b_out_of_step;
    mirror_b = or_none(c);
    b_seen.push_back({or_none(p), or_none(c), sw});
  });
  bp = &b;
  al::snapshot s;
  a.run(1, [&] { b.run(2, [&] { s = al::snapshot::current(); }); });
  b_seen.clear();
  s.run([&] {
    BOOST_TEST(b.value_or(-1) == 10);
    BOOST_TEST(mirror_b == 10);
  });
  BOOST_TEST(b_out_of_step == 0);
  BOOST_TEST(mirror_b == -1);
  std::vector<event> const expected{{-1, 2, true}, {2, 10, false},
    {10, -1, true}};
  BOOST_TEST(b_seen == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_callback_that_switches_propagation_off_stops_the_rest)
{
  int b_calls = 0;
  al::variable<int> a([](int const*, int const* c, bool sw) {
    if (c && sw)
      al::set_enabled(false);
  });
  al::variable<int> b([&](int const*, int const*, bool) { ++b_calls; });
  al::snapshot s;
  a.run(1, [&] { b.run(2, [&] { s = al::snapshot::current(); }); });
  b_calls = 0;
  s.run([] {});
  al::set_enabled(true);
  BOOST_TEST(b_calls == 0);
}

BOOST_AUTO_TEST_CASE(callbacks_follow_handlers_across_two_threads)
{
  // Requests with their own ids hop across a strand, timers and posts on
  // two threads; in every handler the thread's mirror agrees with the
  // variable, and each thread ends its run with its mirror cleared.
  using namespace std::chrono_literals;
  int const requests = 200;
  std::atomic<int> checked{0};
  std::atomic<int> wrong{0};
  std::atomic<int> left_set{0};
  {
    test::io_context ioc(2);
    auto ex = al::make_executor(ioc.get_executor());
    auto strand = al::make_strand(ioc.get_executor());
    for (int i = 0; i < requests; ++i)
      net::post(ioc, [&, i] {
        id.run(i, [&, i] {
          auto step = [&, i] {
            if (mirror != i || id.value_or(-1) != i)
              ++wrong;
            ++checked;
          };
          net::post(ex, step);
          net::post(strand, [&, step] {
            step();
            auto t = std::make_shared<net::steady_timer>(ex, 1ms);
            t->async_wait([t, step](error_code) { step(); });
          });
          net::defer(ex, step);
        });
      });
    auto run = [&] {
      ioc.run();
      if (mirror != -1)
        ++left_set;
    };
    std::thread other(run);
    run();
    other.join();
  }
  BOOST_TEST(checked == 4 * requests);
  BOOST_TEST(wrong == 0);
  BOOST_TEST(left_set == 0);
}

BOOST_AUTO_TEST_SUITE_END()
