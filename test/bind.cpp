//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that the header is self-contained.
#include <boost/async_local/bind.hpp>

#include "isolation.hpp"
#include "modes.hpp"
#include "paths.hpp"

#include "net.hpp"

#include <future>
#include <memory>
#include <thread>
#include <tuple>

namespace al = boost::async_local;
using paths::id;

BOOST_FIXTURE_TEST_SUITE(test_bind, test::clean_thread)

BOOST_AUTO_TEST_CASE(propagates_on_every_path_of_a_plain_executor)
{
  paths::all(modes::bound_handlers{});
}

BOOST_AUTO_TEST_CASE(isolation_one_thread)
{
  auto r = isolation::run(modes::bound_handlers{}, 1);
  BOOST_TEST(r.steps == 4000);
  BOOST_TEST(r.mismatches == 0);
}

BOOST_AUTO_TEST_CASE(isolation_two_threads)
{
  auto r = isolation::run(modes::bound_handlers{}, 2);
  BOOST_TEST(r.steps == 4000);
  BOOST_TEST(r.mismatches == 0);
}

BOOST_AUTO_TEST_CASE(plain_handler_call)
{
  auto h = id.run(1, [] { return al::bind_snapshot([](int x) { return id.value_or(-1) + x; }); });
  BOOST_TEST(h(10) == 11);
  auto const& ch = h;
  BOOST_TEST(ch(20) == 21);
  BOOST_TEST(std::move(h)(30) == 31);
  BOOST_TEST(id.get() == nullptr);
  al::snapshot s = id.run(5, [] { return al::snapshot::current(); });
  BOOST_TEST(al::bind_snapshot(s, [] { return id.value_or(-1); })() == 5);
  BOOST_TEST((al::bind_snapshot(s, 0).get_snapshot() == s));
}

BOOST_AUTO_TEST_CASE(bound_snapshot_wins_over_executor_capture)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  paths::recorder r;
  paths::steady_timer<decltype(ex)> timer(ex, std::chrono::milliseconds(1));
  al::snapshot s = id.run(2, [] { return al::snapshot::current(); });
  id.run(1, [&] { timer.async_wait(al::bind_snapshot(s, r.expect(2))); });
  ioc.run();
  r.check(1);
}

BOOST_AUTO_TEST_CASE(every_step_of_a_composed_operation_runs_in_the_bound_snapshot)
{
  // Initiated in context 1, bound to context 2: the initiating step, every
  // intermediate step and the handler see 2; on either kind of executor.
  test::io_context ioc;
  paths::recorder r;
  al::snapshot s = id.run(2, [] { return al::snapshot::current(); });
  paths::steady_timer<net::any_io_executor> plain(ioc.get_executor());
  paths::steady_timer<net::any_io_executor> wrapped(al::make_executor(ioc));
  id.run(1, [&] {
    paths::async_three_steps(plain, r, 2, al::bind_snapshot(s, r.expect(2)));
    paths::async_three_steps(wrapped, r, 2, al::bind_snapshot(s, r.expect(2)));
  });
  ioc.run();
  r.check(10);
}

// Each adapter (given the io_context and a handler or token) wrapped around a bound handler and a bound adapter, with the
// bound token passed as an rvalue, an lvalue and a const lvalue.
// Of Asio 1.81's own adapters only as_tuple accepts a const lvalue token
// (the others pass the inner token to a non-const reference or move from
// it), so for those the const case is left out.
enum class tokens { all, no_const };

