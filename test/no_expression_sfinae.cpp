//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Built with Asio's expression-SFINAE deduction of its executor traits
// turned off (as on compilers without it): the propagating executor must
// still be an executor, fit any_io_executor and make strands, through the
// traits specialisations executor.hpp provides for that case.

#include <boost/async_local.hpp>

#if defined(BOOST_ASYNC_LOCAL_STANDALONE_ASIO)
# include <asio/any_io_executor.hpp>
# include <asio/io_context.hpp>
# include <asio/post.hpp>
# include <asio/steady_timer.hpp>
namespace net = ::asio;
#else
# include <boost/asio/any_io_executor.hpp>
# include <boost/asio/io_context.hpp>
# include <boost/asio/post.hpp>
# include <boost/asio/steady_timer.hpp>
namespace net = boost::asio;
#endif

namespace al = boost::async_local;

int main()
{
  net::io_context ioc;
  auto ex = al::make_executor(ioc);
  static_assert(net::execution::is_executor<decltype(ex)>::value,
      "an executor without deduced traits");
  net::any_io_executor any(ex);
  al::variable<int> v;
  int seen = 0;
  int on_strand = 0;
  auto strand = al::make_strand(ex);
  net::steady_timer timer(ex, std::chrono::milliseconds(1));
  v.run(1, [&] {
    net::post(any, [&] { seen += v.value_or(0); });
    net::post(strand, [&] { on_strand = v.value_or(0); });
  });
  v.run(2, [&] {
    timer.async_wait([&](auto) { seen += v.value_or(0) * 10; });
  });
  ioc.run();
  return seen == 21 && on_strand == 1 ? 0 : 1;
}
