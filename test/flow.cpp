//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Flow control: al::suppress_flow, and rebinding by token
// (variable::assign, variable::reset).

#include <boost/async_local/flow.hpp>

#include <boost/async_local/bind.hpp>
#include <boost/async_local/enable.hpp>
#include <boost/async_local/executor.hpp>
#include <boost/async_local/snapshot.hpp>
#include <boost/async_local/variable.hpp>
#include <boost/async_local/zone.hpp>

#include "common.hpp"
#include "initiations.hpp"

#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

namespace al = boost::async_local;

namespace {

al::variable<int> id;
al::variable<int> other;

int value()
{
  return id.value_or(-1);
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(test_flow, test::clean_thread)

// ---- suppress_flow ------------------------------------------------------

BOOST_AUTO_TEST_CASE(work_initiated_under_suppression_runs_in_the_empty_context)
{
  // The same initiations without the guard see the binding: the test can
  // tell.
  std::vector<int> const flows =
    test::initiate_everywhere(id, [](auto initiate) { initiate(); });
  std::vector<int> const suppressed =
    test::initiate_everywhere(id, [](auto initiate) {
      auto g = al::suppress_flow();
      BOOST_TEST(al::is_flow_suppressed());
      // The handler itself still sees its values.
      BOOST_TEST(value() == 1);
      initiate();
    });
  BOOST_TEST(flows.size() == suppressed.size());
  // Six paths, and a coroutine that reads twice where there is co_await.
#if defined(BOOST_ASYNC_LOCAL_TEST_CO_AWAIT)
  BOOST_TEST(flows.size() == 8u);
#else
  BOOST_TEST(flows.size() == 6u);
#endif
  BOOST_TEST(flows == std::vector<int>(flows.size(), 1),
      boost::test_tools::per_element());
  BOOST_TEST(suppressed == std::vector<int>(suppressed.size(), -1),
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_guard_lets_the_context_flow_again)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  std::vector<int> seen;
  id.run(1, [&] {
    BOOST_TEST(!al::is_flow_suppressed());
    {
      auto g = al::suppress_flow();
      BOOST_TEST(g.active());
      BOOST_TEST(al::snapshot::current().empty());
      net::post(ex, [&] { seen.push_back(value()); });
    }
    BOOST_TEST(!al::is_flow_suppressed());
    BOOST_TEST(!al::snapshot::current().empty());
    net::post(ex, [&] { seen.push_back(value()); });
    auto g = al::suppress_flow();
    g.restore();
    net::post(ex, [&] { seen.push_back(value()); });
  });
  ioc.run();
  BOOST_TEST(seen == (std::vector<int>{-1, 1, 1}),
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(bindings_made_under_suppression_do_not_flow)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  std::vector<int> seen;
  auto record = [&] {
    seen.push_back(value());
    seen.push_back(other.value_or(-1));
  };
  // Also from the empty context: suppression is not "nothing to capture".
  {
    auto g = al::suppress_flow();
    BOOST_TEST(al::is_flow_suppressed());
    id.run(2, [&] {
      BOOST_TEST(value() == 2);
      BOOST_TEST(al::is_flow_suppressed());
      net::post(ex, record);
    });
    auto g2 = other.set(3);
    net::post(ex, record);
  }
  id.run(1, [&] {
    auto g = al::suppress_flow();
    other.run(4, [&] {
      id.exit([&] {
        // exit keeps the suppression and the other variables.
        BOOST_TEST(al::is_flow_suppressed());
        BOOST_TEST(other.value_or(-1) == 4);
        net::post(ex, record);
      });
    });
  });
  // exit of a variable that is not bound changes nothing, suppression
  // included.
  other.run(4, [&] {
    auto g = al::suppress_flow();
    id.exit([&] {
      BOOST_TEST(al::is_flow_suppressed());
      BOOST_TEST(other.value_or(-1) == 4);
      net::post(ex, record);
    });
  });
  ioc.run();
  BOOST_TEST(seen == std::vector<int>(8, -1),
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(suppression_nests)
{
  id.run(1, [&] {
    auto g1 = al::suppress_flow();
    auto g2 = al::suppress_flow();
    // Already suppressed: nothing to undo.
    BOOST_TEST(!g2.active());
    g2.restore();
    BOOST_TEST(al::is_flow_suppressed());
    g1.restore();
    BOOST_TEST(!al::is_flow_suppressed());
    BOOST_TEST(value() == 1);
  });
}

// A handler run while another's suppression is in force (run inline from
// it) has its own context, and its own work flows: suppression belongs to
// the context it was made in, not to the thread.
BOOST_AUTO_TEST_CASE(suppression_does_not_reach_other_handlers)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  std::vector<int> seen;
  id.run(5, [&] {
    net::post(ex, [&] {
      BOOST_TEST(!al::is_flow_suppressed());
      net::post(ex, [&] { seen.push_back(value()); });
    });
  });
  id.run(1, [&] {
    auto g = al::suppress_flow();
    BOOST_TEST(ioc.run_one() == 1u);
    BOOST_TEST(al::is_flow_suppressed());
    BOOST_TEST(value() == 1);
  });
  ioc.run();
  BOOST_TEST(seen == (std::vector<int>{5}), boost::test_tools::per_element());
}

// A zone made under the guard is not the request's child, and the
// empty snapshot gives background work a zone of its own.
BOOST_AUTO_TEST_CASE(a_zone_made_under_suppression_is_not_the_requests)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  al::zone request("request");
  std::optional<al::zone> made_under_guard;
  std::optional<al::zone> background;
  request.run([&] {
    {
      auto g = al::suppress_flow();
      made_under_guard.emplace("under the guard");
    }
    BOOST_TEST(!made_under_guard->parent());
    id.run(1, [&] {
      al::snapshot().run([&] {
        background.emplace("background");
        background->run([&] {
          net::post(ex, [&] {
            BOOST_TEST((al::zone::current() == *background));
            BOOST_TEST(value() == -1);
          });
        });
      });
    });
  });
  BOOST_TEST(!background->parent());
  made_under_guard->run([&] { net::post(ex, [] {}); });
  BOOST_TEST(made_under_guard->pending() == 1u);
  BOOST_TEST(background->pending() == 1u);
  BOOST_TEST(request.pending() == 0u);
  ioc.run();
  BOOST_TEST(background->pending() == 0u);
}

BOOST_AUTO_TEST_CASE(work_initiated_under_suppression_leaves_its_zone)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  al::zone z("request");
  z.run([&] {
    {
      auto g = al::suppress_flow();
      // The code itself is still in the zone.
      BOOST_TEST((al::zone::current() == z));
      net::post(ex, [] { BOOST_TEST(!al::zone::current()); });
    }
    BOOST_TEST(z.pending() == 0u);
    net::post(ex, [] {});
  });
  BOOST_TEST(z.pending() == 1u);
  ioc.run();
  BOOST_TEST(z.pending() == 0u);
}

BOOST_AUTO_TEST_CASE(a_wait_for_idle_under_suppression_captures_nothing)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  al::zone z("request");
  std::vector<int> seen;
  id.run(1, [&] {
    z.run([&] {
      net::post(ex, [] {});
      // Outside the guard, the handler gets the caller's context without
      // the zone; under it, nothing.
      z.async_wait_idle(net::bind_executor(ioc, [&](error_code) {
        seen.push_back(value());
      }));
      auto g = al::suppress_flow();
      z.async_wait_idle(net::bind_executor(ioc, [&](error_code) {
        BOOST_TEST(!al::is_flow_suppressed());
        seen.push_back(value());
      }));
    });
  });
  ioc.run();
  BOOST_TEST(seen == (std::vector<int>{1, -1}),
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(disable_keeps_the_suppression)
{
  al::variable<int> v;
  v.run(1, [&] {
    id.run(2, [&] {
      auto g = al::suppress_flow();
      v.disable();
      BOOST_TEST(al::is_flow_suppressed());
      BOOST_TEST(value() == 2);
      BOOST_TEST(al::snapshot::current().empty());
    });
  });
}

BOOST_AUTO_TEST_CASE(suppression_is_per_thread)
{
  net::thread_pool pool(1);
  auto ex = al::make_executor(pool.get_executor());
  std::optional<int> seen;
  id.run(1, [&] {
    auto g = al::suppress_flow();
    std::thread t([&] {
      id.run(2, [&] {
        BOOST_TEST(!al::is_flow_suppressed());
        net::post(ex, [&] { seen = value(); });
      });
    });
    t.join();
  });
  pool.join();
  BOOST_TEST((seen == std::optional<int>(2)));
}

// ---- variable::assign and variable::reset -------------------------------

BOOST_AUTO_TEST_CASE(reset_restores_the_value_before_assign)
{
  al::variable<test::counted> v;
  int const live = test::counted::live;
  {
    auto t = v.assign(test::counted(1));
    BOOST_TEST(v.get()->value == 1);
    v.reset(std::move(t));
    BOOST_TEST(v.get() == nullptr);
    BOOST_TEST(test::counted::live == live);
  }
  v.run(test::counted(1), [&] {
    auto t = v.assign(test::counted(2));
    BOOST_TEST(v.get()->value == 2);
    // The token keeps the previous value, alone; the scope keeps it too.
    BOOST_TEST(test::counted::live == live + 3);  // 1, 2, and run's argument
    v.reset(std::move(t));
    BOOST_TEST(v.get()->value == 1);
    BOOST_TEST(test::counted::live == live + 2);
  });
  BOOST_TEST(test::counted::live == live);
}

BOOST_AUTO_TEST_CASE(reset_touches_only_its_variable)
{
  // In a scope of the empty context, which puts the thread back unbound.
  al::snapshot().run([&] {
    auto t = id.assign(1);
    auto g = other.assign(2);  // kept; a dropped token leaves the binding
    id.reset(std::move(t));
    BOOST_TEST(!t.active());  // spent
    BOOST_TEST(id.get() == nullptr);
    BOOST_TEST(other.value_or(-1) == 2);
    auto h = other.assign(3);
    BOOST_TEST(other.value_or(-1) == 3);
    other.reset(std::move(h));
    BOOST_TEST(other.value_or(-1) == 2);
    other.reset(al::variable<int>::token());  // an empty token: nothing
    BOOST_TEST(other.value_or(-1) == 2);
    other.reset(std::move(g));
    BOOST_TEST(other.get() == nullptr);
  });
}

// An assignment reset with nothing in between puts back the very context
// it replaced, so that guards around the pair still restore theirs (what
// every OpenTelemetry scope does, see otel.cpp).
BOOST_AUTO_TEST_CASE(an_assignment_reset_nests_inside_guards)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  std::vector<int> seen;
  id.run(1, [&] {
    al::snapshot const before = al::snapshot::current();
    {
      auto t = other.assign(7);
      BOOST_TEST((al::snapshot::current() != before));
      other.reset(std::move(t));
      BOOST_TEST((al::snapshot::current() == before));
    }
    {
      auto g = al::suppress_flow();
      auto t = other.assign(7);
      other.reset(std::move(t));
    }
    BOOST_TEST(!al::is_flow_suppressed());
    net::post(ex, [&] { seen.push_back(value()); });
    {
      auto g = other.set(5);
      auto t = id.assign(2);
      id.reset(std::move(t));
    }
    BOOST_TEST(other.get() == nullptr);
    BOOST_TEST(value() == 1);
    BOOST_TEST((al::snapshot::current() == before));
  });
  ioc.run();
  BOOST_TEST(seen == (std::vector<int>{1}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(tokens_reset_out_of_order)
{
  // As Python's ContextVar.reset: each token brings back the value its
  // assignment replaced, whatever happened since.
  id.run(0, [&] {
    auto t1 = id.assign(1);
    auto t2 = id.assign(2);
    auto t3 = id.assign(3);
    id.reset(std::move(t2));
    BOOST_TEST(value() == 1);
    id.reset(std::move(t1));
    BOOST_TEST(value() == 0);
    id.reset(std::move(t3));
    BOOST_TEST(value() == 2);
  });
  BOOST_TEST(id.get() == nullptr);
}

BOOST_AUTO_TEST_CASE(an_assignment_lasts_until_its_scope_ends)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  std::vector<int> seen;
  std::optional<al::variable<int>::token> token;
  id.run(1, [&] {
    net::post(ex, [&] {
      token = id.assign(2);
      net::post(ex, [&] {
        seen.push_back(value());  // propagated
        id.reset(std::move(*token));  // another handler: rebinds here
        seen.push_back(value());
      });
    });
    net::post(ex, [&] { seen.push_back(value()); });
  });
  BOOST_TEST(ioc.run_one() == 1u);
  BOOST_TEST(value() == -1);  // the handler's scope ended the assignment
  ioc.run();
  BOOST_TEST(seen == (std::vector<int>{1, 2, 1}),
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_token_from_another_variable_is_refused)
{
  auto t = other.assign(1);
  BOOST_CHECK_THROW(id.reset(std::move(t)), std::invalid_argument);
  BOOST_TEST(t.active());
  BOOST_TEST(other.value_or(-1) == 1);
  other.reset(std::move(t));  // refused tokens stay usable
  BOOST_TEST(other.get() == nullptr);
}

BOOST_AUTO_TEST_CASE(a_token_made_before_disable_resets_nothing)
{
  al::variable<test::counted> v;
  int const live = test::counted::live;
  v.run(test::counted(1), [&] {
    auto t = v.assign(test::counted(2));
    v.disable();
    v.reset(std::move(t));
    // The old value is never readable again.
    BOOST_TEST(v.get() == nullptr);
  });
  BOOST_TEST(test::counted::live == live);
}

BOOST_AUTO_TEST_CASE(while_off_assign_binds_nothing)
{
  al::set_enabled(false);
  auto t = id.assign(1);
  BOOST_TEST(id.get() == nullptr);
  id.reset(std::move(t));
  al::set_enabled(true);
  BOOST_TEST(id.get() == nullptr);
}

BOOST_AUTO_TEST_CASE(a_token_resets_on_another_thread)
{
  al::variable<test::counted> v;
  int const live = test::counted::live;
  std::optional<al::variable<test::counted>::token> token;
  v.run(test::counted(1), [&] { token = v.assign(test::counted(2)); });
  // Back outside: the assignment ended with run's scope; the token keeps
  // the context it replaced and the one it made, so both values.
  BOOST_TEST(test::counted::live == live + 2);
  std::thread([&] {
    v.reset(std::move(*token));
    token.reset();
    BOOST_TEST(v.get()->value == 1);
    // Outside every scope, the thread holds the binding until it exits.
  }).join();
  BOOST_TEST(test::counted::live == live);
}

BOOST_AUTO_TEST_SUITE_END()
