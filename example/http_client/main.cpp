//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// A small load generator for the HTTP demo, and the demo's log checker.
//
//   http_client --port P --requests N --concurrency C --results FILE
//       Sends N requests (GET /item/<n>), C at a time over keep-alive
//       connections: a quarter with a traceparent, a quarter with an
//       X-Request-Id, the rest with none, a malformed traceparent, or hostile
//       headers (non-ASCII, CR/LF, 64 KiB); half the traceparents say the
//       trace is not sampled. One in 40 is /item/<n>/explode, whose
//       handling throws from a callback (it must get 500, and the others
//       their 200), and one in 40 /item/<n>/slow, which waits past its
//       deadline (504). Checks each response's status and identity and
//       writes one line per request: n kind status request-id trace-id
//       sent-parent-span.
//
//   http_client --check RESULTS SERVER_LOG BACKEND_LOG
//       Checks that every server log line about /item/<n> carries request
//       n's ID and trace ID, that every backend line about /lookup/<n>
//       carries its trace ID, that no line was split or injected, that each
//       request logged its steps in order with "request done" last (after
//       the audit write its answer did not wait for), that each request's
//       OpenTelemetry spans in both services are in its trace, with every
//       parent link right and the sampled flag the client sent, prints an
//       excerpt and a summary, and exits non-zero on any mismatch.

#include <boost/async_local/http/trace_context.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <cctype>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace alh = boost::async_local::http;
using net::ip::tcp;

