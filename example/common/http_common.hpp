//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// What the example services share: the log sink configuration, and a Beast
// HTTP/1.1 server loop (keep-alive, coroutines) that binds each request's
// identity and runs the service's handler in a zone of its own: the request
// has a deadline, an exception escaping any of its handlers becomes a 500
// for that request only, and "request done" is logged when everything the
// request started has finished, its side work after the response included.

#ifndef BOOST_ASYNC_LOCAL_EXAMPLE_HTTP_COMMON_HPP
#define BOOST_ASYNC_LOCAL_EXAMPLE_HTTP_COMMON_HPP

#include <boost/async_local.hpp>
#include <boost/async_local/http/beast.hpp>
#include <boost/async_local/log.hpp>
#include <boost/async_local/trace_recorder.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/core/null_deleter.hpp>
#include <boost/log/core.hpp>
#include <boost/log/expressions.hpp>
#include <boost/log/sinks/sync_frontend.hpp>
#include <boost/log/sinks/text_ostream_backend.hpp>
#include <boost/log/sources/logger.hpp>
#include <boost/log/sources/record_ostream.hpp>

#include <chrono>
#include <exception>
#include <fstream>
#include <memory>
#include <optional>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>

namespace example {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace al = boost::async_local;
namespace alh = boost::async_local::http;
namespace logging = boost::log;
using net::ip::tcp;

inline logging::sources::logger_mt& logger()
{
  static logging::sources::logger_mt lg;
  return lg;
}

// A trace ID, held in place like the request ID: a log record copies these
// 33 bytes instead of allocating a string.
using trace_id_string = alh::fixed_string<32>;

// Every record carries the current request's ID and trace ID, read from the
// request context when the record is made:
//   [<request id>] [trace <trace id>] <service>: <message>
inline void init_logging(std::string const& service)
{
  namespace expr = logging::expressions;
  using backend = logging::sinks::text_ostream_backend;
  auto sink = boost::make_shared<logging::sinks::synchronous_sink<backend>>();
  sink->locked_backend()->add_stream(
      boost::shared_ptr<std::ostream>(&std::cout, boost::null_deleter()));
  sink->locked_backend()->auto_flush(true);
  sink->set_formatter(expr::stream
      << "[" << expr::attr<alh::request_id_string>("RequestID")
      << "] [trace " << expr::attr<trace_id_string>("TraceID") << "] "
      << service << ": "
      << expr::smessage);
  auto core = logging::core::get();
  core->add_sink(sink);
  core->add_global_attribute("RequestID", al::log::make_attribute(
      alh::current_request(),
      [](alh::request_context const& c) { return c.request_id; },
      alh::request_id_string("-")));
  core->add_global_attribute("TraceID", al::log::make_attribute(
      alh::current_request(),
      [](alh::request_context const& c) {
        return trace_id_string(c.trace.trace_id_view());
      },
      trace_id_string("-")));
}

#define EXAMPLE_LOG BOOST_LOG(::example::logger())

inline void write_port_file(std::string const& path, unsigned short port)
{
  std::ofstream(path + ".tmp") << port << "\n";
  std::rename((path + ".tmp").c_str(), path.c_str());
}

// True for a target made only of characters safe to log: letters, digits and
// "/._-", at most 200 of them. Others get a 400 and are never logged.
inline bool loggable_target(std::string_view t)
{
  if (t.empty() || t.size() > 200)
    return false;
  for (char c : t)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z') || c == '/' || c == '.' || c == '_'
        || c == '-'))
      return false;
  return true;
}

using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

// How long a request may take, everything it started included.
constexpr std::chrono::milliseconds request_deadline(500);

// What an exception says, for the log. (Only our own services' messages
// reach it: they hold nothing a client sent.)
inline std::string describe(std::exception_ptr e)
{
  try
  {
    std::rethrow_exception(e);
  }
  catch (std::exception const& x)
  {
    return x.what();
  }
  catch (...)
  {
    return "unknown exception";
  }
}

