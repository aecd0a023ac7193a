//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_DETAIL_ASIO_CONFIG_HPP
#define BOOST_ASYNC_LOCAL_DETAIL_ASIO_CONFIG_HPP

// Which Asio the library is built on, chosen at compile time.
//
// By default the library uses Boost.Asio (namespace boost::asio, BOOST_ASIO_*
// macros). Defining BOOST_ASYNC_LOCAL_STANDALONE_ASIO before the first
// include (the CMake target Boost::async_local_standalone_asio does) makes it
// use standalone Asio instead (namespace ::asio, ASIO_* macros, <asio/...>
// headers), with no Boost header included by the core. The library's own
// namespace stays boost::async_local either way.
//
// The core (variable, snapshot, restore_guard) has no Asio dependency at
// all; only the headers that adapt Asio include one of the two.

#if defined(BOOST_ASYNC_LOCAL_STANDALONE_ASIO)

# include <asio/version.hpp>

# define BOOST_ASYNC_LOCAL_ASIO_VERSION ASIO_VERSION
# define BOOST_ASYNC_LOCAL_ASIO_BEGIN namespace asio {
# define BOOST_ASYNC_LOCAL_ASIO_END }

namespace asio {}

namespace boost {
namespace async_local {
namespace detail {
namespace net = ::asio;
} // namespace detail
} // namespace async_local
} // namespace boost

#else // defined(BOOST_ASYNC_LOCAL_STANDALONE_ASIO)

# include <boost/asio/version.hpp>

# define BOOST_ASYNC_LOCAL_ASIO_VERSION BOOST_ASIO_VERSION
# define BOOST_ASYNC_LOCAL_ASIO_BEGIN namespace boost { namespace asio {
# define BOOST_ASYNC_LOCAL_ASIO_END } }

namespace boost {
namespace asio {}
namespace async_local {
namespace detail {
namespace net = ::boost::asio;
} // namespace detail
} // namespace async_local
} // namespace boost

#endif // defined(BOOST_ASYNC_LOCAL_STANDALONE_ASIO)

// Asio 1.26 (Boost 1.81) is the oldest supported version.
#if BOOST_ASYNC_LOCAL_ASIO_VERSION < 102600
# error "Boost.AsyncLocal needs Asio 1.26 (Boost 1.81) or later"
#endif

// Immediate completion (associated_immediate_executor) came with Asio 1.28
// (Boost 1.82): an operation that completes inside its initiating function
// runs its handler through the handler's associated immediate executor.
#if BOOST_ASYNC_LOCAL_ASIO_VERSION >= 102800
# define BOOST_ASYNC_LOCAL_HAS_IMMEDIATE_EXECUTOR 1
#endif

#endif // BOOST_ASYNC_LOCAL_DETAIL_ASIO_CONFIG_HPP