namespace {

char const* const kinds[] = {"traceparent", "traceparent", "request-id",
  "request-id", "none", "bad-traceparent", "hostile-id", "crlf"};

std::string kind_of(int n)
{
  if (n % 40 == 13)
    return "explode";
  if (n % 40 == 33)
    return "slow";
  std::string k = kinds[n % 8];
  if (k == "crlf" && n % 16 == 15)
    k = "huge";
  return k;
}

// The traceparent requests whose trace is not sampled (flags 00): every
// span of theirs, in both services, must say so.
bool unsampled(int n, std::string const& kind)
{
  return kind == "traceparent" && n % 8 == 1;
}

bool is_trace_id(std::string const& s)
{
  return s.size() == 32 && s.find_first_not_of("0123456789abcdef") == s.npos;
}

struct result
{
  std::string kind;
  int status = 0;
  std::string id;
  std::string trace;
  std::string sent_parent = "-";  // the parent span we sent, if any
};

struct load
{
  tcp::endpoint server;
  int requests;
  std::atomic<int> next{0};
  std::atomic<int> identity_mismatches{0};
  std::atomic<int> transport_errors{0};
  std::mutex mutex;
  std::map<int, result> results;
};

// Sends one request of the given kind; returns what the server answered.
net::awaitable<std::optional<result>> send(beast::tcp_stream& stream,
    beast::flat_buffer& buffer, int n, bool& keep_open, load& l)
{
  std::string const kind = kind_of(n);
  std::string const suffix = kind == "explode" || kind == "slow"
    ? "/" + kind : "";
  http::request<http::string_body> req(http::verb::get,
      "/item/" + std::to_string(n) + suffix, 11);
  req.set(http::field::host, "server");
  std::string sent_trace;
  std::string sent_parent = "-";
  if (kind == "traceparent")
  {
    auto t = alh::traceparent::generate();
    if (unsampled(n, kind))
      t.flags = 0;
    sent_trace = std::string(t.trace_id_view());
    sent_parent = std::string(t.parent_id_view());
    req.set("traceparent", t.to_string());
  }
  else if (kind == "request-id")
    req.set("X-Request-Id", "req-" + std::to_string(n));
  else if (kind == "bad-traceparent")
    req.set("traceparent",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01");
  else if (kind == "hostile-id")
    req.set("X-Request-Id", "caf\xc3\xa9 <script>");
  else if (kind == "crlf")  // an attempt to smuggle a header in
    req.set("X-Request-Id", "x\r\nX-Injected: yes");
  req.prepare_payload();

  if (kind == "huge")
  {
    // Beast will not hold a 64 KiB field value, so write this one raw.
    std::string raw = "GET /item/" + std::to_string(n) + " HTTP/1.1\r\n"
      "Host: server\r\nX-Request-Id: " + std::string(64 * 1024, 'a')
      + "\r\n\r\n";
    co_await net::async_write(stream, net::buffer(raw),
        net::as_tuple(net::use_awaitable));
  }
  else
    co_await http::async_write(stream, req,
        net::as_tuple(net::use_awaitable));
  // (A failed write shows up as a failed read below.)
  http::response<http::string_body> res;
  auto [rec, rn] = co_await http::async_read(stream, buffer, res,
      net::as_tuple(net::use_awaitable));
  if (rec)
  {
    keep_open = false;
    co_return std::nullopt;
  }
  keep_open = res.keep_alive();

  result r;
  r.kind = kind;
  r.sent_parent = sent_parent;
  r.status = res.result_int();
  r.id = std::string(res["X-Request-Id"]);
  if (auto t = alh::traceparent::parse(res["traceparent"]))
    r.trace = std::string(t->trace_id_view());

  // What the server must have made of each kind.
  bool ok = true;
  if (kind == "huge")
    ok = r.status == 431;
  else if (kind == "explode" || kind == "slow")
    ok = r.status == (kind == "explode" ? 500 : 504) && is_trace_id(r.id)
      && r.id == r.trace;
  else if (r.status != 200)
    ok = false;
  else if (kind == "traceparent")
    ok = r.trace == sent_trace && r.id == sent_trace;
  else if (kind == "request-id")
    ok = r.id == "req-" + std::to_string(n) && is_trace_id(r.trace);
  else if (kind == "crlf")
    ok = r.id == "x" && is_trace_id(r.trace);
  else if (kind == "bad-traceparent")  // ignored, not repaired
    ok = is_trace_id(r.id) && r.id == r.trace
      && r.trace != "4bf92f3577b34da6a3ce929d0e0e4736";
  else
    ok = is_trace_id(r.id) && r.id == r.trace;
  if (!ok)
    ++l.identity_mismatches;
  co_return r;
}

net::awaitable<void> worker(load& l)
{
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  for (int n = l.next++; n < l.requests; n = l.next++)
  {
    if (!stream)
    {
      stream.emplace(co_await net::this_coro::executor);
      auto [ec] = co_await stream->async_connect(l.server,
          net::as_tuple(net::use_awaitable));
      if (ec)
      {
        ++l.transport_errors;
        stream.reset();
        continue;
      }
      buffer.clear();
    }
    bool keep_open = true;
    auto r = co_await send(*stream, buffer, n, keep_open, l);
    if (!keep_open)
      stream.reset();
    if (!r)
    {
      ++l.transport_errors;
      continue;
    }
    std::lock_guard<std::mutex> lock(l.mutex);
    l.results[n] = *r;
  }
}

int run_load(unsigned short port, int requests, int concurrency,
    std::string const& results_file)
{
  net::io_context ioc;
  load l;
  l.server = tcp::endpoint(net::ip::address_v4::loopback(), port);
  l.requests = requests;
  for (int i = 0; i < concurrency; ++i)
    net::co_spawn(ioc, worker(l), net::detached);
  ioc.run();

  std::ofstream out(results_file);
  std::map<int, int> by_status;
  for (auto const& [n, r] : l.results)
  {
    out << n << ' ' << r.kind << ' ' << r.status << ' '
        << (r.id.empty() ? "-" : r.id) << ' '
        << (r.trace.empty() ? "-" : r.trace) << ' ' << r.sent_parent << '\n';
    ++by_status[r.status];
  }
  std::cout << "load: " << requests << " requests, " << concurrency
            << " at a time:";
  for (auto const& [status, count] : by_status)
    std::cout << ' ' << count << " x " << status;
  std::cout << "; identity mismatches: " << l.identity_mismatches
            << ", transport errors: " << l.transport_errors << '\n';
  return (l.identity_mismatches == 0 && l.transport_errors == 0
      && int(l.results.size()) == requests) ? 0 : 1;
}

// "[<id>] [trace <trace>] <service>: <path><n> <what>" -> its parts.
struct log_line
{
  std::string id, trace, service, rest;
};

std::optional<log_line> parse_line(std::string const& line)
{
  log_line l;
  if (line.empty() || line[0] != '[')
    return std::nullopt;
  auto const a = line.find("] [trace ");
  if (a == line.npos)
    return std::nullopt;
  auto const b = line.find("] ", a + 9);
  auto const c = line.find(": ", b == line.npos ? 0 : b);
  if (b == line.npos || c == line.npos)
    return std::nullopt;
  l.id = line.substr(1, a - 1);
  l.trace = line.substr(a + 9, b - a - 9);
  l.service = line.substr(b + 2, c - b - 2);
  l.rest = line.substr(c + 2);
  return l;
}

// "span <name> trace <trace> id <span> parent <span or -> sampled <0 or 1>"
// (spans.hpp).
struct span_line
{
  std::string name, trace, id, parent, sampled;
};

std::optional<span_line> parse_span(std::string const& rest)
{
  std::istringstream in(rest);
  std::string word, trace_word, id_word, parent_word, sampled_word, extra;
  span_line s;
  if (!(in >> word >> s.name >> trace_word >> s.trace >> id_word >> s.id
        >> parent_word >> s.parent >> sampled_word >> s.sampled)
      || (in >> extra) || word != "span" || trace_word != "trace"
      || id_word != "id" || parent_word != "parent"
      || sampled_word != "sampled" || (s.sampled != "0" && s.sampled != "1"))
    return std::nullopt;
  return s;
}


bool is_span_id(std::string const& s)
{
  return s.size() == 16 && s.find_first_not_of("0123456789abcdef") == s.npos
    && s != std::string(16, '0');
}

// The n in "<prefix><n> ...", or -1.
int number_after(std::string const& s, std::string const& prefix)
{
  if (s.rfind(prefix, 0) != 0)
    return -1;
  std::size_t end = prefix.size();
  while (end < s.size() && std::isdigit(static_cast<unsigned char>(s[end])))
    ++end;
  if (end == prefix.size() || end - prefix.size() > 9)
    return -1;
  return std::stoi(s.substr(prefix.size(), end - prefix.size()));
}

int check(std::string const& results_file, std::string const& server_log,
    std::string const& backend_log)
{
  std::map<int, result> results;
  {
    std::ifstream in(results_file);
    int n;
    result r;
    while (in >> n >> r.kind >> r.status >> r.id >> r.trace >> r.sent_parent)
      results[n] = r;
  }

  int mismatches = 0, lines_checked = 0, malformed_lines = 0;
  // Each request's steps in each service, in log order ("received", ...).
  std::map<int, std::vector<std::string>> server_lines, backend_lines;
  // Each request's spans in each service, found by their trace (each
  // request has a trace of its own), and the parent span the backend saw.
  std::map<std::string, int> by_trace;
  for (auto const& [n, r] : results)
    if (is_trace_id(r.trace))
      by_trace[r.trace] = n;
  std::map<int, std::vector<span_line>> server_spans, backend_spans;
  std::map<int, std::string> backend_parent;
  int spans_checked = 0;
  std::vector<std::string> excerpt, excerpt_failed;
  auto first_of = [&](std::string const& kind, int status) {
    for (auto const& [n, r] : results)
      if (r.kind == kind && r.status == status)
        return n;
    return -1;
  };
  int const excerpt_n = first_of("request-id", 200);
  int const excerpt_failed_n = first_of("explode", 500);

  auto scan = [&](std::string const& file, std::string const& service,
      std::string const& prefix,
      std::map<int, std::vector<std::string>>& steps) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line))
    {
      for (char ch : line)
        if (static_cast<unsigned char>(ch) < 0x20
            || static_cast<unsigned char>(ch) > 0x7e)
        {
          ++malformed_lines;
          break;
        }
      auto l = parse_line(line);
      if (!l || l->service != service)
      {
        ++malformed_lines;  // a split or injected line
        continue;
      }
      if (l->rest.rfind("span ", 0) == 0)
      {
        // A span: in its request's trace, which the line's own identity
        // names too.
        ++spans_checked;
        auto const sp = parse_span(l->rest);
        auto const it = sp ? by_trace.find(sp->trace) : by_trace.end();
        bool const ok = it != by_trace.end() && is_span_id(sp->id)
          && (sp->parent == "-" || is_span_id(sp->parent))
          && l->trace == sp->trace
          && (service == "backend" || l->id == results[it->second].id)
          && sp->sampled
            == (unsampled(it->second, results[it->second].kind) ? "0" : "1");
        if (!ok)
        {
          if (mismatches < 5)
            std::cout << "MISMATCH: " << line << '\n';
          ++mismatches;
          continue;
        }
        (service == "server" ? server_spans : backend_spans)[it->second]
          .push_back(*sp);
        if (it->second == excerpt_n)
          excerpt.push_back(line);
        if (it->second == excerpt_failed_n)
          excerpt_failed.push_back(line);
        continue;
      }
      int const n = number_after(l->rest, prefix);
      if (n < 0)
        continue;  // not about a request: startup, rejections
      ++lines_checked;
      auto const space = l->rest.find(' ');
      steps[n].push_back(
          space == l->rest.npos ? "" : l->rest.substr(space + 1));
      auto it = results.find(n);
      bool ok = it != results.end() && l->trace == it->second.trace
        && (service == "backend" || l->id == it->second.id);
      // The server's call to the backend is a new span of the trace: the
      // parent the backend sees is not the one the client sent.
      auto const span = l->rest.find("parent span ");
      if (ok && span != std::string::npos)
      {
        ok = l->rest.substr(span + 12) != it->second.sent_parent
          && l->rest.size() == span + 12 + 16;
        backend_parent[n] = l->rest.substr(span + 12);
      }
      if (!ok)
      {
        if (mismatches < 5)
          std::cout << "MISMATCH: " << line << '\n';
        ++mismatches;
      }
      if (n == excerpt_n)
        excerpt.push_back(line);
      if (n == excerpt_failed_n)
        excerpt_failed.push_back(line);
    }
  };
  scan(server_log, "server", "/item/", server_lines);
  scan(backend_log, "backend", "/lookup/", backend_lines);

  // Every answered request logged all its steps, in both services, in
  // order, "request done" last: its zone was idle only after the audit
  // write that the answer did not wait for.
  auto follows = [](std::vector<std::string> const& got,
      std::vector<std::string> const& want) {
    if (got.size() != want.size())
      return false;
    for (std::size_t i = 0; i < want.size(); ++i)
      if (got[i].rfind(want[i], 0) != 0)
        return false;
    return true;
  };
  std::vector<std::string> const served = {"received", "database answered",
    "backend answered", "audit written", "request done: "};
  std::vector<std::string> const failed = {"received", "database answered",
    "failed: pricing: not an item number", "request done: "};
  std::vector<std::string> const late = {"received", "deadline passed",
    "request done: "};
  std::vector<std::string> const looked_up = {"lookup, parent span ", "done",
    "request done: "};
  int missing = 0;
  for (auto const& [n, r] : results)
  {
    bool const ok = r.status == 200
      ? follows(server_lines[n], served) && follows(backend_lines[n], looked_up)
      : r.status == 500 ? follows(server_lines[n], failed)
      : r.status == 504 ? follows(server_lines[n], late)
      : true;  // rejected before any handling: 431
    if (!ok && ++missing <= 3)
    {
      std::cout << "STEPS of request " << n << " (" << r.status << "):";
      for (auto const& step : server_lines[n])
        std::cout << " [" << step << "]";
      std::cout << '\n';
    }
  }

  // Every handled request's spans, each once, each with the right parent:
  // the server's request span is the child of the span the client sent (a
  // root otherwise), db, call_backend and audit its children; the backend's
  // request span is the child of call_backend (the parent it logged, too),
  // and work its child.
  int broken_traces = 0;
  for (auto const& [n, r] : results)
  {
    auto index = [](std::vector<span_line> const& spans,
        std::vector<std::string> const& names) {
      std::map<std::string, span_line> m;
      for (auto const& sp : spans)
        if (!m.emplace(sp.name, sp).second)
          return std::map<std::string, span_line>();  // a span twice
      if (m.size() != names.size())
        return std::map<std::string, span_line>();
      for (auto const& name : names)
        if (!m.count(name))
          return std::map<std::string, span_line>();
      return m;
    };
    bool ok = true;
    if (r.status == 200 || r.status == 500 || r.status == 504)
    {
      auto const server = index(server_spans[n], r.status == 200
          ? std::vector<std::string>{"request", "db", "call_backend", "audit"}
          : std::vector<std::string>{"request", "db"});
      ok = !server.empty()
        && server.at("request").parent
          == (r.kind == "traceparent" ? r.sent_parent : "-");
      for (auto const& [name, sp] : server)
        ok = ok && (name == "request" || sp.parent == server.at("request").id);
      if (ok && r.status == 200)
      {
        auto const backend = index(backend_spans[n], {"request", "work"});
        std::string const call = server.at("call_backend").id;
        ok = !backend.empty() && backend.at("request").parent == call
          && backend_parent[n] == call
          && backend.at("work").parent == backend.at("request").id;
      }
      else
        ok = ok && backend_spans[n].empty();
    }
    else
      ok = server_spans[n].empty() && backend_spans[n].empty();
    if (!ok && ++broken_traces <= 3)
    {
      std::cout << "SPANS of request " << n << " (" << r.status << "):";
      for (auto const& sp : server_spans[n])
        std::cout << " [server " << sp.name << " " << sp.id << " < "
                  << sp.parent << "]";
      for (auto const& sp : backend_spans[n])
        std::cout << " [backend " << sp.name << " " << sp.id << " < "
                  << sp.parent << "]";
      std::cout << '\n';
    }
  }

  std::map<int, int> by_status;
  for (auto const& [n, r] : results)
    ++by_status[r.status];

  std::cout << "excerpt (request " << excerpt_n << "):\n";
  for (auto const& line : excerpt)
    std::cout << "  " << line << '\n';
  if (excerpt_failed_n >= 0)
  {
    std::cout << "excerpt (request " << excerpt_failed_n
              << ", hostile: its pricing callback threw):\n";
    for (auto const& line : excerpt_failed)
      std::cout << "  " << line << '\n';
  }
  std::cout << "check: " << results.size() << " requests (";
  for (auto const& [status, count] : by_status)
    std::cout << (status == by_status.begin()->first ? "" : ", ") << count
              << " x " << status;
  std::cout << "), " << lines_checked
            << " log lines checked, mismatches: " << mismatches
            << ", requests with missing or unordered steps: " << missing
            << ", split or injected lines: " << malformed_lines << '\n';
  std::cout << "spans: " << spans_checked
            << " checked, requests with a missing span or a wrong parent "
               "link: " << broken_traces << '\n';
  return mismatches == 0 && missing == 0 && malformed_lines == 0
      && broken_traces == 0 ? 0 : 1;
}

std::string option(int argc, char* argv[], std::string const& name)
{
  for (int i = 1; i + 1 < argc; ++i)
    if (argv[i] == name)
      return argv[i + 1];
  return "";
}

} // namespace

int main(int argc, char* argv[])
{
  if (argc == 5 && std::string(argv[1]) == "--check")
    return check(argv[2], argv[3], argv[4]);
  std::string const port = option(argc, argv, "--port");
  std::string const results = option(argc, argv, "--results");
  if (port.empty() || results.empty())
  {
    std::cerr << "usage: http_client --port P --requests N --concurrency C "
                 "--results FILE\n"
                 "       http_client --check RESULTS SERVER_LOG BACKEND_LOG\n";
    return 2;
  }
  std::string const requests = option(argc, argv, "--requests");
  std::string const concurrency = option(argc, argv, "--concurrency");
  return run_load(static_cast<unsigned short>(std::stoi(port)),
      requests.empty() ? 2000 : std::stoi(requests),
      concurrency.empty() ? 50 : std::stoi(concurrency), results);
}