template <tokens Which = tokens::all, class Adapt>
void compose_with(Adapt adapt)
{
  test::io_context ioc;
  paths::recorder r;
  net::steady_timer t1(ioc), t2(ioc), t3(ioc), t4(ioc), t5(ioc), t6(ioc);
  for (auto* t : {&t1, &t2, &t3, &t4, &t5, &t6})
    t->expires_after(std::chrono::milliseconds(1));
  id.run(1, [&] {
    t1.async_wait(adapt(ioc, al::bind_snapshot(r.expect(1))));
    auto lvalue = adapt(ioc, al::bind_snapshot(r.expect(1)));
    t2.async_wait(lvalue);
    auto const clvalue = adapt(ioc, al::bind_snapshot(r.expect(1)));
    if constexpr (Which == tokens::all)
      t3.async_wait(clvalue);

    t4.async_wait(al::bind_snapshot(adapt(ioc, r.expect(1))));
    auto lbound = al::bind_snapshot(adapt(ioc, r.expect(1)));
    t5.async_wait(lbound);
    auto const cbound = al::bind_snapshot(adapt(ioc, r.expect(1)));
    if constexpr (Which == tokens::all)
      t6.async_wait(cbound);
  });
  ioc.run();
  r.check(Which == tokens::all ? 6 : 4);
}

BOOST_AUTO_TEST_CASE(const_lvalue_bound_handler)
{
  compose_with([](auto&, auto h) { return h; });
}

BOOST_AUTO_TEST_CASE(composes_with_as_tuple)
{
  compose_with([](auto&, auto h) { return net::as_tuple(std::move(h)); });
}

BOOST_AUTO_TEST_CASE(composes_with_redirect_error)
{
  static error_code ec;
  compose_with<tokens::no_const>([](auto&, auto h) { return net::redirect_error(std::move(h), ec); });
}

BOOST_AUTO_TEST_CASE(composes_with_consign)
{
  compose_with<tokens::no_const>([](auto&, auto h) {
    return net::consign(std::move(h), std::make_shared<int>(1));
  });
}

BOOST_AUTO_TEST_CASE(composes_with_bind_executor)
{
  compose_with<tokens::no_const>([](net::io_context& ioc, auto h) {
    return net::bind_executor(net::make_strand(ioc), std::move(h));
  });
}

BOOST_AUTO_TEST_CASE(composes_with_bind_cancellation_slot)
{
  net::cancellation_signal sig;
  compose_with<tokens::no_const>([&](auto&, auto h) {
    return net::bind_cancellation_slot(sig.slot(), std::move(h));
  });
}

BOOST_AUTO_TEST_CASE(composes_with_bind_allocator)
{
  compose_with<tokens::no_const>([](auto&, auto h) {
    return net::bind_allocator(std::allocator<void>(), std::move(h));
  });
}

namespace {

template <class T>
struct tagged_allocator : std::allocator<T>
{
  tagged_allocator() = default;
  explicit tagged_allocator(int t) : tag(t) {}
  template <class U>
  tagged_allocator(tagged_allocator<U> const& o) : tag(o.tag) {}
  template <class U>
  struct rebind { using other = tagged_allocator<U>; };
  int tag = 0;
  friend bool operator==(tagged_allocator const& a, tagged_allocator const& b)
  {
    return a.tag == b.tag;
  }
  friend bool operator!=(tagged_allocator const& a, tagged_allocator const& b)
  {
    return a.tag != b.tag;
  }
};

} // namespace

BOOST_AUTO_TEST_CASE(associations_pass_through)
{
  // Allocator and cancellation slot: the target's. The executor: the
  // target's, wrapped so that it runs functions in the bound snapshot (see
  // test_bind_composed for what that does for composed operations).
  test::io_context io1;
  test::io_context io2;
  net::cancellation_signal sig;
  auto h = net::bind_executor(io2.get_executor(),
      net::bind_allocator(tagged_allocator<void>(7),
        net::bind_cancellation_slot(sig.slot(), [](error_code) {})));
  auto b = al::bind_snapshot(h);
  auto ex = net::get_associated_executor(b, io1.get_executor());
  BOOST_TEST((ex.get_inner_executor() == io2.get_executor()));
  BOOST_TEST((ex.captured_snapshot() == b.get_snapshot()));
  BOOST_TEST(net::get_associated_allocator(b).tag == 7);
  BOOST_TEST((net::get_associated_cancellation_slot(b) == sig.slot()));

  // Without associations, the defaults come through.
  auto plain = al::bind_snapshot([](error_code) {});
  BOOST_TEST((net::get_associated_executor(plain, io1.get_executor())
      .get_inner_executor() == io1.get_executor()));
  BOOST_TEST(!net::get_associated_cancellation_slot(plain).is_connected());
}

