//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The off switch (al::set_enabled) and a variable's own disable().

#include <boost/async_local/enable.hpp>

#include <boost/async_local/bind.hpp>
#include <boost/async_local/executor.hpp>
#include <boost/async_local/resource.hpp>
#include <boost/async_local/snapshot.hpp>
#include <boost/async_local/variable.hpp>
#include <boost/async_local/zone.hpp>

#include "common.hpp"
#include "initiations.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace al = boost::async_local;
using namespace std::chrono_literals;

namespace {

al::variable<int> id;

int value()
{
  return id.value_or(-1);
}

// Switches propagation off for a scope.
struct switched_off
{
  switched_off() { al::set_enabled(false); }
  ~switched_off() { al::set_enabled(true); }
  switched_off(switched_off const&) = delete;
  switched_off& operator=(switched_off const&) = delete;
};

// Every test leaves the switch on, and its thread unbound.
struct fixture : test::clean_thread
{
  ~fixture()
  {
    BOOST_TEST(al::is_enabled(), "the test left propagation off");
    al::set_enabled(true);
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(test_enable, fixture)

BOOST_AUTO_TEST_CASE(on_by_default)
{
  BOOST_TEST(al::is_enabled());
  id.run(1, [] { BOOST_TEST(value() == 1); });
}

BOOST_AUTO_TEST_CASE(while_off_variables_read_and_bind_nothing)
{
  id.run(1, [] {
    {
      switched_off off;
      BOOST_TEST(!al::is_enabled());
      BOOST_TEST(id.get() == nullptr);
      BOOST_TEST(id.value_or(7) == 7);
      int calls = 0;
      int const r = id.run(2, [&](int a) {
        ++calls;
        BOOST_TEST(id.get() == nullptr);
        return a + 1;
      }, 41);
      BOOST_TEST(r == 42);
      id.exit([&] { ++calls; });
      BOOST_TEST(calls == 2);
      auto g = id.set(3);
      BOOST_TEST(!g.active());
      BOOST_TEST(al::snapshot::current().empty());
    }
    // The context was there all along: reads see it again.
    BOOST_TEST(value() == 1);
  });
}

BOOST_AUTO_TEST_CASE(work_initiated_while_off_runs_in_the_empty_context)
{
  // The same initiations with the switch on see the binding: the test can
  // tell.
  std::vector<int> const on =
    test::initiate_everywhere(id, [](auto initiate) { initiate(); });
  std::vector<int> const off =
    test::initiate_everywhere(id, [](auto initiate) {
      switched_off s;
      initiate();
    });
  BOOST_TEST(al::is_enabled());
  BOOST_TEST(on.size() == off.size());
  // Six paths, and a coroutine that reads twice where there is co_await.
#if defined(BOOST_ASYNC_LOCAL_TEST_CO_AWAIT)
  BOOST_TEST(on.size() == 8u);
#else
  BOOST_TEST(on.size() == 6u);
#endif
  BOOST_TEST(on == std::vector<int>(on.size(), 1),
      boost::test_tools::per_element());
  BOOST_TEST(off == std::vector<int>(off.size(), -1),
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(work_initiated_before_keeps_its_capture)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  net::steady_timer timer(ex, 1ms);
  std::vector<int> seen;
  id.run(1, [&] {
    net::post(ex, [&] {
      seen.push_back(value());  // off: reads nothing
      al::set_enabled(true);
      seen.push_back(value());  // on again: the captured context
    });
    timer.async_wait([&](error_code) { seen.push_back(value()); });
  });
  al::set_enabled(false);
  ioc.run();
  BOOST_TEST(seen == (std::vector<int>{-1, 1, 1}),
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(zones_count_nothing_run_while_off)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  al::zone z("request");
  {
    switched_off off;
    z.run([&] {
      BOOST_TEST(!al::zone::current());
      net::post(ex, [] {});
    });
  }
  BOOST_TEST(z.pending() == 0u);
  // On again, the zone counts as before.
  z.run([&] { net::post(ex, [] {}); });
  BOOST_TEST(z.pending() == 1u);
  ioc.run();
  BOOST_TEST(z.pending() == 0u);
  BOOST_TEST(z.stats().handlers_run == 1u);
}

// Two threads run chains of hops, each started in its own binding, while a
// third flips the switch: no hop ever sees another chain's value, and every
// chain ends (ThreadSanitizer checks the rest).
BOOST_AUTO_TEST_CASE(switching_while_two_threads_hop)
{
  constexpr int chains = 200;
  constexpr int hops = 50;
  net::thread_pool pool(2);
  using executor = decltype(al::make_executor(pool.get_executor()));
  executor ex = al::make_executor(pool.get_executor());
  std::atomic<int> wrong{0}, read{0}, done{0};
  std::atomic<bool> stop{false};
  std::thread flipper([&] {
    bool on = true;
    while (!stop.load())
    {
      on = !on;
      al::set_enabled(on);
      std::this_thread::yield();
    }
    al::set_enabled(true);
  });
  struct hop
  {
    executor ex;
    int chain;
    int left;
    std::atomic<int>* wrong;
    std::atomic<int>* read;
    std::atomic<int>* done;

    void operator()()
    {
      int const v = value();
      if (v == chain)
        ++*read;
      else if (v != -1)
        ++*wrong;
      if (left == 0)
      {
        ++*done;
        return;
      }
      hop next = *this;
      --next.left;
      net::post(ex, next);
    }
  };
  for (int c = 0; c < chains; ++c)
    id.run(c, [&] {
      net::post(ex, hop{ex, c, hops, &wrong, &read, &done});
    });
  pool.wait();
  stop = true;
  flipper.join();
  BOOST_TEST(done.load() == chains);
  BOOST_TEST(wrong.load() == 0);
  BOOST_TEST_MESSAGE(read.load() << " of " << chains * (hops + 1)
      << " hops read their chain's value while the switch flipped");
}

// ---- variable::disable --------------------------------------------------

BOOST_AUTO_TEST_CASE(disable_releases_the_current_contexts_values_now)
{
  al::variable<test::counted> v;
  al::variable<int> other;
  int const live = test::counted::live;
  other.run(5, [&] {
    v.run(test::counted(1), [&] {
      // The bound value, and run's own parameter.
      int const inside = test::counted::live;
      auto s = al::snapshot::current();
      BOOST_TEST(v.get()->value == 1);
      v.disable();
      BOOST_TEST(v.get() == nullptr);
      BOOST_TEST(*other.get() == 5);  // other variables keep their bindings
      // The snapshot keeps the value alive, unreadable.
      BOOST_TEST(test::counted::live == inside);
      s.run([&] {
        BOOST_TEST(v.get() == nullptr);
        BOOST_TEST(*other.get() == 5);
      });
      s = al::snapshot();
      // Released inside the binding's own scope, not when it ends.
      BOOST_TEST(test::counted::live == inside - 1);
      // Bindable again, as a new variable.
      v.run(test::counted(2), [&] { BOOST_TEST(v.get()->value == 2); });
      BOOST_TEST(v.get() == nullptr);
    });
    BOOST_TEST(*other.get() == 5);
  });
  BOOST_TEST(test::counted::live == live);
}

BOOST_AUTO_TEST_CASE(disable_hides_values_held_by_pending_work)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  al::variable<int> v;
  std::vector<int> seen;
  v.run(1, [&] {
    id.run(2, [&] {
      net::post(ex, [&] {
        seen.push_back(v.value_or(-1));
        seen.push_back(value());
      });
    });
  });
  v.disable();
  ioc.run();
  BOOST_TEST(seen == (std::vector<int>{-1, 2}),
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(guards_restore_across_disable)
{
  al::variable<test::counted> v;
  int const live = test::counted::live;
  {
    auto g1 = id.set(5);
    auto g2 = v.set(test::counted(1));
    v.disable();
    // The guard holds its binding, as a snapshot would: unreadable, alive
    // until the guard goes.
    BOOST_TEST(test::counted::live == live + 1);
    BOOST_TEST(v.get() == nullptr);
    BOOST_TEST(value() == 5);
    {
      // A binding made after the disable, undone before the others.
      auto g3 = id.set(6);
      BOOST_TEST(value() == 6);
    }
    BOOST_TEST(value() == 5);
    v.disable();  // twice: nothing left to drop
    g2.restore();
    BOOST_TEST(test::counted::live == live);
    BOOST_TEST(value() == 5);
    BOOST_TEST(v.get() == nullptr);
  }
  // g1 restored the unbound thread (the fixture checks it).
  BOOST_TEST(id.get() == nullptr);
  {
    // Disabled twice with bindings in between: still the guard's own.
    auto g0 = id.set(9);
    auto g1 = v.set(test::counted(1));
    v.disable();
    auto g2 = v.set(test::counted(2));
    v.disable();
    g2.restore();
    g1.restore();
    BOOST_TEST(test::counted::live == live);
    BOOST_TEST(value() == 9);
    g0.restore();
    BOOST_TEST(id.get() == nullptr);
  }
}

// Another variable disabled meanwhile, in a scope of its own, does not make
// the guards forget what the first disable replaced.
BOOST_AUTO_TEST_CASE(guards_restore_across_disables_of_other_variables)
{
  al::variable<int> v, w, u;
  auto gv = v.set(1);
  auto gw = w.set(2);
  v.disable();
  u.run(3, [&] { u.disable(); });
  gw.restore();
  BOOST_TEST(w.get() == nullptr);
  gv.restore();
  BOOST_TEST(w.get() == nullptr);
  BOOST_TEST(al::snapshot::current().empty());
}

// A guard whose binding another variable's disable replaced on one thread
// (as a coroutine holding a guard across a co_await may find), restored on
// another: the replacement still counts as the guard's binding.
BOOST_AUTO_TEST_CASE(a_guard_restores_a_replacement_made_on_another_thread)
{
  al::variable<int> v, w;
  std::optional<al::restore_guard> g;
  al::snapshot s;
  std::thread([&] {
    id.run(7, [&] {
      v.run(1, [&] {
        g.emplace(w.set(5));
        v.disable();
        s = al::snapshot::current();  // the replacement: id 7, w 5
      });
    });
  }).join();
  int after_w = -2, after_id = -2;
  s.run([&] {
    g.reset();
    after_w = w.value_or(-1);
    after_id = value();
  });
  BOOST_TEST(after_w == -1);
  BOOST_TEST(after_id == 7);
}

BOOST_AUTO_TEST_CASE(disable_on_a_thread_outside_any_scope)
{
  // Guards undone out of order across a disable leave the thread bound
  // outside any scope: released at its exit (LeakSanitizer checks it).
  al::variable<test::counted> v;
  int const live = test::counted::live;
  int live_after_h = 0, after_g = 0, after_h = 0;
  std::thread([&] {
    std::optional<al::restore_guard> g(id.set(1));
    std::optional<al::restore_guard> h(v.set(test::counted(1)));
    v.disable();
    g.reset();  // out of order: only lets go
    after_g = value();
    h.reset();  // what disable made of its binding: restores g's
    after_h = value();
    live_after_h = test::counted::live;
  }).join();
  BOOST_TEST(live_after_h == live);
  BOOST_TEST(after_g == 1);
  BOOST_TEST(after_h == 1);
  BOOST_TEST(test::counted::live == live);
}

BOOST_AUTO_TEST_CASE(disable_while_other_threads_read_and_bind)
{
  al::variable<test::counted> v;
  int const live = test::counted::live;
  net::thread_pool pool(2);
  auto ex = al::make_executor(pool.get_executor());
  std::atomic<int> wrong{0}, seen_after{0};
  std::vector<al::snapshot> before;
  for (int i = 0; i < 400; ++i)
  {
    net::post(ex, [&, i] {
      v.run(test::counted(i), [&] {
        test::counted const* c = v.get();
        if (c && c->value != i)
          ++wrong;
      });
    });
    if (i % 50 == 0)
    {
      // A binding made before the disable: unreadable after it, on any
      // thread.
      v.run(test::counted(-1), [&] {
        before.push_back(al::snapshot::current());
      });
      v.disable();
      net::post(ex, al::bind_snapshot(before.back(), [&] {
        seen_after += v.get() != nullptr;
      }));
    }
  }
  pool.wait();
  BOOST_TEST(wrong.load() == 0);
  BOOST_TEST(seen_after.load() == 0);
  before.clear();
  BOOST_TEST(test::counted::live == live);
}

BOOST_AUTO_TEST_SUITE_END()
