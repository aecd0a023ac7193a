//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that the header is self-contained.
#include <boost/async_local/variable.hpp>

#include <boost/async_local/snapshot.hpp>

#include "common.hpp"

#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>

namespace al = boost::async_local;

BOOST_FIXTURE_TEST_SUITE(test_variable, test::clean_thread)

static_assert(!std::is_copy_constructible<al::variable<int>>::value, "");
static_assert(!std::is_copy_assignable<al::variable<int>>::value, "");
static_assert(std::is_same<decltype(std::declval<al::variable<int>&>().get()),
    int const*>::value, "values are immutable");

BOOST_AUTO_TEST_CASE(unbound_by_default)
{
  al::variable<int> v;
  BOOST_TEST(v.get() == nullptr);
  BOOST_TEST(v.value_or(7) == 7);
}

BOOST_AUTO_TEST_CASE(run_binds_and_restores)
{
  al::variable<std::string> v;
  std::string seen = v.run("outer", [&] {
    BOOST_TEST(*v.get() == "outer");
    v.run("inner", [&] { BOOST_TEST(*v.get() == "inner"); });
    BOOST_TEST(*v.get() == "outer");
    return *v.get();
  });
  BOOST_TEST(seen == "outer");
  BOOST_TEST(v.get() == nullptr);
}

BOOST_AUTO_TEST_CASE(run_forwards_arguments_and_result)
{
  al::variable<int> v;
  int r = v.run(2, [&](int a, int b) { return *v.get() * a + b; }, 10, 1);
  BOOST_TEST(r == 21);
  int x = 0;
  int& ref = v.run(1, [&]() -> int& { return x; });
  BOOST_TEST(&ref == &x);
}

BOOST_AUTO_TEST_CASE(run_restores_on_throw)
{
  al::variable<int> v;
  v.run(1, [&] {
    BOOST_CHECK_THROW(v.run(2, [&] {
      auto g = v.set(3);
      throw std::runtime_error("x");
    }), std::runtime_error);
    BOOST_TEST(*v.get() == 1);
  });
  BOOST_TEST(v.get() == nullptr);
}

BOOST_AUTO_TEST_CASE(exit_unbinds_only_this_variable)
{
  al::variable<int> a;
  al::variable<int> b;
  a.run(1, [&] {
    b.run(2, [&] {
      a.exit([&] {
        BOOST_TEST(a.get() == nullptr);
        BOOST_TEST(*b.get() == 2);
        a.run(5, [&] { BOOST_TEST(*a.get() == 5); });
        BOOST_TEST(a.get() == nullptr);
      });
      BOOST_TEST(*a.get() == 1);
      b.exit([&] { b.exit([&] { BOOST_TEST(b.get() == nullptr); }); });
    });
  });
  // exit on an unbound variable, and the empty result of exit
  a.exit([&] { BOOST_TEST(a.get() == nullptr); });
  a.run(1, [&] {
    a.exit([&] { BOOST_TEST(al::snapshot::current().empty()); });
  });
}

BOOST_AUTO_TEST_CASE(exit_restores_on_throw)
{
  al::variable<int> v;
  v.run(1, [&] {
    BOOST_CHECK_THROW(v.exit([] { throw 1; }), int);
    BOOST_TEST(*v.get() == 1);
  });
}

BOOST_AUTO_TEST_CASE(set_binds_until_guard_destroyed)
{
  al::variable<int> v;
  {
    auto g = v.set(1);
    BOOST_TEST(g.active());
    BOOST_TEST(*v.get() == 1);
    {
      auto g2 = v.set(2);
      BOOST_TEST(*v.get() == 2);
    }
    BOOST_TEST(*v.get() == 1);
  }
  BOOST_TEST(v.get() == nullptr);
}

BOOST_AUTO_TEST_CASE(guard_restore_and_move)
{
  al::variable<int> v;
  auto g = v.set(1);
  al::restore_guard moved(std::move(g));
  BOOST_TEST(!g.active());
  BOOST_TEST(*v.get() == 1);
  moved.restore();
  BOOST_TEST(!moved.active());
  BOOST_TEST(v.get() == nullptr);
  moved.restore();  // idempotent
  BOOST_TEST(v.get() == nullptr);
}

