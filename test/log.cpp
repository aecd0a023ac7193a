//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that the header is self-contained.
#include <boost/async_local/log.hpp>

#include <boost/async_local/executor.hpp>

#include "common.hpp"
#include "net.hpp"
#include <boost/core/null_deleter.hpp>
#include <boost/log/core.hpp>
#include <boost/log/expressions.hpp>
#include <boost/log/sinks/sync_frontend.hpp>
#include <boost/log/sinks/text_ostream_backend.hpp>
#include <boost/log/sources/logger.hpp>
#include <boost/log/sources/record_ostream.hpp>
#include <boost/test/unit_test.hpp>

#include <sstream>
#include <string>

namespace al = boost::async_local;
namespace logging = boost::log;
namespace expr = boost::log::expressions;

BOOST_FIXTURE_TEST_SUITE(test_log, test::clean_thread)

BOOST_AUTO_TEST_CASE(records_carry_the_value_current_where_they_are_made)
{
  al::variable<std::string> request_id;
  auto out = boost::make_shared<std::ostringstream>();
  using backend = logging::sinks::text_ostream_backend;
  auto sink = boost::make_shared<logging::sinks::synchronous_sink<backend>>();
  sink->locked_backend()->add_stream(
      boost::shared_ptr<std::ostream>(out.get(), boost::null_deleter()));
  sink->set_formatter(expr::stream
      << "[" << expr::attr<std::string>("RequestID") << "] " << expr::smessage);
  auto core = logging::core::get();
  core->add_sink(sink);
  auto [it, added] = core->add_global_attribute("RequestID",
      al::log::make_attribute(request_id, std::string("-")));
  BOOST_TEST(added);

  logging::sources::logger lg;
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  BOOST_LOG(lg) << "outside";
  request_id.run("req-1", [&] {
    BOOST_LOG(lg) << "accepted";
    net::post(ex, [&] { BOOST_LOG(lg) << "after a hop"; });
  });
  request_id.run("req-2", [&] {
    net::post(ex, [&] { BOOST_LOG(lg) << "other request"; });
  });
  ioc.run();

  core->remove_global_attribute(it);
  core->remove_sink(sink);
  sink->flush();
  BOOST_TEST(out->str() ==
      "[-] outside\n"
      "[req-1] accepted\n"
      "[req-1] after a hop\n"
      "[req-2] other request\n");
}

BOOST_AUTO_TEST_CASE(projected_attribute)
{
  struct request { std::string id; int n; };
  al::variable<request> current;
  auto attr = al::log::make_attribute(current,
      [](request const& r) { return r.n; }, -1);
  BOOST_TEST(attr.get_value().extract<int>().get() == -1);
  current.run(request{"a", 7}, [&] {
    BOOST_TEST(attr.get_value().extract<int>().get() == 7);
  });
  auto bare = al::log::variable_attribute<request,
      std::function<std::string(request const&)>>(current,
        [](request const& r) { return r.id; });
  BOOST_TEST(!bare.get_value().extract<std::string>());
}

BOOST_AUTO_TEST_SUITE_END()
