//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that the header is self-contained.
#include <boost/async_local/executor.hpp>

#include "isolation.hpp"
#include "modes.hpp"
#include "paths.hpp"

#include "net.hpp"

#include <future>
#include <optional>
#include <stdexcept>

namespace al = boost::async_local;
using paths::id;

namespace {

using io_executor = net::io_context::executor_type;

static_assert(net::execution::is_executor<al::propagating_executor<io_executor>>::value, "");
static_assert(net::execution::is_executor<
    al::propagating_executor<net::thread_pool::executor_type>>::value, "");
static_assert(sizeof(al::propagating_executor<io_executor>) == 2 * sizeof(void*),
    "one word on top of the inner executor: fits any_io_executor's buffer");

} // namespace

BOOST_FIXTURE_TEST_SUITE(test_executor, test::clean_thread)

BOOST_AUTO_TEST_CASE(propagates_on_every_path)
{
  paths::all(modes::wrapped{});
}

BOOST_AUTO_TEST_CASE(propagates_inside_any_io_executor)
{
  paths::all(modes::inside_any_io_executor{});
}

BOOST_AUTO_TEST_CASE(propagates_on_system_executor)
{
  auto ex = al::make_executor(net::system_executor());
  std::promise<int> seen;
  id.run(5, [&] { net::post(ex, [&] { seen.set_value(id.value_or(-1)); }); });
  BOOST_TEST(seen.get_future().get() == 5);
}

BOOST_AUTO_TEST_CASE(isolation_one_thread)
{
  auto r = isolation::run(modes::wrapped{}, 1);
  BOOST_TEST(r.steps == 4000);
  BOOST_TEST(r.mismatches == 0);
}

BOOST_AUTO_TEST_CASE(isolation_two_threads)
{
  auto r = isolation::run(modes::wrapped{}, 2);
  BOOST_TEST(r.steps == 4000);
  BOOST_TEST(r.mismatches == 0);
}

BOOST_AUTO_TEST_CASE(isolation_two_threads_any_io_executor)
{
  auto r = isolation::run(modes::inside_any_io_executor{}, 2);
  BOOST_TEST(r.steps == 4000);
  BOOST_TEST(r.mismatches == 0);
}

BOOST_AUTO_TEST_CASE(no_binding_leaks_between_handlers)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  std::vector<al::restore_guard> escaped;
  std::vector<int> seen;
  id.run(7, [&] {
    // The first handler leaves a binding behind; the second runs on the
    // plain executor, so it sees whatever the thread has: the context
    // ioc.run() was called in, not the leftover.
    net::post(ex, [&] { escaped.push_back(id.set(99)); });
    net::post(ioc, [&] { seen.push_back(id.value_or(-1)); });
    ioc.run();
    seen.push_back(id.value_or(-1));
  });
  BOOST_TEST(seen == (std::vector<int>{7, 7}), boost::test_tools::per_element());
  escaped.clear();
  BOOST_TEST(id.get() == nullptr);
}

BOOST_AUTO_TEST_CASE(no_binding_leaks_from_a_throwing_handler)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  int seen = 0;
  al::restore_guard escaped;
  id.run(1, [&] {
    net::post(ex, [&] {
      escaped = id.set(2);  // outlives the handler
      throw std::runtime_error("handler failed");
    });
  });
  net::post(ex, [&] { seen = id.value_or(-1); });
  BOOST_CHECK_THROW(ioc.run(), std::runtime_error);
  BOOST_TEST(id.get() == nullptr);
  ioc.run();
  BOOST_TEST(seen == -1);
}