BOOST_AUTO_TEST_CASE(associated_executor_runs_the_handler)
{
  // A timer on io1, its handler bound to io2: only io2 runs it, and in the
  // bound snapshot.
  test::io_context io1;
  test::io_context io2;
  net::steady_timer timer(io1, std::chrono::milliseconds(1));
  int seen = 0;
  id.run(8, [&] {
    timer.async_wait(al::bind_snapshot(net::bind_executor(io2, [&](error_code) {
      seen = id.value_or(-1);
    })));
  });
  io1.run();
  BOOST_TEST(seen == 0);
  io2.run();
  BOOST_TEST(seen == 8);
}

BOOST_AUTO_TEST_CASE(cancellation_completes_in_the_bound_snapshot)
{
  test::io_context ioc;
  net::cancellation_signal sig;
  net::steady_timer timer(ioc, std::chrono::hours(1));
  error_code result;
  int seen = 0;
  id.run(9, [&] {
    timer.async_wait(al::bind_snapshot(net::bind_cancellation_slot(sig.slot(),
        [&](error_code ec) { result = ec; seen = id.value_or(-1); })));
  });
  ioc.poll();
  sig.emit(net::cancellation_type::terminal);
  ioc.run();
  BOOST_TEST(result == net::error::operation_aborted);
  BOOST_TEST(seen == 9);
}

BOOST_AUTO_TEST_CASE(token_use_future)
{
  // The future's packaged function runs in the bound snapshot; get() on the
  // main thread leaves the main thread's context alone.
  test::io_context ioc;
  net::steady_timer timer(ioc, std::chrono::milliseconds(1));
  std::future<int> f = id.run(4, [&] {
    return timer.async_wait(al::bind_snapshot(net::use_future([](error_code) {
      return id.value_or(-1);
    })));
  });
  std::thread t([&] { ioc.run(); });
  BOOST_TEST(f.get() == 4);
  t.join();
  BOOST_TEST(id.get() == nullptr);
}

BOOST_AUTO_TEST_CASE(token_deferred)
{
  // The snapshot is captured when the token is bound, and the deferred
  // operation's handler runs in it whenever the operation is launched.
  test::io_context ioc;
  net::steady_timer timer(ioc, std::chrono::milliseconds(1));
  paths::recorder r;
  auto op = id.run(5, [&] { return timer.async_wait(al::bind_snapshot(net::deferred)); });
  id.run(6, [&] { std::move(op)(r.expect(5)); });
  // Composed with deferred's continuation: the whole chain keeps it.
  net::steady_timer timer2(ioc, std::chrono::milliseconds(1));
  auto chain = id.run(7, [&] {
    return timer2.async_wait(al::bind_snapshot(net::deferred([&](error_code) {
      r.step(7);
      return net::post(ioc, net::deferred);
    })));
  });
  std::move(chain)(r.expect(-1));  // the continuation's own post is not bound
  ioc.run();
  r.check(3);
}

BOOST_AUTO_TEST_CASE(token_detached_keeps_the_context_alive_until_completion)
{
  using test::counted;
  al::variable<counted> v;
  test::io_context ioc;
  net::steady_timer timer(ioc, std::chrono::milliseconds(1));
  v.run(counted(1), [&] { timer.async_wait(al::bind_snapshot(net::detached)); });
  BOOST_TEST(counted::live == 1);  // held by the pending operation
  ioc.run();
  BOOST_TEST(counted::live == 0);
}

