//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The library compiled out: BOOST_ASYNC_LOCAL_DISABLE for a whole program
// (a module of its own; the suite's translation units are built without it).
// Every API compiles with its usual signature and does nothing.

#if !defined(BOOST_ASYNC_LOCAL_DISABLE)
# error "built with BOOST_ASYNC_LOCAL_DISABLE only"
#endif

#define BOOST_TEST_MODULE boost_async_local_disabled
#if defined(BOOST_ASYNC_LOCAL_TEST_HEADER_ONLY)
# include <boost/test/included/unit_test.hpp>
#else
# include <boost/test/unit_test.hpp>
#endif

#include <boost/async_local.hpp>

#include "net.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <typeinfo>
#include <vector>

namespace al = boost::async_local;
namespace detail = boost::async_local::detail;
using namespace std::chrono_literals;

namespace {

al::variable<int> id;

int value()
{
  return id.value_or(-1);
}

// Counts the operations hooks hear of.
struct counting_hooks : al::async_hooks
{
  int inits = 0;
  void init(al::async_id, al::async_id, char const*) noexcept override
  {
    ++inits;
  }
};

} // namespace

static_assert(!detail::compiled_in, "");
static_assert(!detail::records_operations, "");

BOOST_AUTO_TEST_CASE(off_for_good)
{
  BOOST_TEST(!al::is_enabled());
  al::set_enabled(true);
  BOOST_TEST(!al::is_enabled());
}

BOOST_AUTO_TEST_CASE(variables_bind_nothing)
{
  int const r = id.run(1, [](int a) { return a + value(); }, 2);
  BOOST_TEST(r == 1);  // 2 + -1
  auto g = id.set(2);
  BOOST_TEST(!g.active());
  BOOST_TEST(id.get() == nullptr);
  id.exit([] {});
  id.disable();
  auto t = id.assign(3);
  BOOST_TEST(!t.active());
  BOOST_TEST(id.get() == nullptr);
  id.reset(std::move(t));
  auto f = al::suppress_flow();
  BOOST_TEST(!f.active());
  BOOST_TEST(!al::is_flow_suppressed());
  BOOST_TEST(al::snapshot::current().empty());
  BOOST_TEST(detail::current_node == nullptr);
}

BOOST_AUTO_TEST_CASE(change_callbacks_are_never_called)
{
  int calls = 0;
  al::variable<int> watched("watched",
      [&](int const*, int const*, bool) { ++calls; });
  watched.run(1, [] {});
  auto g = watched.set(2);
  auto t = watched.assign(3);
  watched.reset(std::move(t));
  watched.disable();
  BOOST_TEST(calls == 0);
  BOOST_TEST(!detail::watching.load());
}

// An inner executor that keeps the type of what it is given.
struct spy_executor
{
  std::type_info const** seen;

  template <class F>
  void execute(F&&) const
  {
    *seen = &typeid(std::decay_t<F>);
  }

  friend bool operator==(spy_executor const&, spy_executor const&) noexcept
  {
    return true;
  }
};

struct function
{
  void operator()() const {}
};

BOOST_AUTO_TEST_CASE(executors_pass_functions_straight_through)
{
  // The wrapper hands the inner executor the function itself, not a
  // function carrying a context.
  std::type_info const* seen = nullptr;
  al::propagating_executor<spy_executor> spy(spy_executor{&seen});
  spy.execute(function{});
  BOOST_TEST((seen && *seen == typeid(function)));
  seen = nullptr;
  std::move(spy).execute(function{});
  BOOST_TEST((seen && *seen == typeid(function)));
}

BOOST_AUTO_TEST_CASE(executors_run_functions_in_no_context)
{
  net::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  auto strand = al::make_strand(ioc.get_executor());
  net::steady_timer timer(ex, 1ms);
  counting_hooks hooks;
  auto installed = al::install_hooks(hooks);
  std::vector<int> seen;
  auto record = [&] {
    seen.push_back(value());
    BOOST_TEST(detail::current_node == nullptr);
  };
  id.run(1, [&] {
    net::post(ex, record);
    net::dispatch(ex, record);
    net::defer(ex, record);
    net::post(strand, record);
    net::dispatch(strand, record);
    timer.async_wait([&](error_code ec) {
      BOOST_TEST(!ec);
      record();
    });
    net::post(ioc, al::bind_snapshot(record));
#if defined(BOOST_ASYNC_LOCAL_TEST_CO_AWAIT)
    net::co_spawn(ex, [&]() -> net::awaitable<void> {
      net::steady_timer t(co_await net::this_coro::executor, 1ms);
      co_await t.async_wait(net::use_awaitable);
      record();
    }, net::detached);
#endif
  });
  ioc.run();
  BOOST_TEST(seen.size() >= 7u);
  BOOST_TEST(seen == std::vector<int>(seen.size(), -1),
      boost::test_tools::per_element());
  // No operation is recorded for a hook: the hop makes no test.
  BOOST_TEST(hooks.inits == 0);
}

BOOST_AUTO_TEST_CASE(zones_run_their_function_and_count_nothing)
{
  net::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  al::zone z(ioc.get_executor(), "request");
  int calls = 0;
  z.run([&] {
    ++calls;
    BOOST_TEST(!al::zone::current());
    net::post(ex, [&] { ++calls; });
  });
  BOOST_TEST(z.pending() == 0u);
  ioc.run();
  BOOST_TEST(calls == 2);
  bool idle = false;
  z.async_wait_idle(net::bind_executor(ioc, [&](error_code ec) {
    idle = !ec;
  }));
  ioc.restart();
  ioc.run();
  BOOST_TEST(idle);
}
