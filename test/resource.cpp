//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// al::resource: code that schedules its own callbacks joins the operation
// tree, and its callbacks run in the requester's context.

#include <boost/async_local/resource.hpp>

#include <boost/async_local/executor.hpp>
#include <boost/async_local/variable.hpp>

#include "common.hpp"

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace al = boost::async_local;

namespace {

al::variable<int> id;

struct log_hooks : al::async_hooks
{
  void init(al::async_id i, al::async_id t, char const* type) noexcept override
  {
    log += "i" + std::to_string(i - base) + "<" + std::to_string(t ? t - base : 0)
      + ":" + type + " ";
  }
  void before(al::async_id i) noexcept override
  {
    log += "b" + std::to_string(i - base) + " ";
  }
  void after(al::async_id i) noexcept override
  {
    log += "a" + std::to_string(i - base) + " ";
  }
  void destroy(al::async_id i) noexcept override
  {
    log += "d" + std::to_string(i - base) + " ";
  }

  // Ids relative to the last one handed out before the test.
  al::async_id base = al::detail::async_id_counter.load();
  std::string log;
};

int value()
{
  int const* v = id.get();
  return v ? *v : -1;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(test_resource, test::clean_thread)

BOOST_AUTO_TEST_CASE(run_calls_in_the_captured_context_as_the_operation)
{
  log_hooks h;
  auto reg = al::install_hooks(h);
  std::unique_ptr<al::resource> r;
  id.run(7, [&] { r = std::make_unique<al::resource>("queue"); });
  BOOST_TEST(h.log == "i1<0:resource:queue ");
  BOOST_TEST(r->id() == h.base + 1);
  BOOST_TEST(r->trigger_id() == 0u);
  id.run(8, [&] {
    int const got = r->run([](int add) {
      BOOST_TEST(value() == 7);
      return al::execution_id() * 100 + al::trigger_id() + add;
    }, 1);
    BOOST_TEST(got == static_cast<int>(r->id() * 100 + 1));
    BOOST_TEST(value() == 8);
  });
  BOOST_TEST(h.log == "i1<0:resource:queue b1 a1 ");
  r.reset();
  BOOST_TEST(h.log == "i1<0:resource:queue b1 a1 d1 ");
  BOOST_TEST(al::execution_id() == 0u);
}

BOOST_AUTO_TEST_CASE(has_an_id_without_hooks)
{
  al::resource a("a"), b("b");
  BOOST_TEST(a.id() != 0u);
  BOOST_TEST(b.id() > a.id());
  BOOST_TEST(a.run([] { return al::execution_id(); }) == a.id());
}

BOOST_AUTO_TEST_CASE(trigger_is_the_code_that_made_it)
{
  log_hooks h;
  auto reg = al::install_hooks(h);
  al::resource outer("outer");
  std::unique_ptr<al::resource> inner;
  outer.run([&] { inner = std::make_unique<al::resource>("inner"); });
  BOOST_TEST(inner->trigger_id() == outer.id());
  inner.reset();
  BOOST_TEST(h.log == "i1<0:resource:outer b1 i2<1:resource:inner a1 d2 ");
}

BOOST_AUTO_TEST_CASE(after_is_reported_when_the_function_throws)
{
  log_hooks h;
  auto reg = al::install_hooks(h);
  {
    al::resource r("r");
    id.run(1, [&] {
      BOOST_CHECK_THROW(r.run([] { throw std::runtime_error("f"); }),
          std::runtime_error);
      BOOST_TEST(value() == 1);
    });
  }
  BOOST_TEST(h.log == "i1<0:resource:r b1 a1 d1 ");
}

BOOST_AUTO_TEST_CASE(bindings_left_behind_are_discarded)
{
  al::resource r("r");
  al::restore_guard escaped;
  r.run([&] { escaped = id.set(5); });  // outlives the run
  BOOST_TEST(value() == -1);
}

BOOST_AUTO_TEST_CASE(wrap_outlives_the_resource)
{
  log_hooks h;
  auto reg = al::install_hooks(h);
  std::function<int()> f;
  id.run(3, [&] {
    al::resource r("emitter");
    f = r.wrap([] { return value(); });
  });
  BOOST_TEST(h.log == "i1<0:resource:emitter ");
  BOOST_TEST(f() == 3);
  BOOST_TEST(f() == 3);
  BOOST_TEST(h.log == "i1<0:resource:emitter b1 a1 b1 a1 ");
  f = nullptr;
  BOOST_TEST(h.log == "i1<0:resource:emitter b1 a1 b1 a1 d1 ");
}

BOOST_AUTO_TEST_CASE(moved_from_resource_reports_nothing)
{
  log_hooks h;
  auto reg = al::install_hooks(h);
  {
    al::resource a("a");
    al::resource b(std::move(a));
    BOOST_TEST(a.id() == 0u);
    BOOST_TEST(b.id() == h.base + 1);
    al::resource c("c");
    c = std::move(b);
    BOOST_TEST(c.id() == h.base + 1);
  }
  BOOST_TEST(h.log == "i1<0:resource:a i2<0:resource:c d2 d1 ");
}

BOOST_AUTO_TEST_CASE(a_wrapped_handler_keeps_its_associations)
{
  test::io_context main_ioc, other_ioc;
  net::cancellation_signal sig;
  std::unique_ptr<al::resource> r;
  id.run(4, [&] { r = std::make_unique<al::resource>("handler"); });
  bool ran = false;
  auto h = r->wrap(net::bind_cancellation_slot(sig.slot(),
      net::bind_executor(other_ioc, [&](error_code ec) {
        ran = true;
        BOOST_TEST(ec == net::error::operation_aborted);
        BOOST_TEST(value() == 4);
        BOOST_TEST(al::execution_id() == r->id());
        BOOST_TEST(other_ioc.get_executor().running_in_this_thread());
      })));
  BOOST_TEST((net::get_associated_executor(h) == other_ioc.get_executor()));
  BOOST_TEST(net::get_associated_cancellation_slot(h).is_connected());
  net::steady_timer t(main_ioc, std::chrono::hours(1));
  t.async_wait(std::move(h));
  sig.emit(net::cancellation_type::terminal);
  main_ioc.run();
  BOOST_TEST(!ran);
  other_ioc.run();
  BOOST_TEST(ran);
}

// A target whose move throws: the binder it was moved from keeps the
// resource, and destroy is still reported once.
BOOST_AUTO_TEST_CASE(a_throwing_move_keeps_the_reference)
{
  struct throwing_move
  {
    throwing_move() = default;
    throwing_move(throwing_move const&) = default;
    throwing_move(throwing_move&&) { throw std::runtime_error("move"); }
    void operator()() const {}
  };
  log_hooks h;
  auto reg = al::install_hooks(h);
  {
    al::resource r("r");
    throwing_move const target;
    auto b = r.wrap(target);
    BOOST_CHECK_THROW(
        (al::resource_binder<throwing_move>(std::move(b))), std::runtime_error);
    BOOST_TEST(b.id() == r.id());
  }
  BOOST_TEST(h.log == "i1<0:resource:r d1 ");
}

BOOST_AUTO_TEST_CASE(run_on_two_threads_at_once)
{
  al::resource r("shared");
  std::atomic<int> wrong{0};
  auto work = [&] {
    for (int i = 0; i < 10000; ++i)
      r.run([&] {
        if (al::execution_id() != r.id())
          ++wrong;
      });
  };
  std::thread t(work);
  work();
  t.join();
  BOOST_TEST(wrong.load() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