BOOST_AUTO_TEST_CASE(handler_runs_where_its_executor_says)
{
  // A timer on one io_context whose handler is bound to another's executor:
  // the handler runs only when the second one runs, in the initiator's
  // context.
  test::io_context io1;
  test::io_context io2;
  auto ex1 = al::make_executor(io1);
  auto ex2 = al::make_executor(io2);
  paths::steady_timer<decltype(ex1)> timer(ex1, std::chrono::milliseconds(1));
  int seen = 0;
  id.run(3, [&] {
    timer.async_wait(net::bind_executor(ex2, [&](error_code) {
      seen = id.value_or(-1);
      BOOST_TEST(io2.get_executor().running_in_this_thread());
    }));
  });
  io1.run();
  BOOST_TEST(seen == 0);
  io2.run();
  BOOST_TEST(seen == 3);
}

BOOST_AUTO_TEST_CASE(work_is_counted)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  paths::steady_timer<decltype(ex)> timer(ex, std::chrono::milliseconds(20));
  bool done = false;
  timer.async_wait([&](error_code) { done = true; });
  ioc.run();  // returns only once the wait completed
  BOOST_TEST(done);

  // A tracked executor keeps run() from returning; releasing it lets it.
  ioc.restart();
  std::optional<decltype(net::prefer(ex,
      net::execution::outstanding_work.tracked))> work;
  work.emplace(net::prefer(ex, net::execution::outstanding_work.tracked));
  BOOST_TEST(work->has_snapshot());
  ioc.poll();
  BOOST_TEST(!ioc.stopped());
  work.reset();
  ioc.poll();
  BOOST_TEST(ioc.stopped());

  // The same through any_io_executor and through a work guard.
  ioc.restart();
  {
    auto guard = net::make_work_guard(net::any_io_executor(ex));
    ioc.poll();
    BOOST_TEST(!ioc.stopped());
  }
  ioc.poll();
  BOOST_TEST(ioc.stopped());
}

BOOST_AUTO_TEST_CASE(equality)
{
  test::io_context io1;
  test::io_context io2;
  auto a = al::make_executor(io1);
  BOOST_TEST((a == al::make_executor(io1.get_executor())));
  BOOST_TEST((a != al::make_executor(io2)));
  auto tracked = net::prefer(a, net::execution::outstanding_work.tracked);
  auto copy = tracked;
  BOOST_TEST((copy == tracked));
  auto other = id.run(1, [&] {
    return net::prefer(a, net::execution::outstanding_work.tracked);
  });
  BOOST_TEST((other != tracked));  // same inner executor, other context
  auto untracked = al::make_executor(tracked.get_inner_executor());
  BOOST_TEST(!untracked.has_snapshot());
}

BOOST_AUTO_TEST_CASE(query_require_prefer_are_forwarded)
{
  namespace exec = net::execution;
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  BOOST_TEST(&net::query(ex, exec::context) == &ioc);
  BOOST_TEST((net::query(ex, exec::blocking) == exec::blocking.possibly));

  auto never = net::require(ex, exec::blocking.never);
  static_assert(std::is_same<decltype(never), al::propagating_executor<std::decay_t<
      decltype(net::require(ioc.get_executor(), exec::blocking.never))>>>::value,
      "require wraps the inner result");
  BOOST_TEST((net::query(never, exec::blocking) == exec::blocking.never));

  auto cont = net::prefer(ex, exec::relationship.continuation);
  BOOST_TEST((net::query(cont, exec::relationship) ==
      exec::relationship.continuation));

  auto tracked = id.run(4, [&] {
    return net::require(ex, exec::outstanding_work.tracked);
  });
  BOOST_TEST((net::query(tracked, exec::outstanding_work) ==
      exec::outstanding_work.tracked));
  // Later requirements keep the capture.
  auto later = net::prefer(net::require(tracked, exec::blocking.never),
      exec::relationship.fork);
  BOOST_TEST(later.has_snapshot());
  int seen = 0;
  later.execute([&] { seen = id.value_or(-1); });
  ioc.poll();  // run() would wait for the tracked executors to go
  BOOST_TEST(seen == 4);
  auto snap = tracked.captured_snapshot();
  snap.run([&] { BOOST_TEST(id.value_or(-1) == 4); });
}

