//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// al::bind_snapshot on a plain executor, through every step of Asio's and Beast's
// composed operations: each intermediate handler runs through the bound
// handler's associated executor (or, for a step that completes inside its
// initiating function, its associated immediate executor), and must see the
// bound snapshot. Every operation here is initiated outside any binding, so
// a step that sees the value saw it only through the binder.

#include <boost/async_local/bind.hpp>

#include "paths.hpp"

#include "net.hpp"
#if BOOST_ASYNC_LOCAL_TEST_BOOST_ASIO
# include <boost/beast/core/flat_buffer.hpp>
# include <boost/beast/http/read.hpp>
# include <boost/beast/http/string_body.hpp>
# include <boost/beast/http/write.hpp>
#endif
#include <boost/test/data/test_case.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace al = boost::async_local;
namespace data = boost::unit_test::data;
using paths::id;
using paths::recorder;
using tcp = net::ip::tcp;

namespace {

constexpr int bound = 7;

// How the data reaches the reader: all of it before the operation starts
// (so every read completes inside its initiating function: the immediate
// path), or one byte a millisecond (so every read waits in the reactor).
enum class feed { buffered, trickled };

std::ostream& operator<<(std::ostream& os, feed f)
{
  return os << (f == feed::buffered ? "buffered" : "trickled");
}

auto const feeds = data::make({feed::buffered, feed::trickled});

// A connected pair of sockets on loopback.
struct socket_pair
{
  explicit socket_pair(net::io_context& ioc)
    : client(ioc), server(ioc)
  {
    tcp::acceptor acceptor(ioc, tcp::endpoint(net::ip::address_v4::loopback(), 0));
    client.connect(acceptor.local_endpoint());
    acceptor.accept(server);
    client.set_option(tcp::no_delay(true));
    server.set_option(tcp::no_delay(true));
  }

  tcp::socket client;
  tcp::socket server;
};

// A stream over a socket that records what `id` is each time a step asks it
// to read or write (that is the context of the step), and moves at most
// `limit` bytes a call so that an operation takes many steps.
class recording_stream
{
public:
  using executor_type = tcp::socket::executor_type;

  recording_stream(tcp::socket& socket, recorder& r, std::size_t limit = 1)
    : socket_(socket), r_(r), limit_(limit)
  {
  }

  executor_type get_executor() { return socket_.get_executor(); }

  template <class Buffers, class Token>
  auto async_read_some(Buffers const& buffers, Token&& token)
  {
    r_.step(bound);
    return socket_.async_read_some(
        first<net::mutable_buffer>(buffers), std::forward<Token>(token));
  }

  template <class Buffers, class Token>
  auto async_write_some(Buffers const& buffers, Token&& token)
  {
    r_.step(bound);
    return socket_.async_write_some(
        first<net::const_buffer>(buffers), std::forward<Token>(token));
  }

private:
  template <class Buffer, class Buffers>
  Buffer first(Buffers const& buffers) const
  {
    for (auto it = net::buffer_sequence_begin(buffers);
        it != net::buffer_sequence_end(buffers); ++it)
    {
      Buffer b(*it);
      if (b.size() != 0)
        return net::buffer(b, limit_);
    }
    return Buffer();
  }

  tcp::socket& socket_;
  recorder& r_;
  std::size_t limit_;
};

// Writes `text` to `socket`: at once, or a byte a millisecond from a timer
// chain that runs outside any binding.
class feeder
{
public:
  feeder(tcp::socket& socket, std::string text, feed f)
    : socket_(socket), text_(std::move(text)), timer_(socket.get_executor())
  {
    if (f == feed::buffered)
      net::write(socket_, net::buffer(text_));
    else
      next();
  }

private:
  void next()
  {
    if (sent_ == text_.size())
      return;
    timer_.expires_after(std::chrono::milliseconds(1));
    timer_.async_wait([this](error_code ec) {
      if (ec)
        return;
      net::write(socket_, net::buffer(&text_[sent_++], 1));
      next();
    });
  }

