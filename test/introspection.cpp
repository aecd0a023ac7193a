//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Introspection: variable names, snapshot::bindings and a snapshot's
// operator<<.

#include <boost/async_local/snapshot.hpp>

#include <boost/async_local/variable.hpp>
#include <boost/async_local/zone.hpp>

#include "common.hpp"

#include <atomic>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <typeinfo>
#include <vector>

namespace al = boost::async_local;

namespace {

struct opaque
{
  int n;
};

std::string printed(al::snapshot const& s)
{
  std::ostringstream os;
  os << s;
  return os.str();
}

// A value whose printing makes and destroys a variable: bindings() must
// not hold the registry's lock while it prints.
struct makes_a_variable
{
  friend std::ostream& operator<<(std::ostream& os, makes_a_variable const&)
  {
    al::variable<int> inner("inner");
    return os << "made";
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(test_introspection, test::clean_thread)

BOOST_AUTO_TEST_CASE(a_variable_has_a_name)
{
  al::variable<int> named("tenant");
  al::variable<int> unnamed;
  BOOST_TEST(named.name() == "tenant");
  BOOST_TEST(unnamed.name().empty());
}

BOOST_AUTO_TEST_CASE(bindings_list_name_type_and_value)
{
  al::variable<std::string> request_id("request_id");
  al::variable<int> unnamed;
  al::variable<opaque> blob("blob");
  al::variable<int> unbound("unbound");
  BOOST_TEST(al::snapshot().bindings().empty());
  request_id.run("req-42", [&] {
    unnamed.run(7, [&] {
      blob.run(opaque{1}, [&] {
        std::vector<al::snapshot::binding> const b =
          al::snapshot::current().bindings();
        BOOST_TEST_REQUIRE(b.size() == 3u);
        // In the order the variables were made.
        BOOST_TEST(b[0].name == "request_id");
        BOOST_TEST((b[0].value == std::optional<std::string>("req-42")));
        BOOST_TEST(b[1].name == "");
        BOOST_TEST((b[1].value == std::optional<std::string>("7")));
        BOOST_TEST(b[2].name == "blob");
        BOOST_TEST(!b[2].value.has_value());
#if !defined(BOOST_ASYNC_LOCAL_NO_RTTI)
        BOOST_TEST((b[0].type && *b[0].type == typeid(std::string)));
        BOOST_TEST((b[1].type && *b[1].type == typeid(int)));
        BOOST_TEST((b[2].type && *b[2].type == typeid(opaque)));
#endif
        BOOST_TEST(printed(al::snapshot::current()) ==
            "{request_id=\"req-42\", (unnamed)=\"7\", blob=(not printable)}");
      });
    });
  });
  BOOST_TEST(printed(al::snapshot()) == "{}");
}

// Nothing a value or a name holds can end a log line or forge a field.
BOOST_AUTO_TEST_CASE(values_and_names_are_escaped)
{
  al::variable<std::string> v("id\nforged=\"1\"");
  std::string const hostile = "a\r\nlevel=error \"quoted\" \\ \x1b[31m caf\xc3\xa9";
  v.run(hostile, [&] {
    std::vector<al::snapshot::binding> const b =
      al::snapshot::current().bindings();
    BOOST_TEST_REQUIRE(b.size() == 1u);
    // The name is as given; the value escaped.
    BOOST_TEST(b[0].name == "id\nforged=\"1\"");
    BOOST_TEST(*b[0].value ==
        "a\\x0d\\x0alevel=error \\\"quoted\\\" \\\\ \\x1b[31m caf\\xc3\\xa9");
    std::string const line = printed(al::snapshot::current());
    BOOST_TEST(line == "{id\\x0aforged=\\\"1\\\"=\"a\\x0d\\x0alevel=error "
        "\\\"quoted\\\" \\\\ \\x1b[31m caf\\xc3\\xa9\"}");
    for (char const c : line)
      BOOST_TEST((c >= 0x20 && c < 0x7f));
  });
}

BOOST_AUTO_TEST_CASE(values_nobody_can_read_are_left_out)
{
  auto gone = std::make_unique<al::variable<int>>("gone");
  al::variable<int> kept("kept");
  al::zone z("request");
  al::snapshot s = gone->run(1, [&] {
    return kept.run(2, [&] {
      return z.run([] { return al::snapshot::current(); });
    });
  });
  // The zone's own binding is not a variable's.
  BOOST_TEST(printed(s) == "{gone=\"1\", kept=\"2\"}");
  gone.reset();
  BOOST_TEST(printed(s) == "{kept=\"2\"}");
  // After disable(), the variable's old values are unreadable: left out;
  // a new binding is listed.
  kept.disable();
  BOOST_TEST(printed(s) == "{}");
  kept.run(3, [&] {
    BOOST_TEST(printed(al::snapshot::current()) == "{kept=\"3\"}");
  });
}

BOOST_AUTO_TEST_CASE(printing_runs_without_the_registry_lock)
{
  al::variable<makes_a_variable> v("v");
  v.run(makes_a_variable{}, [&] {
    BOOST_TEST(printed(al::snapshot::current()) == "{v=\"made\"}");
  });
}

// Variables made and destroyed on one thread while another lists bindings
// (a TSan target).
BOOST_AUTO_TEST_CASE(bindings_while_variables_come_and_go)
{
  al::variable<int> stable("stable");
  std::atomic<bool> stop{false};
  std::thread churn([&] {
    while (!stop)
    {
      al::variable<int> temporary("temporary");
      temporary.run(1, [&] {
        al::snapshot::current().bindings();
      });
    }
  });
  stable.run(5, [&] {
    for (int i = 0; i < 2000; ++i)
    {
      std::vector<al::snapshot::binding> const b =
        al::snapshot::current().bindings();
      BOOST_TEST_REQUIRE(b.size() == 1u);
      BOOST_TEST_REQUIRE(b[0].name == "stable");
    }
  });
  stop = true;
  churn.join();
}

BOOST_AUTO_TEST_SUITE_END()