BOOST_AUTO_TEST_CASE(any_io_executor_holds_it_without_allocating,
    *boost::unit_test::enable_if<test::allocation_counter::available>())
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  id.run(1, [&] {
    test::allocation_counter count;
    net::any_io_executor any(ex);
    auto tracked = net::prefer(any, net::execution::outstanding_work.tracked);
    BOOST_TEST(count.count() == 0u);
    using tracked_type = decltype(net::prefer(ex,
        net::execution::outstanding_work.tracked));
    BOOST_TEST_REQUIRE(tracked.target<tracked_type>() != nullptr);
    BOOST_TEST(tracked.target<tracked_type>()->has_snapshot());
  });
}

namespace {

template <class Ex>
struct chain
{
  void operator()()
  {
    *sum += *id.get();  // read the value in every hop
    if (--*left > 0)
      net::post(ex, *this);
  }

  Ex ex;
  int* left;
  long* sum;
};

// Allocations made by a chain of `hops` posts with id bound to 1. The plain
// executor does not propagate, so its chain runs with the binding made
// around ioc.run(); the wrapped one runs outside it and sees the binding
// only through propagation.
template <class Ex>
std::size_t allocations_per_chain(net::io_context& ioc, Ex ex, int hops,
    bool propagates)
{
  int left = hops;
  long sum = 0;
  al::detail::block_cache::trim();
  test::allocation_counter count;
  ioc.restart();
  if (propagates)
  {
    id.run(1, [&] { net::post(ex, chain<Ex>{ex, &left, &sum}); });
    ioc.run();
  }
  else
  {
    id.run(1, [&] {
      net::post(ex, chain<Ex>{ex, &left, &sum});
      ioc.run();
    });
  }
  BOOST_TEST(left == 0);
  BOOST_TEST(sum == hops);
  return count.count();
}

} // namespace

BOOST_AUTO_TEST_CASE(zero_allocations_per_hop,
    *boost::unit_test::enable_if<test::allocation_counter::available>())
{
  test::io_context ioc(1);
  auto plain = ioc.get_executor();
  auto wrapped = al::make_executor(ioc);
  // Warm Asio's recycling allocator up, then compare.
  allocations_per_chain(ioc, plain, 10, false);
  allocations_per_chain(ioc, wrapped, 10, true);
  std::size_t const p = allocations_per_chain(ioc, plain, 1000, false);
  std::size_t const w = allocations_per_chain(ioc, wrapped, 1000, true);
  // The one allocation is the binding id.run() makes, in both.
  BOOST_TEST(p == 1u);
  BOOST_TEST(w == p);
}

// Every executor the library hands out, held in an any_io_executor as I/O
// objects hold them: a post chain through it (each post makes tracked and
// never-blocking copies inside the any_io_executor) allocates no more than
// the same chain through Asio's own executor of that shape.
BOOST_AUTO_TEST_CASE(zero_allocations_per_hop_through_any_io_executor,
    *boost::unit_test::enable_if<test::allocation_counter::available>())
{
  test::io_context ioc(1);
  net::any_io_executor const plain(ioc.get_executor());
  net::any_io_executor const plain_strand(net::make_strand(ioc));
  net::any_io_executor const wrapped(al::make_executor(ioc));
  net::any_io_executor const strand(al::make_strand(ioc));
  // A strand over a type-erased executor is too big for the buffer, in
  // Asio as here: it must allocate no more than Asio's does.
  net::any_io_executor const plain_any_strand(net::make_strand(plain));
  net::any_io_executor const any_strand(al::make_strand(wrapped));

  auto const count = [&](net::any_io_executor const& ex, bool propagates) {
    allocations_per_chain(ioc, ex, 10, propagates);  // warm up
    return allocations_per_chain(ioc, ex, 1000, propagates);
  };
  std::size_t const p = count(plain, false);
  BOOST_TEST(count(plain_strand, false) == p);
  BOOST_TEST(count(wrapped, true) == p);
  BOOST_TEST(count(strand, true) == p);
  BOOST_TEST(count(any_strand, true) == count(plain_any_strand, false));
}

