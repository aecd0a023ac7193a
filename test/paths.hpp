//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_TEST_PATHS_HPP
#define BOOST_ASYNC_LOCAL_TEST_PATHS_HPP

// Every propagation path, written once and run in several modes: I/O objects
// on a propagating executor (concrete, inside any_io_executor, under a
// strand) with plain handlers, or on a plain executor with handlers bound by
// al::bind_snapshot. A mode supplies `executor(ctx)` and `handler(h)`.
//
// Each operation is started inside `id.run(n, ...)` and the io_context runs
// outside it, so a completion that sees n saw it only through propagation.

#include <boost/async_local/bind.hpp>
#include <boost/async_local/executor.hpp>
#include <boost/async_local/variable.hpp>

#include "net.hpp"

#include "common.hpp"

#include <array>
#include <chrono>
#include <csignal>
#include <mutex>
#include <string>
#include <vector>

namespace paths {

namespace al = boost::async_local;

inline al::variable<int> id;

// Collects what completions saw. Thread-safe: thread_pool paths complete on
// other threads; assertions happen on the main thread in check().
class recorder
{
public:
  // A completion handler expecting to see id == expected.
  auto expect(int expected)
  {
    return [this, expected](auto&&... args)
    {
      bool const ok_args = (true && ... && succeeded(args));
      std::lock_guard<std::mutex> lock(mutex_);
      seen_.push_back(id.value_or(-1));
      expected_.push_back(expected);
      failed_ += !ok_args;
    };
  }

  // Records a step of a composed operation.
  void step(int expected)
  {
    std::lock_guard<std::mutex> lock(mutex_);
    seen_.push_back(id.value_or(-1));
    expected_.push_back(expected);
  }

  // Every record saw its expected value, and there were at least
  // `min_calls` (a composed operation's step count depends on timing).
  void check_at_least(std::size_t min_calls)
  {
    std::lock_guard<std::mutex> lock(mutex_);
    BOOST_TEST(seen_.size() >= min_calls);
    BOOST_TEST(seen_ == expected_, boost::test_tools::per_element());
    BOOST_TEST(failed_ == 0);
  }

  void check(std::size_t calls)
  {
    std::lock_guard<std::mutex> lock(mutex_);
    BOOST_TEST(seen_.size() == calls);
    BOOST_TEST(seen_ == expected_, boost::test_tools::per_element());
    BOOST_TEST(failed_ == 0);
  }

private:
  static bool succeeded(error_code const& ec) { return !ec; }
  template <class T>
  static bool succeeded(T const&) { return true; }

