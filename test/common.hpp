//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_TEST_COMMON_HPP
#define BOOST_ASYNC_LOCAL_TEST_COMMON_HPP

#include "net.hpp"
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

#if defined(__SANITIZE_THREAD__)
# define BOOST_ASYNC_LOCAL_TEST_TSAN 1
#elif defined(__has_feature)
# if __has_feature(thread_sanitizer)
#  define BOOST_ASYNC_LOCAL_TEST_TSAN 1
# endif
#endif
#if !defined(BOOST_ASYNC_LOCAL_TEST_TSAN)
# define BOOST_ASYNC_LOCAL_TEST_TSAN 0
#endif

// ThreadSanitizer's runtime links its own operator new and delete whole, so
// the counting replacements cannot be linked beside it. Allocation counts are
// checked in the other builds.
#define BOOST_ASYNC_LOCAL_TEST_COUNTS_ALLOCATIONS (!BOOST_ASYNC_LOCAL_TEST_TSAN)

namespace test {

// Counts operator new calls made on this thread while armed (main.cpp
// replaces the global operator new).
struct allocation_counter
{
  allocation_counter();
  ~allocation_counter();
  std::size_t count() const;

  // False in builds that cannot count (see above): tests skip their counts.
  static constexpr bool available = BOOST_ASYNC_LOCAL_TEST_COUNTS_ALLOCATIONS;

  allocation_counter(allocation_counter const&) = delete;
  allocation_counter& operator=(allocation_counter const&) = delete;

private:
  std::size_t start_;
};

// Stackful coroutines (spawn, on Boost.Context's fcontext) switch stacks
// behind ThreadSanitizer's back, and its runtime crashes unwinding them; the
// stackful tests run in the other builds.
constexpr bool stackful_coroutines_supported = !BOOST_ASYNC_LOCAL_TEST_TSAN;

// A value type that counts how many of it are alive.
struct counted
{
  static std::atomic<int> live;

  explicit counted(int v) : value(v) { ++live; }
  counted(counted const& o) : value(o.value) { ++live; }
  counted(counted&& o) noexcept : value(o.value) { ++live; }
  counted& operator=(counted const&) = default;
  ~counted() { --live; }

  int value;
};

// A handler that fails the test if it is never called, or called more than
// once (after Beast's test::handler). Copies share one count, checked when
// the last one goes; a handler moved from does not count.
template <class F>
class checked_handler
{
  struct state
  {
    explicit state(F f) : f(std::move(f)) {}
    state(state const&) = delete;
    ~state() { BOOST_TEST(calls == 1, "a handler ran " << calls << " times"); }
    F f;
    int calls = 0;
  };

public:
  explicit checked_handler(F f) : state_(std::make_shared<state>(std::move(f))) {}

  template <class... Args>
  void operator()(Args&&... args)
  {
    ++state_->calls;
    state_->f(std::forward<Args>(args)...);
  }

private:
  std::shared_ptr<state> state_;
};

template <class F>
checked_handler<F> checked(F f)
{
  return checked_handler<F>(std::move(f));
}

// Fails the test if the io_context still has work or unrun handlers when the
// test ends: polls it and checks that it stopped.
struct no_leaked_work
{
  explicit no_leaked_work(net::io_context& ioc) : ioc_(ioc) {}
  ~no_leaked_work()
  {
    ioc_.restart();
    ioc_.poll();
    BOOST_TEST(ioc_.stopped());
  }

  net::io_context& ioc_;
};

// Runs `ioc` on `threads` threads, this one included, until it runs out of
// work.
inline void run_on_threads(net::io_context& ioc, int threads)
{
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t)
    pool.emplace_back([&] { ioc.run(); });
  ioc.run();
  for (auto& t : pool)
    t.join();
}

// Makes an io_context for `threads` threads, calls setup(ioc), runs it, and
// calls before_end() while the io_context still exists: I/O objects a test
// keeps outside the setup must go before their io_context does.
template <class Setup, class BeforeEnd = void (*)()>
void on_threads(int threads, Setup setup, BeforeEnd before_end = [] {})
{
  net::io_context ioc(threads);
  setup(ioc);
  run_on_threads(ioc, threads);
  before_end();
}

} // namespace test

#endif
