//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// A consumer of Boost::async_local (or, compiled with
// BOOST_ASYNC_LOCAL_STANDALONE_ASIO, of Boost::async_local_standalone_asio),
// built by the CMake consumer tests.

#include <boost/async_local.hpp>

#if defined(BOOST_ASYNC_LOCAL_STANDALONE_ASIO)
# include <asio/io_context.hpp>
# include <asio/post.hpp>
namespace net = ::asio;
#else
# include <boost/asio/io_context.hpp>
# include <boost/asio/post.hpp>
namespace net = boost::asio;
#endif

int main()
{
  net::io_context ioc;
  boost::async_local::variable<int> id;
  int seen = 0;
  id.run(42, [&] {
    net::post(boost::async_local::make_executor(ioc),
        [&] { seen = id.value_or(0); });
  });
  ioc.run();
  return seen == 42 ? 0 : 1;
}
