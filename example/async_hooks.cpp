//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Node.js's async_hooks example, in Asio: a hook that prints every event,
// indented by how deep in handlers it happens, with the ids that tie each
// operation to the one that started it.

#include <boost/async_local/executor.hpp>
#include <boost/async_local/hooks.hpp>
#include <boost/async_local/variable.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdio>
#include <string>

namespace net = boost::asio;
namespace al = boost::async_local;

al::variable<std::string> request_id;

// Called on the threads that run handlers (one here). Hooks must not throw.
struct printer : al::async_hooks
{
  void init(al::async_id id, al::async_id trigger, char const* type) noexcept
      override
  {
    line("%s(%llu): trigger: %llu execution: %llu", type, ull(id),
        ull(trigger), ull(al::execution_id()));
  }

  void before(al::async_id id) noexcept override
  {
    line("before:  %llu (request %s)", ull(id),
        request_id.value_or("-").c_str());
    indent += 2;
  }

  void after(al::async_id id) noexcept override
  {
    indent -= 2;
    line("after:   %llu", ull(id));
  }

  void destroy(al::async_id id) noexcept override
  {
    line("destroy: %llu", ull(id));
  }

  template <class... Args>
  void line(char const* format, Args... args)
  {
    std::printf("%*s", indent, "");
    std::printf(format, args...);
    std::printf("\n");
  }

  static unsigned long long ull(al::async_id id) { return id; }

  int indent = 0;
};

int main()
{
  printer p;
  auto registration = al::install_hooks(p);

  net::io_context ioc;
  auto ex = al::make_executor(ioc);
  net::steady_timer timer(ex, std::chrono::milliseconds(1));

  request_id.run("req-1", [&] {
    net::post(ex, [&] {
      std::printf("  handler: execution %llu, trigger %llu\n",
          printer::ull(al::execution_id()), printer::ull(al::trigger_id()));
      timer.async_wait([](boost::system::error_code) {
        std::printf("  timer: execution %llu, trigger %llu\n",
            printer::ull(al::execution_id()), printer::ull(al::trigger_id()));
      });
    });
  });
  ioc.run();
}