// Runs handler(req) in a zone of its own and answers for it: 504 if the
// deadline has passed when the answer is about to be written (whatever the
// handler made of its cancelled operations: a 502 for a cancelled backend
// call, say); else
// 500 if an exception escaped the handler or any handler it started before
// the answer (a callback's exception comes through the zone's error
// handler, and the thread goes on serving other requests); else the
// handler's response. Then waits until the zone is idle (side work the
// handler left running, such as a write after the response, included), and
// logs "request done" with what the request cost. An exception from side
// work after the answer is logged, with the request's ID, and changes
// nothing already sent. The caller's connection runs on a strand, and so
// does everything the handler starts (the demo's handlers start their work
// on the coroutine's executor), so the handler's completion, the zone's
// error handler and this coroutine never run at once. The error handler and
// the completion refer to this frame: they cannot run after it is gone,
// since the frame waits for the zone's idle, and nothing outside the
// request keeps the zone.
template <class Handler>
net::awaitable<void> answer_in_zone(beast::tcp_stream& stream,
    Handler handler, request req, bool keep_alive, bool& write_failed)
{
  auto ex = co_await net::this_coro::executor;
  std::string const target(req.target());
  unsigned const version = req.version();
  al::zone z(ex, "request");
  z.expires_after(request_deadline);

  std::optional<response> answer;
  bool finished = false;
  net::steady_timer answered(ex, net::steady_timer::time_point::max());
  auto finish = [&](std::optional<response> r) {
    if (finished)
      return;
    finished = true;
    answer = std::move(r);
    answered.cancel();
  };
  z.on_error([&](std::exception_ptr e) {
    // In the failing handler's context: the line carries the request's ID.
    EXAMPLE_LOG << target << " failed: " << describe(e);
    finish(std::nullopt);
  });
  z.run([&] {
    net::co_spawn(ex, handler(std::move(req)),
        al::bind_snapshot([&](std::exception_ptr e, response r) {
          if (!e)
            return finish(std::move(r));
          if (z.cancelled())
            EXAMPLE_LOG << target << " deadline passed";
          else
            EXAMPLE_LOG << target << " failed: " << describe(e);
          finish(std::nullopt);
        }));
  });
  if (!finished)
    co_await answered.async_wait(net::as_tuple(net::use_awaitable));

  response res = z.cancelled()
    ? response(http::status::gateway_timeout, version)
    : answer ? std::move(*answer)
    : response(http::status::internal_server_error, version);
  res.set("X-Request-Id", alh::current_request_id().view());
  // (Null while propagation is switched off or compiled out.)
  if (auto const* identity = alh::current_request().get())
    res.set("traceparent", identity->trace.to_chars().view());
  res.keep_alive(keep_alive);
  res.prepare_payload();
  auto [wec, wn] = co_await http::async_write(stream, res,
      net::as_tuple(net::use_awaitable));
  write_failed = bool(wec);

  co_await z.async_wait_idle(net::use_awaitable);
  al::zone_stats const cost = z.stats();
  using std::chrono::duration_cast;
  using std::chrono::microseconds;
  EXAMPLE_LOG << target << " request done: " << cost.handlers_run
              << " handlers, busy " << duration_cast<microseconds>(cost.busy).count()
              << " us, wall " << duration_cast<microseconds>(cost.wall).count()
              << " us";
}

// One connection, on a strand of its own: read, bind the request's
// identity, answer in a zone, repeat.
template <class Handler>
net::awaitable<void> session(tcp::socket socket, Handler handler)
{
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;)
  {
    http::request_parser<http::string_body> parser;
    parser.header_limit(8 * 1024);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser,
        net::as_tuple(net::use_awaitable));
    if (ec == http::error::end_of_stream || ec == net::error::eof
        || ec == net::error::connection_reset || ec == beast::error::timeout)
      break;
    if (ec)
    {
      // A request we cannot parse gets a clear 4xx, never a crash, and
      // nothing of it reaches the log.
      bool const too_large = ec == http::error::header_limit;
      EXAMPLE_LOG << "rejected: "
                  << (too_large ? "request header too large" : "bad request");
      response res(too_large ? http::status::request_header_fields_too_large
                             : http::status::bad_request, 11);
      res.set(http::field::connection, "close");
      res.prepare_payload();
      co_await http::async_write(stream, res,
          net::as_tuple(net::use_awaitable));
      break;
    }
    request req = parser.release();
    bool const keep_alive = req.keep_alive();
    bool write_failed = false;
    if (!loggable_target(req.target()))
    {
      EXAMPLE_LOG << "rejected: bad target";
      response res(http::status::bad_request, req.version());
      res.keep_alive(keep_alive);
      res.prepare_payload();
      auto [wec, wn] = co_await http::async_write(stream, res,
          net::as_tuple(net::use_awaitable));
      write_failed = bool(wec);
    }
    else
    {
      // The request's identity, bound for everything handling it does,
      // across every co_await, until the guard goes.
      auto bound = alh::current_request().set(alh::extract(req));
      co_await answer_in_zone(stream, handler, std::move(req), keep_alive,
          write_failed);
    }
    if (write_failed || !keep_alive)
      break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

