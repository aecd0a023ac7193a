//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_IMPL_STRAND_HPP
#define BOOST_ASYNC_LOCAL_IMPL_STRAND_HPP

// strand<async_local::propagating_executor<E>>, which is what
// make_strand(wrapped) returns, behaves as async_local::propagating_executor<strand<E>>.
//
// Why: Asio's strand runs a whole batch of queued functions inside a single
// call of its inner executor's execute(), and runs a dispatched function
// inline when already inside the strand. Had the strand wrapped our executor,
// the whole batch would run in the context captured for the batch's first
// function, and an inline dispatch would run in the dispatcher's context
// instead of the one captured for the function. Putting the context wrapper
// outside the strand attaches each function's context to the function itself
// before the strand queues it.

#include <boost/async_local/detail/asio_config.hpp>

#if defined(BOOST_ASYNC_LOCAL_STANDALONE_ASIO)
# include <asio/strand.hpp>
#else
# include <boost/asio/strand.hpp>
#endif

#include <type_traits>
#include <utility>

namespace boost {
namespace async_local {
namespace detail {

template <class T>
struct rewrap_strand;

template <class Executor>
struct rewrap_strand<async_local::propagating_executor<net::strand<Executor>>>
{
  using type = net::strand<async_local::propagating_executor<Executor>>;
};

} // namespace detail
} // namespace async_local
} // namespace boost

BOOST_ASYNC_LOCAL_ASIO_BEGIN

/// A strand over a propagating executor.
/**
 * Serialises like any strand, and runs each function in the context captured
 * for it (see @ref boost::async_local::propagating_executor), including a
 * function a strand runs inline from `dispatch` and each function of a batch.
 */
template <class Executor>
class strand<::boost::async_local::propagating_executor<Executor>>
  : public ::boost::async_local::propagating_executor<strand<Executor>>
{
  using base_type =
    ::boost::async_local::propagating_executor<strand<Executor>>;

  template <class T>
  using rewrapped = typename ::boost::async_local::detail::rewrap_strand<
    std::decay_t<T>>::type;

  template <class T>
  static rewrapped<T> rewrap(T&& t)
  {
    return rewrapped<T>(std::forward<T>(t));
  }

public:
  /// The propagating executor the strand was made from.
  using inner_executor_type =
    ::boost::async_local::propagating_executor<Executor>;

  /// Makes a new strand over `e`. A snapshot bound to `e` stays; a capture
  /// `e` carries for an operation does not (the strand is nobody's
  /// operation).
  explicit strand(inner_executor_type const& e)
    : base_type(::boost::async_local::detail::access::construct<base_type>(
          strand<Executor>(e.get_inner_executor()),
          ::boost::async_local::detail::access::get_capture(e)
            .for_untracked()))
  {
  }

  /// Adopts an adapter of a strand: the same strand, the same capture.
  explicit strand(base_type b) noexcept
    : base_type(std::move(b))
  {
  }

  /// Converts from a strand over a convertible propagating executor.
  template <class OtherExecutor, class = std::enable_if_t<
      std::is_convertible<OtherExecutor const&, Executor>::value>>
  strand(strand<::boost::async_local::propagating_executor<OtherExecutor>>
      const& other)
      noexcept
    : base_type(::boost::async_local::detail::access::construct<base_type>(
          strand<Executor>(static_cast<::boost::async_local::
            propagating_executor<strand<OtherExecutor>> const&>(
              other).get_inner_executor()),
          ::boost::async_local::detail::access::get_capture(other)))
  {
  }

  strand(strand const&) = default;
  strand(strand&&) = default;
  strand& operator=(strand const&) = default;
  strand& operator=(strand&&) = default;

  /// The propagating executor the strand runs on, with this strand's capture.
  inner_executor_type get_inner_executor() const noexcept
  {
    return ::boost::async_local::detail::access::construct<
        inner_executor_type>(
          base_type::get_inner_executor().get_inner_executor(),
          ::boost::async_local::detail::access::get_capture(
            static_cast<base_type const&>(*this)));
  }

  /// True when called from a function the strand is running.
  bool running_in_this_thread() const noexcept
  {
    return base_type::get_inner_executor().running_in_this_thread();
  }

  template <class Property, class = std::enable_if_t<
      can_require<strand<Executor> const&, Property>::value>>
  auto require(Property const& p) const&
  {
    return rewrap(base_type::require(p));
  }

  template <class Property, class = std::enable_if_t<
      can_require<strand<Executor> const&, Property>::value>>
  auto require(Property const& p) &&
  {
    return rewrap(std::move(*this).base_type::require(p));
  }

  template <class Property, class = std::enable_if_t<
      can_prefer<strand<Executor> const&, Property>::value>>
  auto prefer(Property const& p) const&
  {
    return rewrap(base_type::prefer(p));
  }

  template <class Property, class = std::enable_if_t<
      can_prefer<strand<Executor> const&, Property>::value>>
  auto prefer(Property const& p) &&
  {
    return rewrap(std::move(*this).base_type::prefer(p));
  }
};

BOOST_ASYNC_LOCAL_ASIO_END

#endif // BOOST_ASYNC_LOCAL_IMPL_STRAND_HPP