  tcp::socket& socket_;
  std::string text_;
  std::size_t sent_ = 0;
  net::steady_timer timer_;
};

// A snapshot binding `bound`, taken and then left: nothing is bound while
// the operations below are initiated.
al::snapshot bound_snapshot()
{
  return id.run(bound, [] { return al::snapshot::current(); });
}

// What most tests below start from: a connected pair on loopback, and
// recording streams over either end.
struct pair_fixture
{
  test::io_context ioc;
  socket_pair p{ioc};
  recorder r;
  recording_stream client{p.client, r};
  recording_stream server{p.server, r};
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(test_bind_composed, test::clean_thread)

BOOST_DATA_TEST_CASE_F(pair_fixture, async_read_every_step, feeds, f)
{
  feeder source(p.server, "abcdef", f);
  std::array<char, 6> in{};
  net::async_read(client, net::buffer(in),
      al::bind_snapshot(bound_snapshot(), test::checked(r.expect(bound))));
  ioc.run();
  r.check(7);  // six one-byte reads, the handler
  BOOST_TEST(std::string(in.data(), in.size()) == "abcdef");
}

BOOST_DATA_TEST_CASE_F(pair_fixture, async_read_until_every_step, feeds, f)
{
  feeder source(p.server, "line\n", f);
  std::string line;
  net::async_read_until(client, net::dynamic_buffer(line), '\n',
      al::bind_snapshot(bound_snapshot(), r.expect(bound)));
  ioc.run();
  r.check(6);  // five one-byte reads, the handler
  BOOST_TEST(line == "line\n");
}

BOOST_FIXTURE_TEST_CASE(async_write_every_step_with_room, pair_fixture)
{
  // The socket has room: every write completes inside its initiating
  // function (the immediate path).
  net::async_write(server, net::buffer("abcdef", 6),
      al::bind_snapshot(bound_snapshot(), r.expect(bound)));
  ioc.run();
  r.check(7);
  std::array<char, 6> in{};
  net::read(p.client, net::buffer(in));
  BOOST_TEST(std::string(in.data(), in.size()) == "abcdef");
}

BOOST_AUTO_TEST_CASE(async_write_every_step_when_the_peer_is_slow)
{
  // Small socket buffers and a large write: the writer waits in the reactor
  // for the reader (which runs outside any binding) to drain it.
  test::io_context ioc;
  socket_pair p(ioc);
  p.server.set_option(net::socket_base::send_buffer_size(4096));
  p.client.set_option(net::socket_base::receive_buffer_size(4096));
  recorder r;
  recording_stream stream(p.server, r, std::numeric_limits<std::size_t>::max());
  std::vector<char> out(1 << 20, 'x');
  std::vector<char> in(out.size());
  net::async_write(stream, net::buffer(out),
      al::bind_snapshot(bound_snapshot(), r.expect(bound)));
  std::size_t received = 0;
  net::async_read(p.client, net::buffer(in),
      [&](error_code ec, std::size_t n) { BOOST_TEST(!ec); received = n; });
  ioc.run();
  r.check_at_least(3);  // at least two writes, the handler
  BOOST_TEST(received == out.size());
}

BOOST_DATA_TEST_CASE_F(pair_fixture, async_compose_every_step, feeds, f)
{
  // A user-written composed operation: its own steps, and those of the
  // async_read inside it.
  feeder source(p.server, "abcd", f);
  std::array<char, 2> in{};
  int reads = 0;
  auto op = [&](auto& self, error_code ec = {}, std::size_t = 0) {
    r.step(bound);
    if (!ec && reads++ < 2)
      net::async_read(client, net::buffer(in), std::move(self));
    else
      self.complete(ec);
  };
  auto token = al::bind_snapshot(bound_snapshot(), r.expect(bound));
  net::async_compose<decltype(token), void(error_code)>(
      std::move(op), token, p.client);
  ioc.run();
  // Three steps of our own, two reads of two one-byte steps each, the handler.
  r.check(8);
}

// Asio's binders around al::bind_snapshot, and al::bind_snapshot around
// them: every step keeps the snapshot, on the path through each.

template <class MakeToken>
void read_through(feed f, MakeToken make)
{
  pair_fixture t;
  feeder source(t.p.server, "abcdef", f);
  std::array<char, 6> in{};
  net::async_read(t.client, net::buffer(in),
      make(t.ioc, bound_snapshot(), test::checked(t.r.expect(bound))));
  t.ioc.run();
  t.r.check(7);
}

BOOST_DATA_TEST_CASE(bind_executor_around_bind, feeds, f)
{
  bool on_strand = false;
  read_through(f, [&](net::io_context& ioc, al::snapshot s, auto h) {
    auto strand = net::make_strand(ioc);
    return net::bind_executor(strand, al::bind_snapshot(std::move(s),
        [h, strand, &on_strand](auto&&... args) mutable {
          on_strand = strand.running_in_this_thread();
          h(args...);
        }));
  });
  BOOST_TEST(on_strand);
}

BOOST_DATA_TEST_CASE(bind_around_bind_executor, feeds, f)
{
  bool on_strand = false;
  read_through(f, [&](net::io_context& ioc, al::snapshot s, auto h) {
    auto strand = net::make_strand(ioc);
    return al::bind_snapshot(std::move(s), net::bind_executor(strand,
        [h, strand, &on_strand](auto&&... args) mutable {
          on_strand = strand.running_in_this_thread();
          h(args...);
        }));
  });
  BOOST_TEST(on_strand);
}

BOOST_DATA_TEST_CASE(bind_allocator_around_bind, feeds, f)
{
  read_through(f, [](net::io_context&, al::snapshot s, auto h) {
    return net::bind_allocator(std::allocator<void>(),
        al::bind_snapshot(std::move(s), std::move(h)));
  });
}

BOOST_DATA_TEST_CASE(bind_cancellation_slot_around_bind, feeds, f)
{
  net::cancellation_signal signal;
  read_through(f, [&](net::io_context&, al::snapshot s, auto h) {
    return net::bind_cancellation_slot(signal.slot(),
        al::bind_snapshot(std::move(s), std::move(h)));
  });
}

#if defined(BOOST_ASYNC_LOCAL_HAS_IMMEDIATE_EXECUTOR)
BOOST_DATA_TEST_CASE(bind_immediate_executor_around_bind, feeds, f)
{
  read_through(f, [](net::io_context& ioc, al::snapshot s, auto h) {
    return net::bind_immediate_executor(ioc.get_executor(),
        al::bind_snapshot(std::move(s), std::move(h)));
  });
}
#endif

BOOST_AUTO_TEST_CASE(associations_of_a_bound_handler)
{
  test::io_context ioc;
  test::io_context other;
  auto strand = net::make_strand(other);
  al::snapshot s = bound_snapshot();
  auto handler = [](error_code) {};

  // The executor: the target's, wrapped, with the snapshot as its capture.
  auto b1 = al::bind_snapshot(s, net::bind_executor(strand, handler));
  auto ex1 = net::get_associated_executor(b1, ioc.get_executor());
  BOOST_TEST(ex1.has_snapshot());
  BOOST_TEST((ex1.get_inner_executor() == strand));
  BOOST_TEST((ex1.captured_snapshot() == s));

  // Whichever way round the binders nest, the same executor.
  auto b2 = net::bind_executor(strand, al::bind_snapshot(s, handler));
  BOOST_TEST((net::get_associated_executor(b2, ioc.get_executor()) == ex1));

  // A target with no executor: the candidate, wrapped.
  auto ex3 = net::get_associated_executor(al::bind_snapshot(s, handler), ioc.get_executor());
  BOOST_TEST((ex3.get_inner_executor() == ioc.get_executor()));

  // A propagating executor is not wrapped twice: its capture is replaced.
  auto wrapped = al::make_executor(ioc);
  auto ex4 = net::get_associated_executor(al::bind_snapshot(s, handler), wrapped);
  static_assert(std::is_same<decltype(ex4), decltype(wrapped)>::value,
      "no second wrapper");
  BOOST_TEST((ex4.captured_snapshot() == s));

  // Bound to another snapshot: another executor.
  BOOST_TEST((net::get_associated_executor(al::bind_snapshot(handler), ioc.get_executor())
      != ex3));

  // Allocator and cancellation slot: the target's, unchanged.
  net::cancellation_signal signal;
  auto b5 = al::bind_snapshot(s, net::bind_cancellation_slot(signal.slot(), handler));
  BOOST_TEST((net::get_associated_cancellation_slot(b5) == signal.slot()));
  using allocator = std::allocator<int>;
  auto b6 = al::bind_snapshot(s, net::bind_allocator(allocator(), handler));
  static_assert(std::is_same<net::associated_allocator_t<decltype(b6)>,
      allocator>::value, "the target's allocator");
}

#if BOOST_ASYNC_LOCAL_TEST_BOOST_ASIO

namespace http = boost::beast::http;

BOOST_DATA_TEST_CASE_F(pair_fixture, beast_http_async_read_every_step, feeds, f)
{
  std::string const request = "GET /item/1 HTTP/1.1\r\nHost: a\r\n\r\n";
  feeder source(p.server, request, f);
  boost::beast::flat_buffer buffer;
  http::request<http::string_body> req;
  http::async_read(client, buffer, req,
      al::bind_snapshot(bound_snapshot(), r.expect(bound)));
  ioc.run();
  r.check(request.size() + 1);  // one step a byte, the handler
  BOOST_TEST(req.target() == "/item/1");
}

BOOST_FIXTURE_TEST_CASE(beast_http_async_read_already_in_the_buffer,
    pair_fixture)
{
  // The whole message is in the buffer: Beast completes without reading,
  // through the immediate executor where Asio has one.
  boost::beast::flat_buffer buffer;
  std::string const request = "GET /item/2 HTTP/1.1\r\nHost: a\r\n\r\n";
  net::buffer_copy(buffer.prepare(request.size()), net::buffer(request));
  buffer.commit(request.size());
  http::request<http::string_body> req;
  http::async_read(client, buffer, req,
      al::bind_snapshot(bound_snapshot(), r.expect(bound)));
  ioc.run();
  r.check(1);  // no read, the handler
  BOOST_TEST(req.target() == "/item/2");
}

BOOST_FIXTURE_TEST_CASE(beast_http_async_write_every_step, pair_fixture)
{
  http::response<http::string_body> res(http::status::ok, 11, "hello");
  res.prepare_payload();
  http::async_write(server, res, al::bind_snapshot(bound_snapshot(), r.expect(bound)));
  ioc.run();
  r.check_at_least(20);  // one step a byte of the serialised response, the handler
}

#endif // BOOST_ASYNC_LOCAL_TEST_BOOST_ASIO

BOOST_AUTO_TEST_SUITE_END()
