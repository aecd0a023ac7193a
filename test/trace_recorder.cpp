//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// al::trace_recorder: the operations it reconstructs, and the Chrome trace
// and Graphviz output it writes, whatever the watched values hold.

#include <boost/async_local/trace_recorder.hpp>

#include <boost/async_local/executor.hpp>
#include <boost/async_local/resource.hpp>

#include "common.hpp"

#if BOOST_ASYNC_LOCAL_TEST_BOOST_ASIO
// Boost.JSON, header-only: this is the one translation unit that uses it.
# include <boost/json/src.hpp>
#endif

#include <chrono>
#include <map>
#include <memory>
#include <sstream>
#include <string>

namespace al = boost::async_local;

namespace {

al::variable<std::string> request;
al::variable<int> tenant;

al::traced_operation const* find(std::vector<al::traced_operation> const& ops,
    al::async_id id)
{
  for (auto const& op : ops)
    if (op.id == id)
      return &op;
  return nullptr;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(test_trace_recorder, test::clean_thread)

BOOST_AUTO_TEST_CASE(records_a_request_tree_with_its_values)
{
  al::trace_recorder recorder;
  recorder.watch(request, "request");
  recorder.watch(tenant, "tenant", [](int t) { return "t" + std::to_string(t); });
  auto reg = al::install_hooks(recorder);
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  net::steady_timer timer(ex, std::chrono::milliseconds(1));
  al::async_id first = 0, second = 0, wait = 0;
  request.run("req-1", [&] {
    net::post(ex, [&] {
      first = al::execution_id();
      tenant.run(3, [&] {
        net::post(ex, [&] { second = al::execution_id(); });
        timer.async_wait([&](error_code) { wait = al::execution_id(); });
      });
    });
  });
  ioc.run();
  reg.reset();

  auto const ops = recorder.operations();
  BOOST_TEST_REQUIRE(ops.size() == 3u);
  auto const* a = find(ops, first);
  auto const* b = find(ops, second);
  auto const* c = find(ops, wait);
  BOOST_TEST_REQUIRE((a && b && c));
  BOOST_TEST(a->type == "post");
  BOOST_TEST(a->trigger == 0u);
  BOOST_TEST(b->trigger == first);
  BOOST_TEST(c->trigger == first);
  BOOST_TEST(c->type == "operation");
  BOOST_TEST(*a->value("request") == "req-1");
  BOOST_TEST(!a->value("tenant"));
  BOOST_TEST(*b->value("tenant") == "t3");
  BOOST_TEST(*c->value("request") == "req-1");
  for (auto const& op : ops)
  {
    BOOST_TEST(op.runs.size() == 1u);
    BOOST_TEST(op.runs[0].end_ns >= op.runs[0].begin_ns);
    BOOST_TEST(op.init_ns <= op.runs[0].begin_ns);
    BOOST_TEST(op.destroy_ns >= op.runs[0].end_ns);
    BOOST_TEST(op.thread == 1u);
  }
  BOOST_TEST(recorder.dropped() == 0u);
}

BOOST_AUTO_TEST_CASE(graphviz_draws_the_chosen_tree)
{
  al::trace_recorder recorder;
  recorder.watch(request, "request");
  auto reg = al::install_hooks(recorder);
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  for (std::string id : {"a", "b"})
    request.run(id, [&] {
      net::post(ex, [&] { net::post(ex, [] {}); });
    });
  ioc.run();
  reg.reset();

  std::ostringstream all, one;
  recorder.write_graphviz(all);
  recorder.write_graphviz(one, [](al::traced_operation const& op) {
    auto const* v = op.value("request");
    return v && *v == "b";
  });
  auto const ops = recorder.operations();
  BOOST_TEST_REQUIRE(ops.size() == 4u);
  std::string const edge_a = "op" + std::to_string(ops[0].id) + " -> op";
  BOOST_TEST(all.str().find("digraph") == 0u);
  BOOST_TEST(all.str().find(edge_a) != std::string::npos);
  BOOST_TEST(one.str().find(edge_a) == std::string::npos);
  BOOST_TEST(one.str().find("request: a") == std::string::npos);
  BOOST_TEST(one.str().find("request: b") != std::string::npos);
  // Each node says how long it waited, how long it ran, and where.
  BOOST_TEST(one.str().find("waited ") != std::string::npos);
  BOOST_TEST(one.str().find(" us on thread 1\"]") != std::string::npos);
  // Request b's two operations, one edge between them.
  std::size_t edges = 0;
  for (std::size_t p = 0; (p = one.str().find(" -> ", p)) != std::string::npos; ++p)
    ++edges;
  BOOST_TEST(edges == 1u);
}

BOOST_AUTO_TEST_CASE(hostile_values_are_escaped)
{
  al::trace_recorder recorder;
  recorder.watch(request, "req\"uest");
  auto reg = al::install_hooks(recorder);
  std::string const hostile = "a\"b\\c\nd\x01" "e\xff" "f\xc3\xa9" "\"];\ndigraph x {";
  std::unique_ptr<al::resource> r;
  request.run(hostile, [&] { r = std::make_unique<al::resource>("x\"y"); });
  r->run([] {});
  r.reset();
  reg.reset();

  std::ostringstream dot;
  recorder.write_graphviz(dot);
  std::string const d = dot.str();
  // One graph; no raw line break or unescaped quote inside the label.
  BOOST_TEST(d.find("digraph") == 0u);
  BOOST_TEST(d.find("\ndigraph") == std::string::npos);
  BOOST_TEST(d.find("\\\"]; digraph x {") != std::string::npos);
  auto const label = d.substr(d.find("[label=\""));
  BOOST_TEST(label.find('\n') == label.find("\"];\n") + 3);
  BOOST_TEST(d.find("\xff") == std::string::npos);
  BOOST_TEST(d.find("f\xc3\xa9") != std::string::npos);

  std::ostringstream json;
  recorder.write_chrome_trace(json);
  BOOST_TEST(json.str().find("\xff") == std::string::npos);
#if BOOST_ASYNC_LOCAL_TEST_BOOST_ASIO
  boost::json::value const v = boost::json::parse(json.str());
  bool found = false;
  for (auto const& e : v.at("traceEvents").as_array())
  {
    auto const& o = e.as_object();
    if (o.at("ph").as_string() != "X")
      continue;
    BOOST_TEST(o.at("name").as_string() == "resource:x\"y");
    // The value, with the byte that is not UTF-8 replaced.
    BOOST_TEST(o.at("args").at("values").at("req\"uest").as_string()
        == "a\"b\\c\nd\x01" "e\xef\xbf\xbd" "f\xc3\xa9" "\"];\ndigraph x {");
    found = true;
  }
  BOOST_TEST(found);
#endif
}

#if BOOST_ASYNC_LOCAL_TEST_BOOST_ASIO
BOOST_AUTO_TEST_CASE(chrome_trace_is_valid_json_with_spans_slices_and_flows)
{
  al::trace_recorder recorder;
  auto reg = al::install_hooks(recorder);
  test::on_threads(2, [&](net::io_context& ioc) {
    auto ex = al::make_executor(ioc);
    for (int i = 0; i < 50; ++i)
      net::post(ex, [ex] { net::post(ex, [] {}); });
  });
  reg.reset();

  std::ostringstream json;
  recorder.write_chrome_trace(json);
  boost::json::value const v = boost::json::parse(json.str());
  std::map<std::string, int> phases;
  for (auto const& e : v.at("traceEvents").as_array())
    ++phases[std::string(e.at("ph").as_string())];
  BOOST_TEST(phases["X"] == 100);
  BOOST_TEST(phases["b"] == 100);
  BOOST_TEST(phases["e"] == 100);
  BOOST_TEST(phases["s"] == 100);
  BOOST_TEST(phases["f"] == 100);
  BOOST_TEST(phases["M"] >= 1);
  BOOST_TEST(phases["M"] <= 2);
}
#endif

BOOST_AUTO_TEST_CASE(events_beyond_the_limit_are_counted)
{
  al::trace_recorder recorder(10);
  auto reg = al::install_hooks(recorder);
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  for (int i = 0; i < 5; ++i)
    net::post(ex, [] {});
  ioc.run();
  reg.reset();
  BOOST_TEST(recorder.dropped() == 10u);
  // Kept: the 5 inits, then b a d of the first post and b a of the second.
  BOOST_TEST(recorder.operations().size() == 5u);
  recorder.clear();
  BOOST_TEST(recorder.dropped() == 0u);
  BOOST_TEST(recorder.operations().empty());
}

BOOST_AUTO_TEST_SUITE_END()
