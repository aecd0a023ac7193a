//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_TEST_MODES_HPP
#define BOOST_ASYNC_LOCAL_TEST_MODES_HPP

// The ways a program sets up propagation; see paths.hpp.

#include <boost/async_local/bind.hpp>
#include <boost/async_local/executor.hpp>

#include "net.hpp"

namespace modes {

namespace al = boost::async_local;

struct plain_handlers
{
  template <class H>
  H handler(H h) const { return h; }
};

// I/O objects on al::propagating_executor<Ctx::executor_type>.
struct wrapped : plain_handlers
{
  template <class Ctx>
  auto executor(Ctx& ctx) const { return al::make_executor(ctx.get_executor()); }
};

// I/O objects on any_io_executor holding an al::propagating_executor.
struct inside_any_io_executor : plain_handlers
{
  template <class Ctx>
  net::any_io_executor executor(Ctx& ctx) const
  {
    return net::any_io_executor(al::make_executor(ctx.get_executor()));
  }
};

// I/O objects on make_strand(al::propagating_executor): strand<al::propagating_executor<E>>.
struct strand_of_wrapped : plain_handlers
{
  template <class Ctx>
  auto executor(Ctx& ctx) const
  {
    return net::make_strand(al::make_executor(ctx.get_executor()));
  }
};

// I/O objects on al::propagating_executor<strand<E>>.
struct wrapped_strand : plain_handlers
{
  template <class Ctx>
  auto executor(Ctx& ctx) const
  {
    return al::make_executor(net::make_strand(ctx.get_executor()));
  }
};

// I/O objects on the plain executor; every handler bound with al::bind_snapshot.
struct bound_handlers
{
  template <class Ctx>
  auto executor(Ctx& ctx) const { return ctx.get_executor(); }

  template <class H>
  auto handler(H h) const { return al::bind_snapshot(std::move(h)); }
};

} // namespace modes

#endif
