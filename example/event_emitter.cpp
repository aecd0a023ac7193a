//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// An event emitter whose listeners run in the context they were registered
// in, not in the context of whoever emits: Node.js's "Integrating
// AsyncResource with EventEmitter".
//
// A listener is a plain callback list entry; the emitter calls it itself.
// Wrapping it with al::resource::wrap when it is registered makes each call
// run in the registering request's context, whichever request (or none)
// emits the event, and on whichever thread.

#include <boost/async_local/executor.hpp>
#include <boost/async_local/resource.hpp>
#include <boost/async_local/variable.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <cstdio>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace net = boost::asio;
namespace al = boost::async_local;

al::variable<std::string> request_id;

class event_emitter
{
public:
  using listener = std::function<void(std::string const& event)>;

  // Registers `f`, to run in the context current now.
  void on(listener f)
  {
    listeners_.push_back(al::resource("event_emitter").wrap(std::move(f)));
  }

  void emit(std::string const& event)
  {
    for (auto& l : listeners_)
      l(event);
  }

private:
  std::vector<al::resource_binder<listener>> listeners_;
};

int main()
{
  event_emitter connection;
  int mismatches = 0;
  auto expect = [&](std::string const& registered_in) {
    return [&, registered_in](std::string const& event) {
      std::string const seen = request_id.value_or("-");
      if (seen != registered_in)
        ++mismatches;
      std::printf("[%s] heard '%s'\n", seen.c_str(), event.c_str());
    };
  };

  // Two requests subscribe to the same connection's events.
  request_id.run("req-1", [&] { connection.on(expect("req-1")); });
  request_id.run("req-2", [&] { connection.on(expect("req-2")); });

  // Emitted from a third request, and from a handler of no request: each
  // listener still runs in the request that registered it.
  request_id.run("req-3", [&] { connection.emit("data"); });
  net::io_context ioc;
  net::post(al::make_executor(ioc), [&] { connection.emit("close"); });
  ioc.run();

  std::printf("%d listeners ran in the wrong request\n", mismatches);
  return mismatches == 0 ? 0 : 1;
}
