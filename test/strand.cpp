//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The strand specialisation comes with the executor header.
#include <boost/async_local/executor.hpp>

#include "isolation.hpp"
#include "modes.hpp"
#include "paths.hpp"

#include "net.hpp"

#include <optional>

namespace al = boost::async_local;
using paths::id;

namespace {

using io_executor = net::io_context::executor_type;

static_assert(std::is_same<decltype(net::make_strand(
    std::declval<al::propagating_executor<io_executor>>())),
    net::strand<al::propagating_executor<io_executor>>>::value, "");
static_assert(net::execution::is_executor<
    net::strand<al::propagating_executor<io_executor>>>::value, "");
// As small as Asio's own strand, so that it fits any_io_executor's buffer.
static_assert(sizeof(net::strand<al::propagating_executor<io_executor>>)
    == sizeof(net::strand<io_executor>), "");

// Both ways of composing a strand with the propagating executor.
template <class Mode>
void batch_runs_each_function_in_its_own_context(Mode m)
{
  // Queue several functions before the strand runs, so that it runs them as
  // one batch inside one call of its inner executor.
  test::io_context ioc;
  auto s = m.executor(ioc);
  paths::recorder r;
  for (int i = 1; i <= 5; ++i)
    id.run(i, [&] { net::post(s, r.expect(i)); });
  ioc.run();
  r.check(5);
}

template <class Mode>
void inline_dispatch_runs_in_the_captured_context(Mode m)
{
  test::io_context ioc;
  auto s = m.executor(ioc);
  // An executor tracked in context 2: what an operation started in context 2
  // completes through.
  std::optional<decltype(net::prefer(s,
      net::execution::outstanding_work.tracked))> tracked;
  id.run(2, [&] {
    tracked.emplace(net::prefer(s, net::execution::outstanding_work.tracked));
  });
  std::vector<int> seen;
  id.run(1, [&] {
    net::post(s, [&] {
      // Inside the strand, dispatch runs inline...
      bool ran = false;
      net::dispatch(s, [&] { ran = true; seen.push_back(id.value_or(-1)); });
      BOOST_TEST(ran);
      // ...and a function dispatched through the tracked executor runs
      // inline in the context captured for it, not in ours.
      ran = false;
      tracked->execute([&] { ran = true; seen.push_back(id.value_or(-1)); });
      BOOST_TEST(ran);
      tracked.reset();  // the outstanding work it counts
      seen.push_back(id.value_or(-1));
    });
  });
  ioc.run();
  BOOST_TEST(seen == (std::vector<int>{1, 2, 1}), boost::test_tools::per_element());
}

template <class Mode>
void serialises_under_two_threads(Mode m)
{
  test::io_context ioc(2);
  auto s = m.executor(ioc);
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  std::atomic<int> mismatches{0};
  std::atomic<int> runs{0};
  for (int i = 0; i < 2000; ++i)
    id.run(i, [&] {
      net::post(s, [&, i] {
        if (inside.fetch_add(1) != 0)
          ++overlaps;
        if (id.value_or(-1) != i)
          ++mismatches;
        // Dispatch from inside the strand runs inline, in our context.
        net::dispatch(s, [&, i] { mismatches += id.value_or(-1) != i; });
        inside.fetch_sub(1);
        ++runs;
      });
    });
  std::thread t([&] { ioc.run(); });
  ioc.run();
  t.join();
  BOOST_TEST(runs == 2000);
  BOOST_TEST(overlaps == 0);
  BOOST_TEST(mismatches == 0);
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(test_strand, test::clean_thread)

BOOST_AUTO_TEST_CASE(strand_of_wrapped_propagates_on_every_path)
{
  paths::all(modes::strand_of_wrapped{});
}

BOOST_AUTO_TEST_CASE(wrapped_strand_propagates_on_every_path)
{
  paths::all(modes::wrapped_strand{});
}

BOOST_AUTO_TEST_CASE(batch_strand_of_wrapped)
{
  batch_runs_each_function_in_its_own_context(modes::strand_of_wrapped{});
}

BOOST_AUTO_TEST_CASE(batch_wrapped_strand)
{
  batch_runs_each_function_in_its_own_context(modes::wrapped_strand{});
}

BOOST_AUTO_TEST_CASE(batch_wrapped_strand_of_type_erased_executor)
{
  // A strand made from any_io_executor is Asio's plain strand; wrapping it
  // puts the context outside it again.
  struct mode : modes::plain_handlers
  {
    auto executor(net::io_context& ctx) const
    {
      net::any_io_executor any(al::make_executor(ctx));
      return al::make_executor(net::make_strand(any));
    }
  };
  batch_runs_each_function_in_its_own_context(mode{});
}

// al::make_strand: a propagating strand whatever the executor, including
// the any_io_executor an I/O object or a coroutine on a propagating
// executor hands out.
struct al_make_strand_of_any : modes::plain_handlers
{
  template <class Ctx>
  auto executor(Ctx& ctx) const
  {
    return al::make_strand(net::any_io_executor(al::make_executor(ctx)));
  }
};

struct al_make_strand_of_plain : modes::plain_handlers
{
  template <class Ctx>
  auto executor(Ctx& ctx) const
  {
    return al::make_strand(ctx.get_executor());
  }
};

static_assert(std::is_same<
    decltype(al::make_strand(std::declval<al::propagating_executor<io_executor>>())),
    net::strand<al::propagating_executor<io_executor>>>::value,
    "over a propagating executor: the strand that propagates");
static_assert(std::is_same<decltype(al::make_strand(std::declval<io_executor>())),
    al::propagating_executor<net::strand<io_executor>>>::value,
    "over another executor: wrapped outside a new strand");

BOOST_AUTO_TEST_CASE(make_strand_propagates_on_every_path)
{
  paths::all(al_make_strand_of_any{});
  paths::all(al_make_strand_of_plain{});
  test::io_context ioc;
  auto s = al::make_strand(ioc);
  BOOST_TEST(s.running_in_this_thread() == false);
}

BOOST_AUTO_TEST_CASE(batch_make_strand_of_type_erased_executor)
{
  batch_runs_each_function_in_its_own_context(al_make_strand_of_any{});
  batch_runs_each_function_in_its_own_context(al_make_strand_of_plain{});
}

BOOST_AUTO_TEST_CASE(make_strand_no_binding_reaches_the_next_handler)
{
  // Handlers queued as one batch; each leaves a binding behind. The next
  // must see its own context, not the leftover. (Asio's plain strand of an
  // any_io_executor fails this: the batch runs in one context.)
  test::io_context ioc;
  auto s = al::make_strand(net::any_io_executor(al::make_executor(ioc)));
  std::vector<al::restore_guard> leftovers;
  std::vector<int> seen;
  for (int i = 1; i <= 4; ++i)
    id.run(i, [&] {
      net::post(s, [&] {
        seen.push_back(id.value_or(-1));
        leftovers.push_back(id.set(100));
      });
    });
  ioc.run();
  BOOST_TEST(seen == (std::vector<int>{1, 2, 3, 4}), boost::test_tools::per_element());
  BOOST_TEST(id.get() == nullptr);
}

BOOST_AUTO_TEST_CASE(inline_dispatch_strand_of_wrapped)
{
  inline_dispatch_runs_in_the_captured_context(modes::strand_of_wrapped{});
}

BOOST_AUTO_TEST_CASE(inline_dispatch_wrapped_strand)
{
  inline_dispatch_runs_in_the_captured_context(modes::wrapped_strand{});
}

BOOST_AUTO_TEST_CASE(two_threads_strand_of_wrapped)
{
  serialises_under_two_threads(modes::strand_of_wrapped{});
}

BOOST_AUTO_TEST_CASE(two_threads_wrapped_strand)
{
  serialises_under_two_threads(modes::wrapped_strand{});
}

BOOST_AUTO_TEST_CASE(isolation_two_threads_on_strands)
{
  // Every unit shares one strand here: interleaving inside a strand.
  auto r = isolation::run(modes::strand_of_wrapped{}, 2, 300);
  BOOST_TEST(r.steps == 1200);
  BOOST_TEST(r.mismatches == 0);
}

BOOST_AUTO_TEST_CASE(wrapped_strand_interface)
{
  test::io_context ioc;
  auto s = al::make_executor(net::make_strand(ioc));
  BOOST_TEST(!s.running_in_this_thread());
  bool inside = false;
  net::post(s, [&] { inside = s.running_in_this_thread(); });
  ioc.run();
  BOOST_TEST(inside);
}

BOOST_AUTO_TEST_CASE(strand_interface)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  auto s = net::make_strand(ex);
  BOOST_TEST((s.get_inner_executor() == ex));
  BOOST_TEST(!s.running_in_this_thread());
  auto s2 = s;
  BOOST_TEST((s2 == s));
  BOOST_TEST((net::make_strand(ex) != s));
  auto never = net::require(s, net::execution::blocking.never);
  static_assert(std::is_same<decltype(never),
      net::strand<al::propagating_executor<std::decay_t<decltype(net::require(
        ioc.get_executor(), net::execution::blocking.never))>>>>::value,
      "require keeps the strand shape");
  BOOST_TEST((net::query(never, net::execution::blocking) ==
      net::execution::blocking.never));
  BOOST_TEST(&net::query(s, net::execution::context) == &ioc);
  BOOST_TEST(id.run(1, [&] {
    return net::prefer(s, net::execution::outstanding_work.tracked);
  }).get_inner_executor().has_snapshot());
  bool inside = false;
  int ran = 0;
  net::post(s, [&] { ++ran; inside = s.running_in_this_thread(); });
  ioc.restart();  // the tracked executor's end of work stopped it
  ioc.run();
  BOOST_TEST(ran == 1);
  BOOST_TEST(inside);
}

BOOST_AUTO_TEST_CASE(every_copy_is_the_same_strand_whatever_its_properties)
{
  test::io_context ioc;
  auto s = al::make_strand(ioc);
  auto never = net::require(s, net::execution::blocking.never);
  auto tracked = net::prefer(s, net::execution::outstanding_work.tracked);
  auto cont = net::prefer(s, net::execution::relationship.continuation);
  bool in_never = false, in_tracked = false, in_cont = false;
  s.execute([&] {
    in_never = never.running_in_this_thread();
    in_tracked = tracked.running_in_this_thread();
    in_cont = cont.running_in_this_thread();
  });
  ioc.run_one();
  BOOST_TEST(in_never);
  BOOST_TEST(in_tracked);
  BOOST_TEST(in_cont);
  // The tracked copy counts work while it lives, and only then.
  ioc.restart();
  ioc.poll();
  BOOST_TEST(!ioc.stopped());
  { auto gone = std::move(tracked); }
  ioc.restart();
  ioc.poll();
  BOOST_TEST(ioc.stopped());
}

namespace {

// Counts what it allocates.
template <class T>
struct counting_allocator
{
  using value_type = T;

