//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_TEST_NET_HPP
#define BOOST_ASYNC_LOCAL_TEST_NET_HPP

// The Asio the tests run against: Boost.Asio, or standalone Asio when the
// suite is built with BOOST_ASYNC_LOCAL_STANDALONE_ASIO. Tests name it `net`
// and use the error types below, so that one suite covers both.

#if defined(BOOST_ASYNC_LOCAL_STANDALONE_ASIO)

# include <asio.hpp>
# include <asio/experimental/channel.hpp>
# include <asio/experimental/concurrent_channel.hpp>
# include <asio/experimental/parallel_group.hpp>

# include <system_error>

namespace net = ::asio;
using error_code = std::error_code;
using system_error = std::system_error;

# if defined(ASIO_HAS_CO_AWAIT)
#  define BOOST_ASYNC_LOCAL_TEST_CO_AWAIT 1
#  include <asio/experimental/awaitable_operators.hpp>
#  include <asio/experimental/co_composed.hpp>
#  include <asio/experimental/coro.hpp>
#  include <asio/experimental/promise.hpp>
#  include <asio/experimental/use_coro.hpp>
#  include <asio/experimental/use_promise.hpp>
# endif
// Standalone Asio's spawn needs Boost.Context, which a standalone user may
// not have: the stackful tests run with Boost.Asio only.
# define BOOST_ASYNC_LOCAL_TEST_SPAWN 0
# define BOOST_ASYNC_LOCAL_TEST_BOOST_ASIO 0

#else

# include <boost/asio.hpp>
# include <boost/asio/experimental/channel.hpp>
# include <boost/asio/experimental/concurrent_channel.hpp>
# include <boost/asio/experimental/parallel_group.hpp>
# if !defined(BOOST_ASYNC_LOCAL_TEST_NO_SPAWN)
#  include <boost/asio/spawn.hpp>
# endif

namespace net = ::boost::asio;
using error_code = ::boost::system::error_code;
using system_error = ::boost::system::system_error;

# if defined(BOOST_ASIO_HAS_CO_AWAIT)
#  define BOOST_ASYNC_LOCAL_TEST_CO_AWAIT 1
#  include <boost/asio/experimental/awaitable_operators.hpp>
#  include <boost/asio/experimental/co_composed.hpp>
#  include <boost/asio/experimental/coro.hpp>
#  include <boost/asio/experimental/promise.hpp>
#  include <boost/asio/experimental/use_coro.hpp>
#  include <boost/asio/experimental/use_promise.hpp>
# endif
# if defined(BOOST_ASYNC_LOCAL_TEST_NO_SPAWN)
#  define BOOST_ASYNC_LOCAL_TEST_SPAWN 0
# else
#  define BOOST_ASYNC_LOCAL_TEST_SPAWN 1
# endif
# define BOOST_ASYNC_LOCAL_TEST_BOOST_ASIO 1
// deadline_timer (Boost.DateTime's clock) is deprecated in newer Asio.
# if BOOST_ASIO_VERSION < 103600
#  include <boost/asio/deadline_timer.hpp>
#  define BOOST_ASYNC_LOCAL_TEST_DEADLINE_TIMER 1
# endif

#endif

#endif // BOOST_ASYNC_LOCAL_TEST_NET_HPP
