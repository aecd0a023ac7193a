//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// A TCP echo server written with C++20 coroutines, run by two threads. Every
// log line carries the ID of the connection it belongs to, and no function
// takes that ID as a parameter: the session coroutine is spawned inside a
// binding, and the propagating executor carries it across every co_await.
//
//   coroutine_echo_server [port]        serve until interrupted
//   coroutine_echo_server --clients N   serve on an ephemeral loopback port,
//                                       run N concurrent clients, then exit

#include <boost/async_local.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>

namespace net = boost::asio;
namespace al = boost::async_local;
using net::ip::tcp;
using net::use_awaitable;

// The connection a piece of work belongs to.
al::variable<std::string> connection_id;

// Business code reads the ID where it needs it: here, in every log line.
void log(std::string_view what)
{
  std::string const id = connection_id.value_or("server");
  std::printf("[%s] %.*s\n", id.c_str(), int(what.size()), what.data());
  std::fflush(stdout);
}

net::awaitable<void> echo(tcp::socket& socket, std::string line)
{
  log("echo " + line.substr(0, line.size() - 1));
  co_await net::async_write(socket, net::buffer(line), use_awaitable);
}

net::awaitable<void> session(tcp::socket socket)
{
  log("connected");
  co_await net::async_write(socket,
      net::buffer("hello " + *connection_id.get() + "\n"), use_awaitable);
  std::string buffer;
  for (;;)
  {
    auto [ec, n] = co_await net::async_read_until(socket,
        net::dynamic_buffer(buffer), '\n', net::as_tuple(use_awaitable));
    if (ec)
      break;
    std::string line = buffer.substr(0, n);
    buffer.erase(0, n);
    co_await echo(socket, std::move(line));
  }
  log("closed");
}

net::awaitable<void> listen(tcp::acceptor& acceptor)
{
  for (int n = 1;; ++n)
  {
    tcp::socket socket = co_await acceptor.async_accept(use_awaitable);
    // Bind the ID for everything this connection does from here on.
    connection_id.run("conn-" + std::to_string(n), [&] {
      net::co_spawn(acceptor.get_executor(), session(std::move(socket)),
          net::detached);
    });
  }
}

// A client: reads its greeting, sends a few lines, checks the echoes.
net::awaitable<void> client(tcp::endpoint server, std::atomic<int>& failures)
{
  tcp::socket socket(co_await net::this_coro::executor);
  co_await socket.async_connect(server, use_awaitable);
  std::string buffer;
  std::size_t n = co_await net::async_read_until(socket,
      net::dynamic_buffer(buffer), '\n', use_awaitable);
  std::string const me = buffer.substr(6, n - 7);  // "hello <id>\n"
  buffer.erase(0, n);
  for (int i = 1; i <= 3; ++i)
  {
    std::string const line = me + " line " + std::to_string(i) + "\n";
    co_await net::async_write(socket, net::buffer(line), use_awaitable);
    n = co_await net::async_read_until(socket, net::dynamic_buffer(buffer),
        '\n', use_awaitable);
    if (buffer.substr(0, n) != line)
      ++failures;
    buffer.erase(0, n);
  }
}

int main(int argc, char* argv[])
{
  int clients = 0;
  unsigned short port = 0;
  if (argc == 3 && std::strcmp(argv[1], "--clients") == 0)
    clients = std::atoi(argv[2]);
  else if (argc == 2)
    port = static_cast<unsigned short>(std::atoi(argv[1]));

  net::io_context ioc(2);
  // Wrap the executor once: the acceptor, the sockets and the coroutines
  // made from it propagate the connection ID.
  auto ex = al::make_executor(ioc);
  tcp::acceptor acceptor(ex, {net::ip::address_v4::loopback(), port});
  net::co_spawn(ex, listen(acceptor), net::detached);
  log("listening on port " + std::to_string(acceptor.local_endpoint().port()));

  std::atomic<int> failures{0};
  std::atomic<int> remaining{clients};
  net::signal_set signals(ex);
  if (clients > 0)
  {
    for (int i = 0; i < clients; ++i)
      net::co_spawn(ex, client(acceptor.local_endpoint(), failures),
          [&](std::exception_ptr e) {
            if (e)
              ++failures;
            if (--remaining == 0)
              ioc.stop();
          });
  }
  else
  {
    signals.add(SIGINT);
    signals.add(SIGTERM);
    signals.async_wait([&](auto, int) { ioc.stop(); });
  }

  std::thread second([&] { ioc.run(); });
  ioc.run();
  second.join();

  if (clients > 0)
    std::printf("clients: %d, failures: %d\n", clients, failures.load());
  return failures == 0 ? 0 : 1;
}
