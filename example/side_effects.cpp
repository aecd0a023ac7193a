//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The AWS Lambda lesson, in C++: a handler that returns its response while
// a write it started is still pending loses that write when the runtime
// ends the invocation as soon as the handler has answered (Lambda freezes
// the sandbox; a server shuts down; a test ends). With a zone per
// invocation, the runtime waits until the invocation's work is done.
//
// The program runs one invocation each way and checks what the database
// held when the invocation ended: exit status 0 when the zone made the
// difference.

#include <boost/async_local/executor.hpp>
#include <boost/async_local/variable.hpp>
#include <boost/async_local/zone.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace al = boost::async_local;
using namespace std::chrono_literals;

al::variable<std::string> request_id;

struct database
{
  std::vector<std::string> rows;

  // An asynchronous write that takes 20 ms, started and not awaited.
  void write_detached(net::any_io_executor ex, std::string row)
  {
    auto t = std::make_shared<net::steady_timer>(ex, 20ms);
    t->async_wait([this, t, row](boost::system::error_code) {
      rows.push_back(row + " (written for " + request_id.value_or("?") + ")");
    });
  }
};

// The user's function: it records the order and answers at once.
void handler(database& db, net::any_io_executor ex, std::string const& event,
    std::function<void(std::string)> respond)
{
  db.write_detached(ex, "order " + event);   // the side effect
  net::post(ex, [respond] { respond("202 Accepted"); });
}

// The runtime: one invocation; it ends (and the process freezes) when the
// handler has answered, or, waiting for the zone, when its work is done.
bool invoke(std::string const& event, bool wait_for_idle)
{
  net::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  database db;
  al::zone invocation(ex, "invocation");
  std::size_t rows_at_end = 0;
  auto end_invocation = [&] {
    rows_at_end = db.rows.size();
    ioc.stop();                          // Lambda freezes the sandbox here
  };

  request_id.run("inv-" + event, [&] {
    invocation.run([&] {
      handler(db, ex, event, [&](std::string response) {
        std::printf("  response: %s (pending work: %zu)\n", response.c_str(),
            invocation.pending());
        if (!wait_for_idle)
          end_invocation();
      });
    });
  });
  if (wait_for_idle)
    invocation.async_wait_idle(net::bind_executor(ioc,
        [&](boost::system::error_code) { end_invocation(); }));
  ioc.run();

  al::zone_stats const st = invocation.stats();
  std::printf("  invocation ended: %zu row(s) written%s; %llu handlers ran\n",
      rows_at_end, rows_at_end ? "" : ", the write was lost",
      static_cast<unsigned long long>(st.handlers_run));
  for (auto const& row : db.rows)
    std::printf("  database: %s\n", row.c_str());
  return rows_at_end == 1;
}

int main()
{
  std::printf("ending the invocation when the handler answers:\n");
  bool const without = invoke("1", false);
  std::printf("ending it when the invocation's zone is idle:\n");
  bool const with = invoke("2", true);
  return !without && with ? 0 : 1;
}
