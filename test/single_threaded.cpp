//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// While a process has only ever had one thread, reference counts are
// written without locked instructions (detail/context.hpp). This program
// stays single-threaded until its last step, which is the one place where
// that can be checked: Boost.Test's module runs in whatever state earlier
// tests left the process in. Values must still go exactly when their last
// reference does, also for references made before the first thread starts
// and released after, on either thread.

#include <boost/async_local.hpp>

#include "net.hpp"

#include <atomic>
#include <cstdio>
#include <thread>
#include <utility>
#include <vector>

namespace al = boost::async_local;

namespace {

int failures = 0;

#define CHECK(expr)                                                          \
  do                                                                         \
  {                                                                          \
    if (!(expr))                                                             \
    {                                                                        \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,  \
          #expr);                                                            \
      ++failures;                                                            \
    }                                                                        \
  } while (false)

int live = 0;

struct counted
{
  explicit counted(int v) : value(v) { ++live; }
  counted(counted&& o) noexcept : value(o.value) { ++live; }
  ~counted() { --live; }
  int value;
};

al::variable<counted> value;

struct hop
{
  void operator()()
  {
    if (value.get()->value != 7)
      ++*wrong;
    if (--*left > 0)
      net::post(ex, *this);
  }
  al::propagating_executor<net::io_context::executor_type> ex;
  int* left;
  int* wrong;
};

} // namespace

int main()
{
#if defined(BOOST_ASYNC_LOCAL_HAS_LIBC_SINGLE_THREADED)
  CHECK(boost::async_local::detail::single_threaded());
#else
  std::puts("single_threaded: no __libc_single_threaded here, or "
      "BOOST_ASYNC_LOCAL_NO_SINGLE_THREADED_COUNTS: the counts are atomic");
#endif

  // A chain of 1000 hops in one binding: the value goes with the last one.
  {
    net::io_context ioc(1);
    auto ex = al::make_executor(ioc);
    int left = 1000;
    int wrong = 0;
    value.run(counted(7), [&] { net::post(ex, hop{ex, &left, &wrong}); });
    CHECK(live == 1);
    ioc.run();
    CHECK(left == 0);
    CHECK(wrong == 0);
    CHECK(live == 0);
  }

  // Snapshots copied and released: the value goes with the last copy.
  {
    al::snapshot a = value.run(counted(1), [] { return al::snapshot::current(); });
    al::snapshot b = a;
    al::snapshot c = b;
    a = al::snapshot();
    b = al::snapshot();
    CHECK(live == 1);
    c = al::snapshot();
    CHECK(live == 0);
  }

  // References made while single-threaded, released after a thread has
  // started: half on the new thread, half on this one, both starting
  // together, many enough that the two overlap. A count that kept being
  // written plainly once the thread exists loses updates here (the value
  // then goes early, twice, or never).
  {
    constexpr int n = 1000000;
    al::snapshot s = value.run(counted(2), [] { return al::snapshot::current(); });
    std::vector<al::snapshot> for_thread(n, s);
    std::vector<al::snapshot> for_main(n, s);
    s = al::snapshot();
    std::atomic<int> ready{0};
    auto release = [&](std::vector<al::snapshot>& v) {
      ++ready;
      while (ready.load() != 2)
        ;
      for (auto& x : v)
      {
        al::snapshot copy = x;
        x = al::snapshot();
      }
    };
    std::thread t([&] { release(for_thread); });
    release(for_main);
    t.join();
    CHECK(live == 0);
  }

#if defined(BOOST_ASYNC_LOCAL_HAS_LIBC_SINGLE_THREADED)
  CHECK(!boost::async_local::detail::single_threaded());
#endif
  if (failures == 0)
    std::puts("single_threaded: all checks passed");
  return failures == 0 ? 0 : 1;
}
