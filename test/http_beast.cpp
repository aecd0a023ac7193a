//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that the header is self-contained.
#include <boost/async_local/http/beast.hpp>

#include <boost/async_local/executor.hpp>

#include "common.hpp"
#include "net.hpp"
#include <boost/beast/http/string_body.hpp>
#include <boost/test/unit_test.hpp>

#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <string_view>

namespace al = boost::async_local;
namespace alh = boost::async_local::http;
namespace http = boost::beast::http;

namespace {

http::request<http::string_body> request()
{
  return http::request<http::string_body>(http::verb::get, "/", 11);
}

std::string const parent =
  "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

} // namespace

BOOST_FIXTURE_TEST_SUITE(test_http_beast, test::clean_thread)

BOOST_AUTO_TEST_CASE(traceparent_comes_first)
{
  auto req = request();
  req.set("traceparent", parent);
  req.set("tracestate", "rojo=00f067aa0ba902b7");
  req.set("X-Request-Id", "abc");
  req.set("baggage", "userId=alice");
  auto ctx = alh::extract(req);
  BOOST_TEST((ctx.source == alh::id_source::traceparent));
  BOOST_TEST(ctx.request_id == "4bf92f3577b34da6a3ce929d0e0e4736");
  BOOST_TEST_REQUIRE(ctx.state.has_value());
  BOOST_TEST(ctx.state->to_string() == "rojo=00f067aa0ba902b7");
  BOOST_TEST_REQUIRE(ctx.bag.has_value());
  BOOST_TEST(*ctx.bag->find("userId") == "alice");
}

BOOST_AUTO_TEST_CASE(then_x_request_id_then_generated)
{
  auto req = request();
  req.set("X-Request-Id", "req-42");
  auto ctx = alh::extract(req);
  BOOST_TEST((ctx.source == alh::id_source::request_id));
  BOOST_TEST(ctx.request_id == "req-42");

  auto none = alh::extract(request());
  BOOST_TEST((none.source == alh::id_source::generated));
  BOOST_TEST(none.request_id == std::string(none.trace.trace_id_view()));
  BOOST_TEST(none.request_id.size() == 32u);
}