  explicit counting_allocator(int* n) noexcept : count(n) {}
  template <class U>
  counting_allocator(counting_allocator<U> const& o) noexcept
    : count(o.count) {}

  T* allocate(std::size_t n)
  {
    ++*count;
    return std::allocator<T>().allocate(n);
  }

  void deallocate(T* p, std::size_t n) noexcept
  {
    std::allocator<T>().deallocate(p, n);
  }

  friend bool operator==(counting_allocator const& a,
      counting_allocator const& b) noexcept
  {
    return a.count == b.count;
  }

  friend bool operator!=(counting_allocator const& a,
      counting_allocator const& b) noexcept
  {
    return a.count != b.count;
  }

  int* count;
};

} // namespace

BOOST_AUTO_TEST_CASE(a_copy_with_its_own_allocator_queues_with_it)
{
  test::io_context ioc;
  auto s = al::make_strand(ioc);
  int allocated = 0;
  auto a = net::require(s, net::execution::allocator(
      counting_allocator<void>(&allocated)));
  int seen = -1;
  bool same_strand = false;
  id.run(5, [&] {
    a.execute([&] {
      seen = *id.get();
      same_strand = s.running_in_this_thread();
    });
  });
  ioc.run();
  BOOST_TEST(seen == 5);
  BOOST_TEST(same_strand);
  BOOST_TEST(allocated > 0);
}

BOOST_AUTO_TEST_CASE(make_strand_of_a_strand_is_a_new_strand_that_propagates)
{
  test::io_context ioc;
  auto s = al::make_strand(ioc);
  auto t = al::make_strand(s);
  static_assert(std::is_same<decltype(t), decltype(s)>::value, "");
  BOOST_TEST((t != s));
  BOOST_TEST((t.get_inner_executor() == s.get_inner_executor()));
}

BOOST_AUTO_TEST_SUITE_END()
