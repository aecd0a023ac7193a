//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// al::context_loss_detector: work started with no context from a handler
// the library did not run is reported; work on the paths that propagate is
// not.

#include <boost/async_local/context_loss_detector.hpp>

#include <boost/async_local/bind.hpp>
#include <boost/async_local/executor.hpp>
#include <boost/async_local/resource.hpp>
#include <boost/async_local/variable.hpp>

#include "common.hpp"

#include <mutex>
#include <string>
#include <vector>

namespace al = boost::async_local;

namespace {

al::variable<int> id;

struct reports
{
  std::mutex mutex;
  std::vector<std::string> types;

  std::function<void(al::context_loss_detector::report const&)> sink()
  {
    return [this](al::context_loss_detector::report const& r) {
      std::lock_guard<std::mutex> lock(mutex);
      types.push_back(r.type);
    };
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(test_context_loss_detector, test::clean_thread)

BOOST_AUTO_TEST_CASE(work_started_from_a_plain_timer_handler)
{
  test::io_context ioc;
  reports seen;
  al::context_loss_detector detector(ioc.get_executor(), seen.sink());
  auto reg = al::install_hooks(detector);
  auto ex = al::make_executor(ioc);
  net::steady_timer plain(ioc, std::chrono::milliseconds(1));
  id.run(1, [&] {
    plain.async_wait([&](error_code) {
      BOOST_TEST(!id.get());  // the plain timer does not propagate
      net::post(ex, [] {});
    });
  });
  ioc.run();
  BOOST_TEST(detector.count() == 1u);
  BOOST_TEST_REQUIRE(seen.types.size() == 1u);
  BOOST_TEST(seen.types[0] == "post");
}

// A handler bound to a plain strand, given to a socket on a propagating
// executor, runs with no context (a documented limit): the detector names
// the work it starts.
BOOST_AUTO_TEST_CASE(handler_bound_to_a_plain_strand)
{
  test::io_context ioc;
  reports seen;
  al::context_loss_detector detector(ioc.get_executor(), seen.sink());
  auto reg = al::install_hooks(detector);
  auto ex = al::make_executor(ioc);
  net::local::stream_protocol::socket a(ex), b(ioc);
  net::local::connect_pair(a, b);
  auto plain_strand = net::make_strand(ioc);
  net::steady_timer timer(ex);
  char buf[4];
  id.run(7, [&] {
    a.async_read_some(net::buffer(buf), net::bind_executor(plain_strand,
        [&](error_code, std::size_t) {
          BOOST_TEST(!id.get());
          timer.expires_after(std::chrono::milliseconds(0));
          timer.async_wait([](error_code) {});
        }));
  });
  net::write(b, net::buffer("abc", 3));
  ioc.run();
  BOOST_TEST_REQUIRE(seen.types.size() == 1u);
  BOOST_TEST(seen.types[0] == "operation");
}

BOOST_AUTO_TEST_CASE(no_report_on_the_paths_that_propagate)
{
  test::io_context ioc;
  reports seen;
  al::context_loss_detector detector(ioc.get_executor(), seen.sink());
  auto reg = al::install_hooks(detector);
  auto ex = al::make_executor(ioc);
  net::steady_timer wrapped(ex, std::chrono::milliseconds(1));
  net::steady_timer plain(ioc, std::chrono::milliseconds(1));
  net::steady_timer plain2(ioc, std::chrono::milliseconds(1));
  std::unique_ptr<al::resource> r;
  // Top level, with and without a context: not inside a handler.
  net::post(ex, [&] {
    // Run by the propagating executor, with no context: its own run.
    net::post(ex, [] {});
  });
  id.run(2, [&] {
    r = std::make_unique<al::resource>("callback");
    wrapped.async_wait([&](error_code) { net::post(ex, [] {}); });
    plain.async_wait(al::bind_snapshot([&](error_code) {
      net::post(ex, [] {});
    }));
  });
  plain2.async_wait([&](error_code) {
    // A resource's run, and a context bound by hand: not losses.
    r->run([&] { net::post(ex, [] {}); });
    id.run(3, [&] { net::post(ex, [] {}); });
  });
  ioc.run();
  BOOST_TEST(detector.count() == 0u);
  BOOST_TEST(seen.types.empty(), (seen.types.empty() ? "" : seen.types[0]));
}

#if BOOST_ASYNC_LOCAL_TEST_CO_AWAIT
BOOST_AUTO_TEST_CASE(no_report_from_a_coroutine)
{
  test::io_context ioc;
  al::context_loss_detector detector(ioc.get_executor(),
      [](al::context_loss_detector::report const&) {});
  auto reg = al::install_hooks(detector);
  auto ex = al::make_executor(ioc);
  net::co_spawn(ex, [&]() -> net::awaitable<void> {
    net::steady_timer t(co_await net::this_coro::executor);
    for (int i = 0; i < 3; ++i)
    {
      t.expires_after(std::chrono::milliseconds(0));
      co_await t.async_wait(net::use_awaitable);
    }
  }, net::detached);
  ioc.run();
  BOOST_TEST(detector.count() == 0u);
}
#endif

BOOST_AUTO_TEST_SUITE_END()