BOOST_AUTO_TEST_CASE(a_function_whose_copy_throws_leaks_nothing)
{
  using test::counted;
  struct throws_on_copy
  {
    throws_on_copy() = default;
    throws_on_copy(throws_on_copy const&) { throw std::runtime_error("copy"); }
    void operator()() const {}
  };
  al::variable<counted> v;
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  throws_on_copy f;
  v.run(counted(1), [&] {
    BOOST_CHECK_THROW(ex.execute(f), std::runtime_error);
  });
  BOOST_TEST(counted::live == 0);
}

BOOST_AUTO_TEST_CASE(untracked_work_carries_no_capture)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  auto tracked = id.run(1, [&] {
    return net::prefer(ex, net::execution::outstanding_work.tracked);
  });
  auto untracked = net::prefer(tracked, net::execution::outstanding_work.untracked);
  BOOST_TEST(!untracked.has_snapshot());
  // Through any_io_executor the property arrives as prefer_only<...>.
  net::any_io_executor any(tracked);
  auto any_untracked = net::prefer(any, net::execution::outstanding_work.untracked);
  BOOST_TEST(!any_untracked.target<decltype(untracked)>()->has_snapshot());
  int seen = 0;
  id.run(2, [&] { untracked.execute([&] { seen = id.value_or(-1); }); });
  ioc.poll();
  BOOST_TEST(seen == 2);
}

BOOST_AUTO_TEST_CASE(pending_operations_keep_values_alive)
{
  using test::counted;
  al::variable<counted> v;
  {
    // Plain: this test destroys the io_context with a handler unrun.
    net::io_context ioc;
    auto ex = al::make_executor(ioc);
    int seen = 0;
    v.run(counted(1), [&] {
      net::post(ex, [&] { seen = v.get()->value; });
    });
    BOOST_TEST(counted::live == 1);
    ioc.run();
    BOOST_TEST(seen == 1);
    BOOST_TEST(counted::live == 0);

    // Destroying the io_context with the handler never run releases it too.
    v.run(counted(2), [&] { net::post(ex, [] {}); });
    BOOST_TEST(counted::live == 1);
  }
  BOOST_TEST(counted::live == 0);
}

BOOST_AUTO_TEST_CASE(an_io_object_made_from_an_operations_executor_captures_afresh)
{
  // Inside async_compose, self.get_executor() is the executor Asio tracked
  // work on when the operation started, and it carries that operation's
  // capture (1). A timer made from it and waited on later, in context 3,
  // completes in context 3: the capture belongs to the operation, not to
  // every copy of its executor.
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  std::optional<net::any_io_executor> escaped;
  std::optional<net::any_io_executor> escaped_strand;
  id.run(1, [&] {
    auto token = [](error_code) {};
    net::async_compose<decltype(token), void(error_code)>(
        [&](auto& self) {
          BOOST_TEST(self.get_executor().has_snapshot());
          escaped.emplace(self.get_executor());
          escaped_strand.emplace(net::make_strand(self.get_executor()));
          self.complete(error_code());
        },
        token, ex);
  });
  ioc.poll();
  BOOST_TEST_REQUIRE(escaped.has_value());
  {
    net::steady_timer timer(*escaped, std::chrono::milliseconds(1));
    int seen = -2;
    id.run(3, [&] {
      timer.async_wait([&](error_code) { seen = id.value_or(-1); });
    });
    // The escaped executor and the timer count as work: run until the wait
    // completes, not until the io_context runs out.
    while (seen == -2)
      ioc.run_one();
    BOOST_TEST(seen == 3);

    // A strand made from it does not carry the old capture either.
    id.run(4, [&] {
      net::post(*escaped_strand, [&] { seen = id.value_or(-1); });
    });
    while (seen == 3)
      ioc.run_one();
    BOOST_TEST(seen == 4);
  }
  escaped.reset();
  escaped_strand.reset();
  ioc.run();
}

BOOST_AUTO_TEST_SUITE_END()
