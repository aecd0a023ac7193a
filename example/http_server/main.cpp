//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The front service: an asynchronous Beast HTTP/1.1 server with keep-alive,
// run by two threads on the drop-in propagating executor. For each request it
// takes or makes the request's identity, waits on a timer standing in for a
// database call, calls the backend service, and logs at each step. No
// function below takes the request ID: the log records read it.
//
//   http_server --backend-port P [--port N] [--port-file FILE]

#include "../common/http_common.hpp"

#include <boost/asio/steady_timer.hpp>


using namespace example;

namespace {

unsigned short backend_port = 0;

// An outgoing call: the current trace goes along, as a new span.
net::awaitable<std::string> call_backend(std::string target)
{
  // (No stream timeout: Beast's timeouts need a strand on a 2-thread
  // io_context; the demo bounds the whole run instead.)
  beast::tcp_stream stream(co_await net::this_coro::executor);
  co_await stream.async_connect(
      tcp::endpoint(net::ip::address_v4::loopback(), backend_port),
      net::use_awaitable);
  request req(http::verb::get, target, 11);
  req.set(http::field::host, "backend");
  alh::inject(req);
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
  std::string const target(req.target());
  EXAMPLE_LOG << target << " received";

  net::steady_timer db(co_await net::this_coro::executor,
      std::chrono::milliseconds(2));
  co_await db.async_wait(net::use_awaitable);
  EXAMPLE_LOG << target << " database answered";

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

  response res(http::status::ok, req.version());
  res.set(http::field::content_type, "text/plain");
  res.body() = value + "\n";
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
  run_service("server", argc, argv, &handle);
}