  std::mutex mutex_;
  std::vector<int> seen_;
  std::vector<int> expected_;
  int failed_ = 0;
};

template <class Ex>
using steady_timer = net::basic_waitable_timer<std::chrono::steady_clock,
    net::wait_traits<std::chrono::steady_clock>, Ex>;
template <class Ex>
using system_timer = net::basic_waitable_timer<std::chrono::system_clock,
    net::wait_traits<std::chrono::system_clock>, Ex>;
#if defined(BOOST_ASYNC_LOCAL_TEST_DEADLINE_TIMER)
template <class Ex>
using deadline_timer = net::basic_deadline_timer<boost::posix_time::ptime,
    net::time_traits<boost::posix_time::ptime>, Ex>;

template <class Ex>
void expire_soon(deadline_timer<Ex>& t)
{
  t.expires_from_now(boost::posix_time::milliseconds(1));
}
#else
// Standalone Asio has no deadline_timer (it needs Boost.DateTime), and newer
// Boost.Asio deprecates it: the third timer is a waitable timer on a third
// clock.
template <class Ex>
using deadline_timer = net::basic_waitable_timer<
    std::chrono::high_resolution_clock,
    net::wait_traits<std::chrono::high_resolution_clock>, Ex>;

template <class Ex>
void expire_soon(deadline_timer<Ex>& t)
{
  t.expires_after(std::chrono::milliseconds(1));
}
#endif

// A user operation built with async_compose: three timer steps, each of which
// records the variable (and so does the initiating step).
template <class Timer, class Token>
auto async_three_steps(Timer& timer, recorder& r, int expected, Token&& token)
{
  return net::async_compose<Token, void(error_code)>(
      [&timer, &r, expected, n = 0](auto& self, error_code ec = {}) mutable
      {
        r.step(expected);
        if (!ec && n++ < 3)
        {
          timer.expires_after(std::chrono::milliseconds(1));
          timer.async_wait(std::move(self));
          return;
        }
        self.complete(ec);
      },
      token, timer);
}

template <class Mode>
void post_dispatch_defer(Mode m)
{
  test::io_context ioc;
  auto ex = m.executor(ioc);
  recorder r;
  id.run(1, [&] {
    net::post(ex, m.handler(r.expect(1)));
    net::dispatch(ex, m.handler(r.expect(1)));
    net::defer(ex, m.handler(r.expect(1)));
  });
  id.run(2, [&] { net::post(ex, m.handler(r.expect(2))); });
  net::post(ex, m.handler(r.expect(-1)));
  ioc.run();
  r.check(5);
}

template <class Mode>
void timers(Mode m)
{
  test::io_context ioc;
  auto ex = m.executor(ioc);
  using Ex = decltype(ex);
  recorder r;
  steady_timer<Ex> t1(ex);
  system_timer<Ex> t2(ex);
  deadline_timer<Ex> t3(ex);
  id.run(1, [&] {
    t1.expires_after(std::chrono::milliseconds(2));
    t1.async_wait(m.handler(r.expect(1)));
  });
  id.run(2, [&] {
    t2.expires_after(std::chrono::milliseconds(1));
    t2.async_wait(m.handler(r.expect(2)));
  });
  id.run(3, [&] {
    expire_soon(t3);
    t3.async_wait(m.handler(r.expect(3)));
  });
  ioc.run();
  r.check(3);
}

template <class Mode>
void tcp(Mode m)
{
  using net::ip::tcp;
  test::io_context ioc;
  auto ex = m.executor(ioc);
  using Ex = decltype(ex);
  recorder r;
  net::basic_socket_acceptor<tcp, Ex> acceptor(ex,
      tcp::endpoint(net::ip::address_v4::loopback(), 0));
  net::basic_stream_socket<tcp, Ex> server(ex);
  net::basic_stream_socket<tcp, Ex> client(ex);
  id.run(1, [&] { acceptor.async_accept(server, m.handler(r.expect(1))); });
  id.run(2, [&] {
    client.async_connect(acceptor.local_endpoint(), m.handler(r.expect(2)));
  });
  ioc.run();
  ioc.restart();

  std::array<char, 6> in{};
  id.run(3, [&] {
    net::async_write(server, net::buffer("abcdef", 6), m.handler(r.expect(3)));
  });
  id.run(4, [&] {
    net::async_read(client, net::buffer(in), m.handler(r.expect(4)));
  });
  ioc.run();
  ioc.restart();
  BOOST_TEST(std::string(in.data(), in.size()) == "abcdef");

  std::string line;
  id.run(5, [&] {
    server.async_write_some(net::buffer("line\n", 5), m.handler(r.expect(5)));
  });
  id.run(6, [&] {
    net::async_read_until(client, net::dynamic_buffer(line), '\n',
        m.handler(r.expect(6)));
  });
  ioc.run();
  BOOST_TEST(line == "line\n");
  r.check(6);
}

template <class Mode>
void udp(Mode m)
{
  using net::ip::udp;
  test::io_context ioc;
  auto ex = m.executor(ioc);
  using Ex = decltype(ex);
  recorder r;
  udp::endpoint const any(net::ip::address_v4::loopback(), 0);
  net::basic_datagram_socket<udp, Ex> receiver(ex, any);
  net::basic_datagram_socket<udp, Ex> sender(ex, any);
  std::array<char, 16> in{};
  udp::endpoint from;
  id.run(1, [&] {
    receiver.async_receive_from(net::buffer(in), from, m.handler(r.expect(1)));
  });
  id.run(2, [&] {
    sender.async_send_to(net::buffer("ping", 4), receiver.local_endpoint(),
        m.handler(r.expect(2)));
  });
  ioc.run();
  BOOST_TEST(std::string(in.data()) == "ping");
  r.check(2);
}

template <class Mode>
void resolver(Mode m)
{
  using net::ip::tcp;
  test::io_context ioc;
  auto ex = m.executor(ioc);
  recorder r;
  net::ip::basic_resolver<tcp, decltype(ex)> res(ex);
  id.run(1, [&] {
    res.async_resolve("127.0.0.1", "80", tcp::resolver::numeric_host |
        tcp::resolver::numeric_service, m.handler(r.expect(1)));
  });
  ioc.run();
  r.check(1);
}

template <class Mode>
void signal(Mode m)
{
  test::io_context ioc;
  auto ex = m.executor(ioc);
  recorder r;
  net::basic_signal_set<decltype(ex)> signals(ex, SIGUSR2);
  id.run(1, [&] { signals.async_wait(m.handler(r.expect(1))); });
  std::raise(SIGUSR2);
  ioc.run();
  r.check(1);
}

template <class Mode>
void composed(Mode m)
{
  test::io_context ioc;
  auto ex = m.executor(ioc);
  recorder r;
  steady_timer<decltype(ex)> timer(ex);
  id.run(1, [&] {
    async_three_steps(timer, r, 1, m.handler(r.expect(1)));
  });
  ioc.run();
  r.check(5);  // the initiating step, three timer steps, the handler
}

template <class Mode>
void thread_pool(Mode m)
{
  net::thread_pool pool(2);
  auto ex = m.executor(pool);
  recorder r;
  for (int i = 1; i <= 20; ++i)
    id.run(i, [&] { net::post(ex, m.handler(r.expect(i))); });
  pool.join();
  // Handler order on two threads is free; each must see its own value.
  r.check(20);
}

template <class Mode>
void all(Mode m)
{
  post_dispatch_defer(m);
  timers(m);
  tcp(m);
  udp(m);
  resolver(m);
  signal(m);
  composed(m);
  thread_pool(m);
}

} // namespace paths

#endif
