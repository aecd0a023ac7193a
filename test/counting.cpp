//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Reference counts handed between two threads, in every pattern the counting
// distinguishes: the shortcuts (a plain store when the slot holds the only
// reference, no write for the last release) and the locked path. (Plain
// counts while the process has one thread: single_threaded.cpp, a program of
// its own.) Each value records its own destruction, so that the tests see it
// go exactly once, and exactly when its last reference does where that is
// determined. Run under TSan too.

#include <boost/async_local.hpp>

#include "common.hpp"
#include "net.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace al = boost::async_local;

namespace {

constexpr int rounds = 10000;

// Which values have been destroyed, and how many twice (Boost.Test's
// assertions are for the test's own thread; values go on any).
struct life
{
  explicit life(int n) : destroyed(std::make_unique<std::atomic<bool>[]>(n)) {}
  ~life() { BOOST_TEST(twice == 0); }
  std::unique_ptr<std::atomic<bool>[]> destroyed;
  std::atomic<int> twice{0};
};

// (A moved-from one records nothing.)
struct tracked
{
  tracked(life& l, int id) : l(&l), id(id) {}
  tracked(tracked&& o) noexcept : l(std::exchange(o.l, nullptr)), id(o.id) {}
  tracked& operator=(tracked&&) = delete;
  ~tracked()
  {
    if (l && l->destroyed[id].exchange(true))
      ++l->twice;
  }

  life* l;
  int id;
};

al::variable<tracked> value;
al::variable<int> other;

// Two io_contexts, each run by a thread of its own until stop().
struct two_threads
{
  two_threads()
    : a_guard(net::make_work_guard(a)),
      b_guard(net::make_work_guard(b)),
      ta([this] { a.run(); }),
      tb([this] { b.run(); })
  {
  }

  void stop()
  {
    a_guard.reset();
    b_guard.reset();
    ta.join();
    tb.join();
  }