BOOST_AUTO_TEST_CASE(guard_destroyed_out_of_order_leaves_current_alone)
{
  al::variable<int> v;
  // The scope run() makes cleans up whatever is left bound inside it.
  al::snapshot().run([&] {
    auto outer = std::make_unique<al::restore_guard>(v.set(1));
    auto inner = v.set(2);
    outer.reset();  // not the current binding: nothing to restore
    BOOST_TEST(*v.get() == 2);
    inner.restore();
    BOOST_TEST(*v.get() == 1);  // what inner replaced; outer's binding stays
  });
  BOOST_TEST(v.get() == nullptr);
}

BOOST_AUTO_TEST_CASE(independent_variables)
{
  al::variable<int> a;
  al::variable<std::string> b;
  al::variable<int> c;
  a.run(1, [&] {
    BOOST_TEST(b.get() == nullptr);
    b.run("two", [&] {
      c.run(3, [&] {
        BOOST_TEST(*a.get() == 1);
        BOOST_TEST(*b.get() == "two");
        BOOST_TEST(*c.get() == 3);
      });
      BOOST_TEST(c.get() == nullptr);
    });
  });
}

BOOST_AUTO_TEST_CASE(many_variables_in_one_context)
{
  // Above 8 bindings lookup switches from a scan to a binary search.
  constexpr int n = 20;
  std::vector<std::unique_ptr<al::variable<int>>> vars;
  for (int i = 0; i < n; ++i)
    vars.push_back(std::make_unique<al::variable<int>>());
  std::vector<al::restore_guard> guards;
  for (int i = n - 1; i >= 0; i -= 2)  // bind out of key order
    guards.push_back(vars[i]->set(i));
  for (int i = 0; i < n; i += 2)
    guards.push_back(vars[i]->set(i));
  for (int i = 0; i < n; ++i)
    BOOST_TEST(*vars[i]->get() == i);
  guards.push_back(vars[7]->set(70));  // rebind in a full table
  BOOST_TEST(*vars[7]->get() == 70);
  vars[7]->exit([&] {
    BOOST_TEST(vars[7]->get() == nullptr);
    BOOST_TEST(*vars[8]->get() == 8);
  });
  while (!guards.empty())
    guards.pop_back();
  for (int i = 0; i < n; ++i)
    BOOST_TEST(vars[i]->get() == nullptr);
}

BOOST_AUTO_TEST_CASE(value_lives_exactly_as_long_as_a_context_sees_it)
{
  using test::counted;
  al::variable<counted> v;
  al::variable<int> other;
  BOOST_TEST(counted::live == 0);
  // (Inside run() the by-value parameter is alive too, so count outside.)
  al::snapshot one = v.run(counted(1), [] { return al::snapshot::current(); });
  BOOST_TEST(counted::live == 1);
  one = al::snapshot();
  BOOST_TEST(counted::live == 0);

  al::snapshot kept;
  v.run(counted(1), [&] {
    other.run(2, [&] {
      v.run(counted(3), [&] { kept = al::snapshot::current(); });
    });
  });
  // kept sees v == 3 and other == 2; nothing sees v == 1 any more.
  BOOST_TEST(counted::live == 1);
  kept.run([&] {
    BOOST_TEST(v.get()->value == 3);
    BOOST_TEST(*other.get() == 2);
  });
  kept = al::snapshot();
  BOOST_TEST(counted::live == 0);
}

BOOST_AUTO_TEST_CASE(destroyed_variable_values_go_with_their_snapshots)
{
  using test::counted;
  using var = al::variable<counted>;
  alignas(var) unsigned char storage[sizeof(var)];
  var* v = ::new (storage) var();
  al::snapshot kept = v->run(counted(1), [] { return al::snapshot::current(); });
  v->~var();
  BOOST_TEST(counted::live == 1);

  // A new variable at the same address never sees the old one's value.
  var* w = ::new (storage) var();
  kept.run([&] { BOOST_TEST(w->get() == nullptr); });
  w->run(counted(2), [&] { BOOST_TEST(w->get()->value == 2); });
  w->~var();

  kept = al::snapshot();
  BOOST_TEST(counted::live == 0);
}

