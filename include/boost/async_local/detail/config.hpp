//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_DETAIL_CONFIG_HPP
#define BOOST_ASYNC_LOCAL_DETAIL_CONFIG_HPP

// Macros for the core, which depends on no Asio and, built for standalone
// Asio (BOOST_ASYNC_LOCAL_STANDALONE_ASIO), on no Boost header either.

#if defined(BOOST_ASYNC_LOCAL_STANDALONE_ASIO)
# include <cassert>
# define BOOST_ASYNC_LOCAL_ASSERT(expr) assert(expr)
#else
# include <boost/assert.hpp>
# define BOOST_ASYNC_LOCAL_ASSERT(expr) BOOST_ASSERT(expr)
#endif

// The thread's slot and the key counter must be one object in the whole
// program, shared libraries included. Inline variables are, on ELF, as long
// as they are exported: a library built with -fvisibility=hidden would
// otherwise get copies of its own, so that a binding made in one library is
// invisible in another and two variables can get one key. They are marked
// visible whatever the build's default. (Windows DLLs do not merge inline
// variables at all: there, one DLL must own the library's state.)
#if defined(__GNUC__) && !defined(_WIN32)
# define BOOST_ASYNC_LOCAL_SYMBOL_VISIBLE __attribute__((visibility("default")))
#else
# define BOOST_ASYNC_LOCAL_SYMBOL_VISIBLE
#endif

#if defined(_MSC_VER)
# define BOOST_ASYNC_LOCAL_NOINLINE __declspec(noinline)
#else
# define BOOST_ASYNC_LOCAL_NOINLINE __attribute__((noinline))
#endif

// Without RTTI (-fno-rtti): otel.hpp cannot tell its tokens from others,
// and snapshot::bindings reports no value types.
#if !defined(BOOST_ASYNC_LOCAL_NO_RTTI)
# if defined(__GNUC__) && !defined(__GXX_RTTI)
#  define BOOST_ASYNC_LOCAL_NO_RTTI 1
# elif defined(_MSC_VER) && !defined(_CPPRTTI)
#  define BOOST_ASYNC_LOCAL_NO_RTTI 1
# endif
#endif

#endif // BOOST_ASYNC_LOCAL_DETAIL_CONFIG_HPP