  test::io_context a;
  test::io_context b;
  net::executor_work_guard<net::io_context::executor_type> a_guard;
  net::executor_work_guard<net::io_context::executor_type> b_guard;
  std::thread ta;
  std::thread tb;
};

// Waits until `n` reaches `target`; fails the test after a minute (a lost
// handler) instead of hanging.
void wait_for(std::atomic<int> const& n, int target)
{
  auto const deadline =
    std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (n.load() != target)
  {
    if (std::chrono::steady_clock::now() > deadline)
    {
      BOOST_ERROR("gave up waiting: " << n.load() << " of " << target);
      return;
    }
    std::this_thread::yield();
  }
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(test_counting, test::clean_thread)

BOOST_AUTO_TEST_CASE(made_on_one_thread_released_on_the_other)
{
  // A binds a value and hands the only reference to B, sometimes with a
  // second binding on top (so that the value is pinned by another node's
  // entry). B's release is the last: the value goes right there.
  life l(rounds);
  std::atomic<int> done{0};
  std::atomic<int> wrong{0};
  two_threads t;
  net::post(t.a, [&] {
    for (int i = 0; i < rounds; ++i)
    {
      al::snapshot s = value.run(tracked(l, i), [&] {
        return i % 2 ? other.run(i, [] { return al::snapshot::current(); })
                     : al::snapshot::current();
      });
      net::post(t.b, [&, i, s = std::move(s)]() mutable {
        s.run([&] {
          if (l.destroyed[i] || value.get()->id != i)
            ++wrong;
        });
        s = al::snapshot();
        if (!l.destroyed[i])
          ++wrong;
        ++done;
      });
    }
  });
  wait_for(done, rounds);
  t.stop();
  BOOST_TEST(wrong == 0);
}

BOOST_AUTO_TEST_CASE(made_on_one_thread_captured_on_the_other_run_on_the_first)
{
  // A binds and hands a snapshot to B; B captures it for an operation on A's
  // propagating executor and drops its own. Who releases last depends on
  // timing: the value must go exactly once, after its reader saw it.
  life l(rounds);
  std::atomic<int> done{0};
  std::atomic<int> wrong{0};
  two_threads t;
  auto ex_a = al::make_executor(t.a);
  net::post(t.a, [&] {
    for (int i = 0; i < rounds; ++i)
    {
      al::snapshot s = value.run(tracked(l, i),
          [] { return al::snapshot::current(); });
      net::post(t.b, [&, i, s = std::move(s)]() mutable {
        s.run([&] {
          net::post(ex_a, [&, i] {
            if (l.destroyed[i] || value.get()->id != i)
              ++wrong;
            ++done;
          });
        });
      });
    }
  });
  wait_for(done, rounds);
  t.stop();
  for (int i = 0; i < rounds; ++i)
    if (!l.destroyed[i])
      ++wrong;
  BOOST_TEST(wrong == 0);
}

BOOST_AUTO_TEST_CASE(a_chain_hopping_between_threads_on_every_hop)
{
  // One binding, a chain of operations that alternates between A and B:
  // each hop's reference is made on one thread while the previous handler's
  // is released on the other, at the same time. The value goes when the
  // last handler ends.
  life l(1);
  std::atomic<int> done{0};
  std::atomic<int> wrong{0};
  two_threads t;
  auto ex_a = al::make_executor(t.a);
  auto ex_b = al::make_executor(t.b);
  struct hop
  {
    void operator()()
    {
      if (value.get()->id != 0)
        ++*wrong;
      if (++n == rounds)
      {
        ++*done;
        return;
      }
      net::post(n % 2 ? *b : *a, *this);
    }
    al::propagating_executor<net::io_context::executor_type>* a;
    al::propagating_executor<net::io_context::executor_type>* b;
    std::atomic<int>* done;
    std::atomic<int>* wrong;
    int n;
  };
  value.run(tracked(l, 0), [&] {
    net::post(ex_a, hop{&ex_a, &ex_b, &done, &wrong, 0});
  });
  wait_for(done, 1);
  t.stop();
  BOOST_TEST(wrong == 0);
  BOOST_TEST(l.destroyed[0]);
}

BOOST_AUTO_TEST_CASE(copies_of_one_snapshot_on_two_threads_at_once)
{
  // Both threads copy, run in and drop copies of one snapshot at the same
  // time, and capture it for operations on each other's executor: the
  // count is written from two threads at once all along. The value goes
  // exactly when the last reference, the test's own, does.
  life l(1);
  al::snapshot s =
    value.run(tracked(l, 0), [] { return al::snapshot::current(); });
  std::atomic<int> done{0};
  std::atomic<int> wrong{0};
  two_threads t;
  auto ex_a = al::make_executor(t.a);
  auto ex_b = al::make_executor(t.b);
  auto work = [&](auto& there) {
    for (int i = 0; i < 10 * rounds; ++i)
    {
      al::snapshot c = s;
      c.run([&] {
        if (value.get()->id != 0)
          ++wrong;
        if (i % 16 == 0)
          net::post(there, [&] {
            if (value.get()->id != 0)
              ++wrong;
          });
      });
    }
    ++done;
  };
  net::post(t.a, [&] { work(ex_b); });
  net::post(t.b, [&] { work(ex_a); });
  wait_for(done, 2);
  t.stop();
  BOOST_TEST(wrong == 0);
  BOOST_TEST(!l.destroyed[0]);
  s = al::snapshot();
  BOOST_TEST(l.destroyed[0]);
}

BOOST_AUTO_TEST_CASE(references_outlive_the_thread_that_made_them)
{
  // A thread binds values, captures them for pending operations and keeps
  // snapshots, then exits (its block cache goes with it). This thread
  // releases the snapshots, each value going at its last release, and runs
  // the operations, each in its own value.
  life l(rounds);
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  std::vector<al::snapshot> kept;
  std::atomic<int> wrong{0};
  int ran = 0;
  std::thread([&] {
    for (int i = 0; i < rounds; ++i)
      value.run(tracked(l, i), [&] {
        kept.push_back(al::snapshot::current());
        net::post(ex, [&, i] {
          if (value.get()->id != i)
            ++wrong;
          ++ran;
        });
      });
  }).join();
  for (int i = 0; i < rounds; i += 2)
  {
    // Even values: the snapshot goes first, then the operation.
    kept[i] = al::snapshot();
    if (l.destroyed[i])
      ++wrong;
  }
  ioc.run();
  BOOST_TEST(ran == rounds);
  for (int i = 0; i < rounds; ++i)
    if (l.destroyed[i] != (i % 2 == 0))
      ++wrong;
  for (int i = 1; i < rounds; i += 2)
  {
    // Odd values: the operation ran first; the snapshot is the last.
    kept[i] = al::snapshot();
    if (!l.destroyed[i])
      ++wrong;
  }
  BOOST_TEST(wrong == 0);
}

BOOST_AUTO_TEST_SUITE_END()