template <class Handler>
net::awaitable<void> listen(tcp::acceptor& acceptor, Handler handler)
{
  for (;;)
  {
    auto [ec, socket] = co_await acceptor.async_accept(
        net::as_tuple(net::use_awaitable));
    if (ec)
      co_return;
    net::co_spawn(al::make_strand(acceptor.get_executor()),
        session(std::move(socket), handler), net::detached);
  }
}

// The value after `name` on the command line, or `fallback`.
inline std::string option(int argc, char* argv[], std::string const& name,
    std::string fallback = "")
{
  for (int i = 1; i + 1 < argc; ++i)
    if (argv[i] == name)
      return argv[i + 1];
  return fallback;
}

// With --trace PREFIX, a service records what every request did
// (al::trace_recorder) and, when it stops, writes PREFIX.json (Chrome trace
// events, for Perfetto) and PREFIX.dot (the tree of the first request it
// served, for Graphviz: the operations whose handlers ran).
class tracing
{
public:
  explicit tracing(std::string prefix)
    : prefix_(std::move(prefix))
  {
    if (prefix_.empty())
      return;
    recorder_ = std::make_unique<al::trace_recorder>();
    recorder_->watch(alh::current_request(), "request_id",
        [](alh::request_context const& c) { return c.request_id.str(); });
    registration_ = al::install_hooks(*recorder_);
  }

  ~tracing()
  {
    if (!recorder_)
      return;
    registration_.reset();
    std::ofstream json(prefix_ + ".json");
    recorder_->write_chrome_trace(json);
    std::string first;
    for (auto const& op : recorder_->operations())
      if (auto const* id = op.value("request_id"))
      {
        first = *id;
        break;
      }
    std::ofstream dot(prefix_ + ".dot");
    recorder_->write_graphviz(dot, [&](al::traced_operation const& op) {
      auto const* id = op.value("request_id");
      return id && *id == first && !op.runs.empty();
    });
  }

  tracing(tracing const&) = delete;
  tracing& operator=(tracing const&) = delete;

private:
  std::string prefix_;
  std::unique_ptr<al::trace_recorder> recorder_;
  al::hooks_registration registration_;
};

// Runs a service on 2 threads until SIGINT or SIGTERM (then stops
// gracefully: see below), on the loopback address: --port N (0: ephemeral),
// --port-file FILE (where to write it), --trace PREFIX (see tracing).
template <class Handler>
void run_service(std::string const& name, int argc, char* argv[],
    Handler handler)
{
  init_logging(name);
  tracing trace(option(argc, argv, "--trace"));
  net::io_context ioc(2);
  auto ex = al::make_executor(ioc);  // the drop-in propagating executor
  tcp::acceptor acceptor(ex, {net::ip::address_v4::loopback(),
      static_cast<unsigned short>(std::stoi(option(argc, argv, "--port", "0")))});
  // The acceptor's loop and the signal's handler on one strand: closing the
  // acceptor never races with the loop's next accept.
  auto listener = al::make_strand(ex);
  // Every connection's work belongs to the service's zone (each request's
  // zone is a child of it), so that a stop can wait for all of it.
  al::zone service(listener, name);
  service.run([&] {
    net::co_spawn(listener, listen(acceptor, handler), net::detached);
  });

  // A graceful stop: no new connections, then stop once every connection's
  // work is done, the side work of requests already answered included (an
  // audit write the last answer left running would otherwise be lost, as
  // in example/side_effects.cpp), or after 2 seconds.
  net::signal_set signals(listener, SIGINT, SIGTERM);
  net::steady_timer grace(listener);
  signals.async_wait([&](auto, int) {
    beast::error_code ignored;
    acceptor.close(ignored);
    service.async_wait_idle([&](auto) { ioc.stop(); });
    grace.expires_after(std::chrono::seconds(2));
    grace.async_wait([&](auto) { ioc.stop(); });
  });

  unsigned short const port = acceptor.local_endpoint().port();
  EXAMPLE_LOG << "listening on port " << port;
  std::string const port_file = option(argc, argv, "--port-file");
  if (!port_file.empty())
    write_port_file(port_file, port);

  std::thread second([&] { ioc.run(); });
  ioc.run();
  second.join();
}

} // namespace example

#endif
