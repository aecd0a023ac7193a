//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The front service: an asynchronous Beast HTTP/1.1 server with keep-alive,
// run by two threads on the drop-in propagating executor. For each request it
// takes or makes the request's identity, waits on a timer standing in for a
// database call, prices the item through a callback-style library, calls the
// backend service, answers, and leaves an audit write running after the
// answer; it logs at each step. No function below takes the request ID: the
// log records read it. Nor does any take a span: each request's spans
// (request; db, call_backend and audit, its children) find their parent in
// OpenTelemetry's context, made async-local (see spans.hpp). Each request
// runs in a zone (see answer_in_zone in http_common.hpp): "request done"
// waits for the audit write, a pricing callback that throws answers 500 for
// its request only, and a request past its deadline answers 504.
//
//   http_server --backend-port P [--port N] [--port-file FILE]

#include "../common/spans.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <stdexcept>


using namespace example;

namespace {

unsigned short backend_port = 0;

// A library with a callback interface: prices the item a target names,
// later, on the caller's executor. Its callback throws on a target that
// names no item ("/item/<n>/explode", the demo's hostile request): the
// exception escapes a handler run by io_context::run(). Without the
// request's zone it would leave run() and stop the server for every
// request; with it, it becomes that request's 500.
template <class Handler>
void async_price(std::string target, Handler handler)
{
  auto ex = net::get_associated_executor(handler);
  net::post(ex, [target = std::move(target),
      handler = std::move(handler)]() mutable {
    std::string const item = target.substr(6);  // after "/item/"
    std::size_t used = 0;
    int const n = std::stoi(item, &used);
    if (used != item.size())
      throw std::invalid_argument("pricing: not an item number");
    std::move(handler)(n % 100 + 1);
  });
}

template <class CompletionToken>
auto price(std::string target, CompletionToken&& token)
{
  return net::async_initiate<CompletionToken, void(int)>(
      [](auto handler, std::string target) {
        async_price(std::move(target), std::move(handler));
      }, token, std::move(target));
}

// Side work the request does not wait for: an audit record written after
// the answer. Its zone does, before the request is "done".
void write_audit(net::any_io_executor ex, std::string target)
{
  auto t = std::make_shared<net::steady_timer>(ex,
      std::chrono::milliseconds(5));
  t->async_wait([t, target = std::move(target)](boost::system::error_code) {
    // Still in the request's span, after its answer: a span of its own.
    tracer().StartSpan("audit");
    EXAMPLE_LOG << target << " audit written";
  });
}

// An outgoing call, a span of its own: the backend's spans are its children.
net::awaitable<std::string> call_backend(std::string target)
{
  auto span = tracer().StartSpan("call_backend");
  trace::Scope scope(span);
  // (No stream timeout: Beast's timeouts need a strand on a 2-thread
  // io_context; the demo bounds the whole run instead.)
  beast::tcp_stream stream(co_await net::this_coro::executor);
  co_await stream.async_connect(
      tcp::endpoint(net::ip::address_v4::loopback(), backend_port),
      net::use_awaitable);
  request req(http::verb::get, target, 11);
  req.set(http::field::host, "backend");
  inject_span(req);
  co_await http::async_write(stream, req, net::use_awaitable);
  beast::flat_buffer buffer;
  response res;
  co_await http::async_read(stream, buffer, res, net::use_awaitable);
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  co_return res.body();
}

net::awaitable<response> handle(request req)
{
  request_span span;  // the parent of every span below
  std::string const target(req.target());
  EXAMPLE_LOG << target << " received";

  // "/item/<n>/slow" stands for a database that never answers: the
  // request's deadline cancels the wait (and the request answers 504).
  bool const slow = target.size() > 5
    && target.compare(target.size() - 5, 5, "/slow") == 0;
  net::steady_timer db(co_await net::this_coro::executor,
      slow ? std::chrono::milliseconds(std::chrono::hours(1))
           : std::chrono::milliseconds(2));
  {
    auto db_span = tracer().StartSpan("db");
    trace::Scope scope(db_span);
    co_await db.async_wait(net::use_awaitable);
  }
  EXAMPLE_LOG << target << " database answered";

  int const cents = co_await price(target, net::use_awaitable);

  std::string const path = target.rfind("/item/", 0) == 0
    ? "/lookup/" + target.substr(6) : "/lookup/none";
  std::string value;
  try
  {
    value = co_await call_backend(path);
    EXAMPLE_LOG << target << " backend answered";
  }
  catch (std::exception const& e)
  {
    EXAMPLE_LOG << target << " backend failed: " << e.what();
    response res(http::status::bad_gateway, req.version());
    co_return res;
  }

  write_audit(co_await net::this_coro::executor, target);

  response res(http::status::ok, req.version());
  res.set(http::field::content_type, "text/plain");
  res.body() = value + ", " + std::to_string(cents) + " cents\n";
  co_return res;
}

} // namespace

int main(int argc, char* argv[])
{
  backend_port = static_cast<unsigned short>(
      std::stoi(option(argc, argv, "--backend-port", "0")));
  if (!backend_port)
  {
    std::cerr << "usage: http_server --backend-port P [--port N] [--port-file F]\n";
    return 2;
  }
  install_spans();
  run_service("server", argc, argv, &handle);
}
