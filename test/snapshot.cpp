//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that the header is self-contained.
#include <boost/async_local/snapshot.hpp>

#include <boost/async_local/bind.hpp>  // snapshot::wrap's result
#include <boost/async_local/variable.hpp>

#include "common.hpp"

#include <type_traits>

#include <stdexcept>
#include <thread>
#include <vector>

namespace al = boost::async_local;

BOOST_FIXTURE_TEST_SUITE(test_snapshot, test::clean_thread)

BOOST_AUTO_TEST_CASE(default_is_empty)
{
  al::snapshot s;
  BOOST_TEST(s.empty());
  BOOST_TEST(al::snapshot::current().empty());
  BOOST_TEST((s == al::snapshot::current()));
}

BOOST_AUTO_TEST_CASE(current_captures_and_run_restores)
{
  al::variable<int> v;
  al::snapshot s = v.run(1, [] { return al::snapshot::current(); });
  BOOST_TEST(!s.empty());
  BOOST_TEST(v.get() == nullptr);
  int r = s.run([&](int x) { return *v.get() + x; }, 10);
  BOOST_TEST(r == 11);
  BOOST_TEST(v.get() == nullptr);

  v.run(2, [&] {
    s.run([&] { BOOST_TEST(*v.get() == 1); });
    al::snapshot().run([&] { BOOST_TEST(v.get() == nullptr); });
    BOOST_TEST(*v.get() == 2);
  });
}

BOOST_AUTO_TEST_CASE(snapshots_are_immutable)
{
  al::variable<int> v;
  al::variable<int> w;
  v.run(1, [&] {
    al::snapshot before = al::snapshot::current();
    w.run(2, [&] {
      before.run([&] { BOOST_TEST(w.get() == nullptr); });
    });
  });
}

BOOST_AUTO_TEST_CASE(run_restores_on_throw_and_discards_leftovers)
{
  al::variable<int> v;
  al::snapshot s = v.run(1, [] { return al::snapshot::current(); });
  BOOST_CHECK_THROW(s.run([] { throw std::logic_error("x"); }),
      std::logic_error);
  BOOST_TEST(v.get() == nullptr);
  s.run([&] {
    auto g = v.set(5);
    (void)g.active();
    static_cast<void>(std::move(g));  // still owned by g: restored here
  });
  BOOST_TEST(v.get() == nullptr);
  // A guard that escapes the scope does not leak its binding out of it.
  al::restore_guard escaped;
  s.run([&] { escaped = v.set(9); });
  BOOST_TEST(v.get() == nullptr);
  escaped.restore();
  BOOST_TEST(v.get() == nullptr);
}

BOOST_AUTO_TEST_CASE(equality_is_identity)
{
  al::variable<int> v;
  al::snapshot a = v.run(1, [] { return al::snapshot::current(); });
  al::snapshot b = a;
  al::snapshot c = v.run(1, [] { return al::snapshot::current(); });
  BOOST_TEST((a == b));
  BOOST_TEST((a != c));
  BOOST_TEST((a != al::snapshot()));
  al::snapshot moved = std::move(b);
  BOOST_TEST((moved == a));
  BOOST_TEST(b.empty());
}

BOOST_AUTO_TEST_CASE(wrap_runs_inside_the_snapshot)
{
  al::variable<int> v;
  auto f = v.run(3, [&] {
    return al::snapshot::current().wrap([&](int x) { return *v.get() * x; });
  });
  BOOST_TEST(f(2) == 6);
  auto const& cf = f;
  BOOST_TEST(cf(3) == 9);
  auto copy = f;
  BOOST_TEST(std::move(copy)(4) == 12);
  BOOST_TEST(v.get() == nullptr);
  BOOST_TEST(!f.get_snapshot().empty());
}

BOOST_AUTO_TEST_CASE(wrap_is_bind_snapshot)
{
  // One binder, one implementation: wrap keeps every association of the
  // callable, as bind_snapshot does.
  auto f = [](int) {};
  al::snapshot s;
  static_assert(std::is_same<decltype(s.wrap(f)),
      decltype(al::bind_snapshot(s, f))>::value, "wrap makes the binder");
  BOOST_TEST((s.wrap(f).get_snapshot() == s));
}

BOOST_AUTO_TEST_CASE(current_does_not_allocate,
    *boost::unit_test::enable_if<test::allocation_counter::available>())
{
  al::variable<int> v;
  v.run(1, [] {
    test::allocation_counter count;
    for (int i = 0; i < 10; ++i)
    {
      al::snapshot s = al::snapshot::current();
      al::snapshot t = s;
    }
    BOOST_TEST(count.count() == 0u);
  });
}

BOOST_AUTO_TEST_CASE(shared_across_threads)
{
  test::counted::live = 0;
  al::variable<test::counted> v;
  al::snapshot s = v.run(test::counted(7), [] {
    return al::snapshot::current();
  });
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 2; ++t)
    threads.emplace_back([&, s] {
      for (int i = 0; i < 2000; ++i)
      {
        al::snapshot copy = s;
        copy.run([&] { ok += v.get()->value == 7; });
        v.run(test::counted(i), [&] { ok += v.get()->value == i; });
      }
      ok += v.get() == nullptr;  // Boost.Test asserts only on the main thread
    });
  for (auto& t : threads)
    t.join();
  BOOST_TEST(ok == 2 * (2 * 2000 + 1));
  BOOST_TEST(test::counted::live == 1);
  s = al::snapshot();
  BOOST_TEST(test::counted::live == 0);
}

BOOST_AUTO_TEST_SUITE_END()
