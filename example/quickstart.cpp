//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Quick start: a request ID that follows the work across timers, posts and
// strands on two threads, with no parameter passed through the code.

#include <boost/async_local.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

namespace net = boost::asio;
namespace al = boost::async_local;

// One variable for the whole program, like a thread_local, but it follows
// asynchronous work instead of threads.
al::variable<std::string> request_id;
std::atomic<int> mismatches{0};

// Business code: no request parameter anywhere.
void log(char const* what, std::string const& expected)
{
  std::string const id = request_id.value_or("-");
  if (id != expected)
    ++mismatches;
  std::printf("[request %s] %s\n", id.c_str(), what);
}

void handle_request(net::strand<al::propagating_executor<net::io_context::executor_type>> s,
    std::string expected)
{
  log("accepted", expected);
  auto timer = std::make_shared<net::steady_timer>(s, std::chrono::milliseconds(5));
  timer->async_wait([timer, s, expected](boost::system::error_code) {
    log("database answered", expected);
    net::post(s, [expected] { log("response sent", expected); });
  });
}

int main()
{
  net::io_context ioc;
  // Wrap the executor once; everything made from it propagates the context.
  auto ex = al::make_executor(ioc);

  for (int i = 1; i <= 4; ++i)
  {
    std::string id = "req-" + std::to_string(i);
    request_id.run(id, [&] {
      net::post(ex, [s = net::make_strand(ex), id] { handle_request(s, id); });
    });
  }

  std::thread second([&] { ioc.run(); });
  ioc.run();
  second.join();

  std::printf("mismatches: %d\n", mismatches.load());
  return mismatches == 0 ? 0 : 1;
}