BOOST_AUTO_TEST_CASE(malformed_and_hostile_headers_start_a_fresh_trace)
{
  // (Beast refuses to hold a field value of 64 KiB or more at all.)
  std::string const hostile[] = {
    "abc\r\nSet-Cookie: x=1",
    std::string(60 * 1024, 'a'),
    std::string(alh::max_request_id_size + 1, 'a'),
    "caf\xc3\xa9",
    "with space",
    "",
  };
  for (auto const& h : hostile)
  {
    auto req = request();
    req.set("traceparent", h);
    req.set("X-Request-Id", h);
    auto ctx = alh::extract(req);
    BOOST_TEST((ctx.source == alh::id_source::generated));
    BOOST_TEST(ctx.request_id.view().find_first_not_of("0123456789abcdef") ==
        std::string_view::npos);
  }
  auto upper = request();
  upper.set("traceparent",
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01");
  BOOST_TEST((alh::extract(upper).source == alh::id_source::generated));
  // tracestate and baggage may come on several lines; they are one list.
  auto split = request();
  split.set("traceparent", parent);
  split.insert("tracestate", "rojo=1");
  split.insert("tracestate", "congo=2");
  split.insert("baggage", "a=1");
  split.insert("baggage", "b=2");
  auto joined = alh::extract(split);
  BOOST_TEST_REQUIRE(joined.state.has_value());
  BOOST_TEST(joined.state->to_string() == "rojo=1,congo=2");
  BOOST_TEST_REQUIRE(joined.bag.has_value());
  BOOST_TEST(joined.bag->to_string() == "a=1,b=2");

  // An empty or blank line among them adds no member (an empty member would
  // make the whole baggage header invalid).
  auto blank = request();
  blank.set("traceparent", parent);
  blank.insert("baggage", "");
  blank.insert("baggage", "a=1");
  blank.insert("baggage", " ");
  blank.insert("tracestate", "");
  blank.insert("tracestate", "rojo=1");
  auto kept = alh::extract(blank);
  BOOST_TEST_REQUIRE(kept.bag.has_value());
  BOOST_TEST(kept.bag->to_string() == "a=1");
  BOOST_TEST_REQUIRE(kept.state.has_value());
  BOOST_TEST(kept.state->to_string() == "rojo=1");

  // A repeated traceparent is invalid, whatever the values.
  auto twice = request();
  twice.insert("traceparent", parent);
  twice.insert("traceparent", parent);
  BOOST_TEST((alh::extract(twice).source == alh::id_source::generated));
}

BOOST_AUTO_TEST_CASE(inject_keeps_the_trace_with_a_new_span_per_call)
{
  auto in = request();
  in.set("traceparent", parent);
  in.set("tracestate", "rojo=1");
  in.set("baggage", "k=v");
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  http::request<http::string_body> out1, out2;
  alh::with_request(in, [&] {
    // Across an asynchronous hop: the identity came along.
    net::post(ex, [&] {
      alh::inject(out1);
      alh::inject(out2);
    });
  });
  ioc.run();
  auto t1 = alh::traceparent::parse(out1["traceparent"]);
  auto t2 = alh::traceparent::parse(out2["traceparent"]);
  BOOST_TEST_REQUIRE(t1.has_value());
  BOOST_TEST_REQUIRE(t2.has_value());
  BOOST_TEST(t1->trace_id_view() == "4bf92f3577b34da6a3ce929d0e0e4736");
  BOOST_TEST(t2->trace_id_view() == "4bf92f3577b34da6a3ce929d0e0e4736");
  BOOST_TEST(t1->parent_id_view() != "00f067aa0ba902b7");
  BOOST_TEST(t1->parent_id_view() != t2->parent_id_view());
  BOOST_TEST(out1["tracestate"] == "rojo=1");
  BOOST_TEST(out1["baggage"] == "k=v");
  BOOST_TEST(out1["X-Request-Id"] == "4bf92f3577b34da6a3ce929d0e0e4736");

  // Outside any request: a new trace, nothing else, and nothing stale from
  // an earlier use of the same message.
  http::request<http::string_body> lone = out1;
  alh::inject(lone);
  BOOST_TEST(lone.count("tracestate") == 0u);
  BOOST_TEST(lone.count("baggage") == 0u);
  BOOST_TEST(alh::traceparent::parse(lone["traceparent"]).has_value());
  BOOST_TEST(lone.count("X-Request-Id") == 0u);
  BOOST_TEST(alh::current_request_id() == "-");
}

BOOST_AUTO_TEST_CASE(fixed_string_holds_at_most_its_capacity)
{
  alh::fixed_string<4> s("abcd");
  BOOST_TEST(s.size() == 4u);
  BOOST_TEST(s == "abcd");
  BOOST_TEST("abcd" == s);
  BOOST_TEST(s == std::string("abcd"));
  BOOST_TEST(s != "abc");
  BOOST_TEST((s == alh::fixed_string<4>("abcd")));
  BOOST_CHECK_THROW(s.assign("abcde"), std::length_error);
  BOOST_TEST(s == "abcd");  // unchanged by the failed assignment
  // Of any sizes, with each other, ordered, and hashed as views are.
  alh::fixed_string<32> const shorter("abcd");
  BOOST_TEST((s == shorter));
  BOOST_TEST(!(s != shorter));
  BOOST_TEST((shorter < alh::fixed_string<8>("abce")));
  BOOST_TEST((s < std::string_view("b")));
  BOOST_TEST((std::string_view("a") < s));
  BOOST_TEST((std::string("abcd") == s));
  BOOST_TEST(std::hash<alh::fixed_string<4>>()(s)
      == std::hash<std::string_view>()("abcd"));
  std::map<alh::request_id_string, int> by_id{
      {alh::request_id_string("b"), 2}, {alh::request_id_string("a"), 1}};
  BOOST_TEST(by_id.begin()->second == 1);
  BOOST_TEST(std::string(s) == "abcd");
  // From a part of itself.
  alh::fixed_string<16> spaced("  req-42");
  spaced.assign(spaced.view().substr(2));
  BOOST_TEST(spaced == "req-42");
  s.assign("");
  BOOST_TEST(s.empty());
  std::ostringstream os;
  os << alh::fixed_string<8>("req-1");
  BOOST_TEST(os.str() == "req-1");
  // A request ID of the longest accepted size is kept whole.
  auto req = request();
  std::string const longest(alh::max_request_id_size, 'x');
  req.set("X-Request-Id", longest);
  BOOST_TEST(alh::extract(req).request_id == longest);
  // A formatted traceparent reads back as itself.
  auto t = alh::traceparent::parse(parent);
  BOOST_TEST_REQUIRE(t.has_value());
  BOOST_TEST(t->to_chars() == parent);
  BOOST_TEST(t->to_string() == parent);
  BOOST_TEST(alh::traceparent().to_chars().empty());
}

// The identity's own cost per request: taking it from the headers, binding
// it, reading the ID, and writing the trace for a response and for an
// outgoing call. None of it allocates (the headers Beast stores are the
// message's cost, not the identity's).
BOOST_AUTO_TEST_CASE(a_request_identity_allocates_nothing,
    *boost::unit_test::enable_if<test::allocation_counter::available>())
{
  auto with_parent = request();
  with_parent.set("traceparent", parent);
  auto with_id = request();
  with_id.set("X-Request-Id", std::string(40, 'r'));  // beyond any SSO
  auto bare = request();
  http::request<http::string_body> const* const requests[] = {
    &with_parent, &with_id, &bare};
  std::size_t sent = 0;
  auto one = [&](http::request<http::string_body> const& req) {
    auto bound = alh::current_request().set(alh::extract(req));
    alh::request_id_string const id = alh::current_request_id();
    auto const traceparent =
        alh::current_request().get()->trace.to_chars();
    auto const outgoing =
        alh::current_request().get()->trace.child().to_chars();
    sent += id.size() + traceparent.size() + outgoing.size();
  };
  for (auto const* req : requests)
    one(*req);  // warms the thread's block cache
  test::allocation_counter count;
  for (int i = 0; i < 100; ++i)
    for (auto const* req : requests)
      one(*req);
  BOOST_TEST(count.count() == 0u);
  // Every round wrote the three IDs (32, 40, 32) and six traceparents.
  BOOST_TEST(sent == 101u * (32 + 40 + 32 + 6 * 55));
}

BOOST_AUTO_TEST_SUITE_END()
