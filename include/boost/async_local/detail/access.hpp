//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_DETAIL_ACCESS_HPP
#define BOOST_ASYNC_LOCAL_DETAIL_ACCESS_HPP

// The library's way into its public types' internals (the constructors that
// adopt a context node or a capture, and the accessors that hand them out),
// so that none of them is public: each public type befriends this class.

#include <utility>

namespace boost {
namespace async_local {
namespace detail {

struct node;

struct access
{
  // T's private constructor.
  template <class T, class... Args>
  static T construct(Args&&... args)
  {
    return T(std::forward<Args>(args)...);
  }

  // A snapshot's node, still owned by the snapshot.
  template <class Snapshot>
  static node* get_node(Snapshot const& s) noexcept
  {
    return s.get_node();
  }

  // A snapshot's reference, handed over; the snapshot is left empty.
  template <class Snapshot>
  static node* release_node(Snapshot& s) noexcept
  {
    return s.release_node();
  }

  // What a propagating executor carries.
  template <class Executor>
  static auto const& get_capture(Executor const& e) noexcept
  {
    return e.get_capture();
  }

  // A copy of a propagating strand carrying `c` instead of its capture.
  template <class Strand, class Capture>
  static Strand with_capture(Strand const& e, Capture c) noexcept
  {
    return e.with_capture(std::move(c));
  }
};

} // namespace detail
} // namespace async_local
} // namespace boost

#endif // BOOST_ASYNC_LOCAL_DETAIL_ACCESS_HPP
