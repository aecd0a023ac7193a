//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The end-to-end benchmark's server, in three variants that do the same
// work but for the request ID:
//   ids     the drop-in propagating executor; each request's identity is
//           bound, and the response reads it back from the context;
//   manual  a plain executor; the identity is taken the same way and passed
//           by hand to the code that needs it;
//   none    a plain executor and no identity at all.
//
//   server ids|manual|none PORT_FILE

#include <boost/async_local.hpp>
#include <boost/async_local/http/beast.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>

namespace net = boost::asio;
namespace http = boost::beast::http;
namespace al = boost::async_local;
namespace alh = boost::async_local::http;
using net::ip::tcp;

enum class mode { ids, manual, none };

namespace {

using response = http::response<http::string_body>;

// The business code: builds the answer; with an ID it puts it in a header.
response answer(unsigned version, std::string_view id)
{
  response res(http::status::ok, version);
  res.set(http::field::content_type, "text/plain");
  if (!id.empty())
    res.set("X-Request-Id", id);
  res.body() = "hello\n";
  res.prepare_payload();
  return res;
}

net::awaitable<void> session(tcp::socket socket, mode m)
{
  boost::beast::flat_buffer buffer;
  for (;;)
  {
    http::request<http::string_body> req;
    auto [ec, n] = co_await http::async_read(socket, buffer, req,
        net::as_tuple(net::use_awaitable));
    if (ec)
      break;
    response res;
    if (m == mode::ids)
    {
      auto bound = alh::current_request().set(alh::extract(req));
      res = answer(req.version(), alh::current_request().get()->request_id);
    }
    else if (m == mode::manual)
    {
      alh::request_context ctx = alh::extract(req);
      res = answer(req.version(), ctx.request_id);
    }
    else
      res = answer(req.version(), {});
    res.keep_alive(req.keep_alive());
    auto [wec, wn] = co_await http::async_write(socket, res,
        net::as_tuple(net::use_awaitable));
    if (wec || !req.keep_alive())
      break;
  }
}

template <class Executor>
net::awaitable<void> listen(tcp::acceptor& acceptor, Executor ex, mode m)
{
  for (;;)
  {
    auto [ec, socket] = co_await acceptor.async_accept(ex,
        net::as_tuple(net::use_awaitable));
    if (ec)
      co_return;
    net::co_spawn(ex, session(std::move(socket), m), net::detached);
  }
}

template <class Executor>
void serve(net::io_context& ioc, Executor ex, mode m, std::string const& port_file)
{
  tcp::acceptor acceptor(ex, {net::ip::address_v4::loopback(), 0});
  net::co_spawn(ex, listen(acceptor, ex, m), net::detached);
  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](auto, int) { ioc.stop(); });
  std::ofstream(port_file + ".tmp") << acceptor.local_endpoint().port() << "\n";
  std::rename((port_file + ".tmp").c_str(), port_file.c_str());
  ioc.run();
}

} // namespace

int main(int argc, char* argv[])
{
  if (argc != 3)
  {
    std::fprintf(stderr, "usage: server ids|manual|none PORT_FILE\n");
    return 2;
  }
  std::string const which = argv[1];
  net::io_context ioc(1);
  if (which == "ids")
    serve(ioc, al::make_executor(ioc), mode::ids, argv[2]);
  else
    serve(ioc, ioc.get_executor(), which == "manual" ? mode::manual : mode::none,
        argv[2]);
}
