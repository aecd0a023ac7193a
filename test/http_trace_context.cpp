//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that the header is self-contained.
#include <boost/async_local/http/trace_context.hpp>

#include <boost/test/unit_test.hpp>

#include "common.hpp"

#include <set>
#include <string>

using namespace boost::async_local::http;

namespace {

std::string const valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

} // namespace

BOOST_FIXTURE_TEST_SUITE(test_trace_context, test::clean_thread)

// The examples of W3C Trace Context Level 1, section 3.2.
BOOST_AUTO_TEST_CASE(traceparent_spec_examples)
{
  auto t = traceparent::parse(valid);
  BOOST_TEST_REQUIRE(t.has_value());
  BOOST_TEST(t->trace_id_view() == "4bf92f3577b34da6a3ce929d0e0e4736");
  BOOST_TEST(t->parent_id_view() == "00f067aa0ba902b7");
  BOOST_TEST(t->sampled());
  BOOST_TEST(t->to_string() == valid);

  auto u = traceparent::parse(
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  BOOST_TEST_REQUIRE(u.has_value());
  BOOST_TEST(!u->sampled());
}

BOOST_AUTO_TEST_CASE(traceparent_future_version)
{
  // A higher version is parsed by the version 00 rules, and sent on as 00.
  auto t = traceparent::parse("cc-4bf92f3577b34da6a3ce929d0e0e4736-"
      "00f067aa0ba902b7-09-what-the-future-will-be-like");
  BOOST_TEST_REQUIRE(t.has_value());
  // Only the sampled bit means something to a version 00 implementation.
  BOOST_TEST(t->flags == 1);
  BOOST_TEST(t->to_string() ==
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  BOOST_TEST(traceparent::parse(
      "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09").has_value());
  // ...but what follows the flags must start with '-'.
  BOOST_TEST(!traceparent::parse(
      "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09x"));
}

BOOST_AUTO_TEST_CASE(traceparent_reserved_flags_are_not_passed_on)
{
  auto t = traceparent::parse(
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff");
  BOOST_TEST_REQUIRE(t.has_value());
  BOOST_TEST(t->sampled());
  BOOST_TEST(t->child().to_string().substr(53) == "01");
  BOOST_TEST(!traceparent().valid());
  BOOST_TEST(t->valid());
}

BOOST_AUTO_TEST_CASE(formatters_leave_out_what_would_not_parse)
{
  tracestate ts;
  ts.members = {{"good", "1"}, {"Bad Key", "v"}, {"k", "v\r\nx"}};
  BOOST_TEST(ts.to_string() == "good=1");
  baggage b;
  b.entries = {{"k", "v", ""}, {"k2", "bad value", ""}, {"k3", "v", "p;q=\n"}};
  BOOST_TEST(b.to_string() == "k=v");
}

BOOST_AUTO_TEST_CASE(traceparent_rejects)
{
  char const* const bad[] = {
    "",
    "00",
    // all-zero IDs
    "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
    "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
    // uppercase hex
    "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01",
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A",
    // version ff, and a version that is not hex
    "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    // version 00 must be exactly 55 characters
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
    // field lengths and separators
    "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01",
    "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",
    " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",
    // hostile bytes
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0\n",
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902\r\n-01",
  };
  for (char const* s : bad)
    BOOST_TEST(!traceparent::parse(s), "accepted: " << s);
  std::string const huge(65536, 'a');
  BOOST_TEST(!traceparent::parse(huge));
  std::string with_nul = valid;
  with_nul[10] = '\0';
  BOOST_TEST(!traceparent::parse(with_nul));
}

BOOST_AUTO_TEST_CASE(traceparent_generate_and_child)
{
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i)
  {
    traceparent t = traceparent::generate();
    auto round = traceparent::parse(t.to_string());
    BOOST_TEST_REQUIRE(round.has_value());
    BOOST_TEST((*round == t));
    seen.insert(std::string(t.trace_id_view()));
    traceparent c = t.child();
    BOOST_TEST(c.trace_id_view() == t.trace_id_view());
    BOOST_TEST(c.parent_id_view() != t.parent_id_view());
  }
  BOOST_TEST(seen.size() == 100u);
}

// The examples of W3C Trace Context Level 1, section 3.3.
BOOST_AUTO_TEST_CASE(tracestate_spec_examples)
{
  auto t = tracestate::parse("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
  BOOST_TEST_REQUIRE(t.has_value());
  BOOST_TEST(t->members.size() == 2u);
  BOOST_TEST(t->members[0].first == "rojo");
  BOOST_TEST(t->members[1].second == "t61rcWkgMzE");
  BOOST_TEST(t->to_string() == "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");

  auto ows = tracestate::parse(" rojo=1 ,\t,congo=2, fw529a3039@dt=x ");
  BOOST_TEST_REQUIRE(ows.has_value());
  BOOST_TEST(ows->to_string() == "rojo=1,congo=2,fw529a3039@dt=x");
  BOOST_TEST(tracestate::parse("").has_value());
}

BOOST_AUTO_TEST_CASE(tracestate_rejects)
{
  char const* const bad[] = {
    "Rojo=1",           // uppercase key
    "1rojo=1",          // simple key starting with a digit
    "rojo",             // no value
    "rojo=",            // empty value
    "rojo=a=b",         // '=' in a value
    "rojo=1,rojo=2",    // duplicate key
    "tenant@=1",        // empty system id
    "t@systemidtoolong=1",
    "rojo=\x01",
    "rojo=caf\xc3\xa9", // non-ASCII
    "rojo=1\r\nx-injected: yes",
  };
  for (char const* s : bad)
    BOOST_TEST(!tracestate::parse(s), "accepted: " << s);

  std::string many;
  for (int i = 0; i < 33; ++i)
    many += "k" + std::to_string(i) + "=v,";
  BOOST_TEST(!tracestate::parse(many));
  many.clear();
  for (int i = 0; i < 32; ++i)
    many += "k" + std::to_string(i) + "=v,";
  BOOST_TEST(tracestate::parse(many).has_value());
  BOOST_TEST(!tracestate::parse("k=" + std::string(257, 'v')));
  BOOST_TEST(tracestate::parse("k=" + std::string(256, 'v')).has_value());
}

// The examples of W3C Baggage.
BOOST_AUTO_TEST_CASE(baggage_spec_examples)
{
  auto b = baggage::parse("userId=alice,serverNode=DF%2028,isProduction=false");
  BOOST_TEST_REQUIRE(b.has_value());
  BOOST_TEST(b->entries.size() == 3u);
  BOOST_TEST(*b->find("serverNode") == "DF%2028");
  BOOST_TEST(b->find("missing") == nullptr);

  auto p = baggage::parse("key1=value1;property1;property2, key2 = value2, "
      "key3=value3; propertyKey=propertyValue");
  BOOST_TEST_REQUIRE(p.has_value());
  BOOST_TEST(p->entries[0].properties == "property1;property2");
  BOOST_TEST(*p->find("key2") == "value2");
  BOOST_TEST(p->entries[2].properties == "propertyKey=propertyValue");
  BOOST_TEST(p->to_string() == "key1=value1;property1;property2,key2=value2,"
      "key3=value3;propertyKey=propertyValue");

  // Properties come back without their white space (found by the fuzzer:
  // a tab inside once went through to the output).
  auto ws = baggage::parse("k=v; p =\t;q");
  BOOST_TEST_REQUIRE(ws.has_value());
  BOOST_TEST(ws->to_string() == "k=v;p=;q");
}

BOOST_AUTO_TEST_CASE(baggage_rejects)
{
  char const* const bad[] = {
    "=value", "key", "key=va lue", "key=\"q\"", "k=v,,k2=v2", "k=v;=p",
    "k=v\r\nset-cookie: x", "k\xc3\xa9=v", "k=v;p=a b",
  };
  for (char const* s : bad)
    BOOST_TEST(!baggage::parse(s), "accepted: " << s);
  std::string many;
  for (int i = 0; i < 181; ++i)
    many += (i ? "," : "") + ("k" + std::to_string(i)) + "=v";
  BOOST_TEST(!baggage::parse(many));
  BOOST_TEST(!baggage::parse("k=" + std::string(8192, 'v')));
}

// Every formatter writes only what its parser accepts, within the W3C
// limits, whatever the value was built from.

BOOST_AUTO_TEST_CASE(tracestate_to_string_writes_at_most_32_members)
{
  tracestate ts;
  for (int i = 0; i < 40; ++i)
    ts.members.emplace_back("k" + std::to_string(i), "v");
  std::string const out = ts.to_string();
  auto again = tracestate::parse(out);
  BOOST_TEST_REQUIRE(again.has_value());
  BOOST_TEST(again->members.size() == tracestate::max_members);
  BOOST_TEST(again->members.back().first == "k31");
}

BOOST_AUTO_TEST_CASE(tracestate_to_string_writes_a_key_once)
{
  tracestate ts;
  ts.members = {{"a", "1"}, {"b", "2"}, {"a", "3"}};
  BOOST_TEST(ts.to_string() == "a=1,b=2");  // the leftmost is the newest
  BOOST_TEST(tracestate::parse(ts.to_string()).has_value());
}

BOOST_AUTO_TEST_CASE(baggage_to_string_stays_within_the_limits)
{
  baggage many;
  for (int i = 0; i < 200; ++i)
    many.entries.push_back({"k" + std::to_string(i), "v", ""});
  auto members = baggage::parse(many.to_string());
  BOOST_TEST_REQUIRE(members.has_value());
  BOOST_TEST(members->entries.size() == baggage::max_members);

  baggage large;
  for (int i = 0; i < 5; ++i)
    large.entries.push_back({"k" + std::to_string(i), std::string(3000, 'v'), ""});
  large.entries.push_back({"small", "1", ""});
  std::string const out = large.to_string();
  BOOST_TEST(out.size() <= baggage::max_bytes);
  auto bytes = baggage::parse(out);
  BOOST_TEST_REQUIRE(bytes.has_value());
  BOOST_TEST(bytes->entries.size() == 3u);  // two of 3000 bytes, and the small one
  BOOST_TEST(bytes->entries.back().key == "small");
}

BOOST_AUTO_TEST_CASE(traceparent_to_string_of_an_invalid_value_is_empty)
{
  traceparent t;  // all-zero IDs
  BOOST_TEST(t.to_string().empty());
  t = traceparent::generate();
  t.trace_id[0] = 'X';
  BOOST_TEST(t.to_string().empty());
  t = traceparent::generate();
  t.flags = 0xff;  // reserved bits set by hand are not written
  BOOST_TEST(t.to_string().substr(53) == "01");
  BOOST_TEST(t.to_string(trace_context_level::level2).substr(53) == "03");
}

BOOST_AUTO_TEST_CASE(level2_random_flag)
{
  std::string const random_sampled =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03";
  // Level 1 (the default) does not know the flag and does not pass it on.
  auto l1 = traceparent::parse(random_sampled);
  BOOST_TEST_REQUIRE(l1.has_value());
  BOOST_TEST(!l1->random());
  BOOST_TEST(l1->child().to_string().substr(53) == "01");
  BOOST_TEST(!traceparent::generate().random());
  // Level 2 keeps it on propagation and sets it on new trace IDs.
  auto l2 = traceparent::parse(random_sampled, trace_context_level::level2);
  BOOST_TEST_REQUIRE(l2.has_value());
  BOOST_TEST(l2->random());
  BOOST_TEST(l2->child().to_string(trace_context_level::level2).substr(53) == "03");
  auto fresh = traceparent::generate(trace_context_level::level2);
  BOOST_TEST(fresh.random());
  BOOST_TEST(fresh.sampled());
}

BOOST_AUTO_TEST_CASE(level2_tracestate_keys)
{
  auto const level2 = trace_context_level::level2;
  // A key starting with a digit, or with '@' anywhere: Level 2 only.
  BOOST_TEST(!tracestate::parse("1vendor=x").has_value());
  BOOST_TEST(tracestate::parse("1vendor=x", level2).has_value());
  BOOST_TEST(!tracestate::parse("a@b@c=x").has_value());
  BOOST_TEST(tracestate::parse("a@b@c=x", level2).has_value());
  // Both levels: at most 256 characters, lowercase, no other characters.
  BOOST_TEST(tracestate::parse("a" + std::string(255, 'b') + "=x", level2).has_value());
  BOOST_TEST(!tracestate::parse("a" + std::string(256, 'b') + "=x", level2).has_value());
  BOOST_TEST(!tracestate::parse("Vendor=x", level2).has_value());
  BOOST_TEST(!tracestate::parse("@vendor=x", level2).has_value());
  BOOST_TEST(!tracestate::parse("ven.dor=x", level2).has_value());
  // A Level 2 key is not written at Level 1.
  tracestate ts;
  ts.members = {{"1vendor", "x"}, {"rojo", "1"}};
  BOOST_TEST(ts.to_string() == "rojo=1");
  BOOST_TEST(ts.to_string(level2) == "1vendor=x,rojo=1");
}

BOOST_AUTO_TEST_SUITE_END()