BOOST_AUTO_TEST_CASE(binding_allocates_once_and_get_never,
    *boost::unit_test::enable_if<test::allocation_counter::available>())
{
  al::variable<int> v;
  al::variable<int> w;
  al::detail::block_cache::trim();
  test::allocation_counter count;
  v.run(1, [&] {
    BOOST_TEST(count.count() == 1u);
    w.run(2, [&] {
      test::allocation_counter inner;
      for (int i = 0; i < 100; ++i)
        BOOST_TEST(*v.get() + *w.get() == 3);
      al::snapshot s = al::snapshot::current();
      BOOST_TEST(inner.count() == 0u);
    });
  });
  BOOST_TEST(count.count() == 2u);
}

// Blocks go back to a small per-thread cache: a binding made and dropped in
// a loop calls the allocator once.
BOOST_AUTO_TEST_CASE(released_bindings_are_recycled,
    *boost::unit_test::enable_if<test::allocation_counter::available>())
{
  al::variable<std::string> v;
  al::variable<int> w;
  al::detail::block_cache::trim();
  test::allocation_counter count;
  for (int i = 0; i < 100; ++i)
    v.run("id", [&] { BOOST_TEST(*v.get() == "id"); });
  BOOST_TEST(count.count() == 1u);
  // Nested bindings need blocks of their own, and find them in the cache
  // once they have been released.
  for (int i = 0; i < 100; ++i)
    v.run("id", [&] { w.run(i, [&] { BOOST_TEST(*w.get() == i); }); });
  BOOST_TEST(count.count() == 2u);
  al::detail::block_cache::trim();
  v.run("id", [] {});
  BOOST_TEST(count.count() == 3u);
}

// A block released on another thread goes to that thread's cache, which is
// emptied when the thread exits (LeakSanitizer, on in the ASan build, reports
// the blocks if it is not). Values are destroyed on release, never cached.
BOOST_AUTO_TEST_CASE(cached_blocks_are_freed_at_thread_exit)
{
  al::variable<test::counted> v;
  int const live = test::counted::live;
  al::snapshot s = v.run(test::counted(1), [] {
    return al::snapshot::current();
  });
  int seen = 0;
  std::thread([&] {
    for (int i = 0; i < 10; ++i)
      v.run(test::counted(i), [] {});
    // The last reference goes here, on this thread.
    al::snapshot moved = std::move(s);
    seen = moved.run([&] { return v.get()->value; });
  }).join();
  BOOST_TEST(seen == 1);
  BOOST_TEST(s.empty());
  BOOST_TEST(test::counted::live == live);
}

BOOST_AUTO_TEST_CASE(bindings_left_on_a_thread_are_released_at_its_exit)
{
  // Guards destroyed in creation order leave the first binding current, and
  // a guard moved away (into a handler that never runs here) leaves its
  // binding current: outside any scope, nothing else would undo them.
  al::variable<test::counted> v;
  int const live = test::counted::live;
  std::thread([&] {
    auto first = std::make_unique<al::restore_guard>(v.set(test::counted(1)));
    auto second = v.set(test::counted(2));
    first.reset();
    second.restore();
    BOOST_TEST(v.get()->value == 1);  // left bound, as documented
  }).join();
  BOOST_TEST(test::counted::live == live);

  std::optional<al::restore_guard> moved;
  std::thread([&] {
    moved.emplace(v.set(test::counted(3)));
  }).join();
  moved.reset();  // on another thread: lets go of its own references only
  BOOST_TEST(test::counted::live == live);
}

BOOST_AUTO_TEST_CASE(overaligned_values)
{
  struct alignas(64) wide { int x; };
  al::variable<wide> v;
  v.run(wide{5}, [&] {
    BOOST_TEST(v.get()->x == 5);
    BOOST_TEST(reinterpret_cast<std::uintptr_t>(v.get()) % 64 == 0u);
  });
}

BOOST_AUTO_TEST_CASE(throwing_value_constructor_leaves_context_alone)
{
  struct thrower
  {
    thrower() = default;
    thrower(thrower&&) { throw std::runtime_error("no"); }
  };
  al::variable<thrower> v;
  al::variable<int> w;
  w.run(1, [&] {
    BOOST_CHECK_THROW(v.run(thrower(), [] {}), std::runtime_error);
    BOOST_TEST(*w.get() == 1);
    BOOST_TEST(v.get() == nullptr);
  });
}

BOOST_AUTO_TEST_SUITE_END()