#if BOOST_ASYNC_LOCAL_TEST_SPAWN
BOOST_AUTO_TEST_CASE(token_yield_context,
    *boost::unit_test::enable_if<test::stackful_coroutines_supported>())
{
  // On a plain executor, a bound yield keeps the context across that wait.
  test::io_context ioc;
  std::vector<int> seen;
  net::spawn(ioc, [&](net::yield_context yield) {
    net::steady_timer timer(ioc, std::chrono::milliseconds(1));
    id.run(3, [&] {
      timer.async_wait(al::bind_snapshot(yield));
      seen.push_back(id.value_or(-1));
    });
  }, net::detached);
  ioc.run();
  BOOST_TEST(seen == (std::vector<int>{3}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_coroutine_suspended_at_a_bound_yield_leaves_no_binding,
    *boost::unit_test::enable_if<test::stackful_coroutines_supported>())
{
  // The run(3) around the wait is still open when the coroutine suspends;
  // the thread goes on to other handlers, and out of run(), without it.
  test::io_context ioc;
  int other = 0;
  int resumed = 0;
  net::spawn(ioc, [&](net::yield_context yield) {
    net::steady_timer timer(ioc, std::chrono::milliseconds(1));
    id.run(3, [&] {
      net::post(ioc, [&] { other = id.value_or(-1); });
      timer.async_wait(al::bind_snapshot(yield));
      resumed = id.value_or(-1);
    });
  }, net::detached);
  ioc.run();
  BOOST_TEST(other == -1);
  BOOST_TEST(resumed == 3);
  BOOST_TEST(!id.get());
}
#endif // BOOST_ASYNC_LOCAL_TEST_SPAWN

#if defined(BOOST_ASYNC_LOCAL_TEST_CO_AWAIT)
BOOST_AUTO_TEST_CASE(token_use_awaitable)
{
  // On a plain executor, a bound use_awaitable keeps the context across that
  // co_await; an unbound one does not (the coroutine resumes in whatever the
  // resuming thread has).
  test::io_context ioc;
  std::vector<int> seen;
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    net::steady_timer timer(ioc, std::chrono::milliseconds(1));
    auto g = id.set(2);
    co_await timer.async_wait(al::bind_snapshot(net::use_awaitable));
    seen.push_back(id.value_or(-1));
    timer.expires_after(std::chrono::milliseconds(1));
    co_await timer.async_wait(al::bind_snapshot(net::as_tuple(net::use_awaitable)));
    seen.push_back(id.value_or(-1));
  }, net::detached);
  ioc.run();
  BOOST_TEST(seen == (std::vector<int>{2, 2}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_coroutine_suspended_at_a_bound_await_leaves_no_binding)
{
  // The guard of set(2) is held across the co_await; the thread goes on to
  // other handlers, and out of run(), without it.
  test::io_context ioc;
  int other = 0;
  int resumed = 0;
  net::co_spawn(ioc, [&]() -> net::awaitable<void> {
    net::steady_timer timer(ioc, std::chrono::milliseconds(1));
    auto g = id.set(2);
    net::post(ioc, [&] { other = id.value_or(-1); });
    co_await timer.async_wait(al::bind_snapshot(net::use_awaitable));
    resumed = id.value_or(-1);
  }, net::detached);
  ioc.run();
  BOOST_TEST(other == -1);
  BOOST_TEST(resumed == 2);
  BOOST_TEST(!id.get());
}

BOOST_AUTO_TEST_CASE(spawning_code_keeps_its_context_on_a_propagating_executor)
{
  // co_spawn from a handler running on the executor starts the coroutine
  // inline; its suspension at a bound token empties the thread, but the
  // start is a scope of its own, so the spawning handler keeps its context.
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  int after_spawn = 0;
  int resumed = 0;
  net::steady_timer timer(ex, std::chrono::milliseconds(1));
  id.run(4, [&] {
    net::post(ex, [&] {
      net::co_spawn(ex, [&]() -> net::awaitable<void> {
        auto g = id.set(5);
        co_await timer.async_wait(al::bind_snapshot(net::use_awaitable));
        resumed = id.value_or(-1);
      }, net::detached);
      after_spawn = id.value_or(-1);
    });
  });
  ioc.run();
  BOOST_TEST(after_spawn == 4);
  BOOST_TEST(resumed == 5);
}
#endif

BOOST_AUTO_TEST_SUITE_END()
