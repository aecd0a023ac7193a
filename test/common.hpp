//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_TEST_COMMON_HPP
#define BOOST_ASYNC_LOCAL_TEST_COMMON_HPP

#include "net.hpp"
#include <boost/async_local/detail/context.hpp>
#include <boost/async_local/detail/operation.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstddef>
#include <memory>
#include <thread>
#include <utility>
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

// The io_context every test uses (after Boost.MySQL's fixture): when it goes,
// it fails the test if work is still outstanding or handlers are still
// queued, so that no test can end with an operation it never completed.
// Declare it first, so that the I/O objects over it go before the check.
// A test that means to destroy an io_context with work pending (to prove
// what happens to unrun handlers) uses net::io_context, and says so.
class io_context : public net::io_context
{
public:
  using net::io_context::io_context;

  io_context(io_context const&) = delete;
  io_context& operator=(io_context const&) = delete;

  ~io_context()
  {
    restart();
    std::size_t const ran = poll();
    BOOST_TEST(ran == 0u, "handlers were left queued: " << ran);
    BOOST_TEST(stopped(), "work was left outstanding");
  }
};

// The fixture of every test suite: when a test ends, the thread it ran on
// must not be left bound (a binding left behind would reach the tests that
// follow, and hide or cause their failures). A test that leaves one fails,
// and the binding is released so that the next test starts clean.
struct clean_thread
{
  clean_thread() = default;
  clean_thread(clean_thread const&) = delete;
  clean_thread& operator=(clean_thread const&) = delete;

  ~clean_thread()
  {
    namespace detail = ::boost::async_local::detail;
    bool const bound = detail::current() != nullptr;
    BOOST_TEST(!bound, "the test left its thread bound");
    if (bound)
      detail::release(std::exchange(detail::current_node, nullptr));
  }
};

// True while a hook other than the zones' is installed (zones install
// theirs for the rest of the program once one is made).
inline bool user_hooks_installed()
{
  namespace detail = ::boost::async_local::detail;
  return detail::recording.load() == detail::record_all;
}

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
// keeps outside the setup must go before their io_context does. What
// destroying them queues (an experimental::coro destroys its frame on its
// executor) runs before the io_context's check.
template <class Setup, class BeforeEnd = void (*)()>
void on_threads(int threads, Setup setup, BeforeEnd before_end = [] {})
{
  io_context ioc(threads);
  setup(ioc);
  run_on_threads(ioc, threads);
  before_end();
  ioc.restart();
  ioc.run();
}

} // namespace test

#endif
