//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Asio, compiled once for the whole test suite (BOOST_ASIO_SEPARATE_COMPILATION,
// or ASIO_SEPARATE_COMPILATION for standalone Asio).
#if defined(BOOST_ASYNC_LOCAL_STANDALONE_ASIO)
# include <asio/impl/src.hpp>
#else
# include <boost/asio/impl/src.hpp>
#endif
