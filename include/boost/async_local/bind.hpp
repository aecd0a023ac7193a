//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_BIND_HPP
#define BOOST_ASYNC_LOCAL_BIND_HPP

#include <boost/async_local/snapshot.hpp>

#include <boost/asio/associator.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/detail/handler_alloc_helpers.hpp>
#include <boost/asio/detail/handler_cont_helpers.hpp>
#include <boost/asio/detail/handler_invoke_helpers.hpp>

#include <type_traits>
#include <utility>

namespace boost {
namespace async_local {

/// A handler or completion token bound to a snapshot; made by @ref bind.
/**
 * As a handler, it calls the target inside the bound snapshot. As a
 * completion token, it makes the operation's handler such a handler, so the
 * completion runs in the snapshot whichever executor runs it.
 *
 * The associated executor, allocator and cancellation slot are the
 * target's, unchanged.
 */
template <class T>
class snapshot_binder
{
public:
  /// The type of the bound handler or token.
  using target_type = T;

  /// Binds `t` to `s`.
  template <class U>
  snapshot_binder(async_local::snapshot s, U&& t)
    : snapshot_(std::move(s)),
      target_(std::forward<U>(t))
  {
  }

  /// Converts from a binder of a convertible target.
  template <class U, class = std::enable_if_t<
      std::is_constructible<T, U const&>::value>>
  snapshot_binder(snapshot_binder<U> const& other)
    : snapshot_(other.get_snapshot()),
      target_(other.get())
  {
  }

  template <class U, class = std::enable_if_t<
      std::is_constructible<T, U&&>::value>>
  snapshot_binder(snapshot_binder<U>&& other)
    : snapshot_(std::move(other).get_snapshot()),
      target_(std::move(other).get())
  {
  }

  snapshot_binder(snapshot_binder const&) = default;
  snapshot_binder(snapshot_binder&&) = default;

  /// The bound handler or token.
  target_type& get() & noexcept { return target_; }
  target_type const& get() const& noexcept { return target_; }
  target_type&& get() && noexcept { return std::move(target_); }

  /// The snapshot the target runs in.
  async_local::snapshot const& get_snapshot() const& noexcept
  {
    return snapshot_;
  }

  async_local::snapshot&& get_snapshot() && noexcept
  {
    return std::move(snapshot_);
  }

  /// Calls the target inside the bound snapshot; for a one-shot handler the
  /// snapshot moves into the thread's slot instead of being copied.
  template <class... Args>
  decltype(auto) operator()(Args&&... args) &&
  {
    detail::scope s(snapshot_.release_node());
    return std::move(target_)(std::forward<Args>(args)...);
  }

  template <class... Args>
  decltype(auto) operator()(Args&&... args) &
  {
    return snapshot_.run(target_, std::forward<Args>(args)...);
  }

  template <class... Args>
  decltype(auto) operator()(Args&&... args) const&
  {
    return snapshot_.run(target_, std::forward<Args>(args)...);
  }

#if !defined(BOOST_ASIO_NO_DEPRECATED)
  // Asio 1.81 runs the intermediate handlers of composed operations through
  // this hook (composed operations forward it to the final handler), which is
  // how they too run in the bound snapshot without changing the associated
  // executor.
  template <class Function>
  friend boost::asio::asio_handler_invoke_is_deprecated
  asio_handler_invoke(Function& function, snapshot_binder* self)
  {
    self->snapshot_.run([&] {
      boost_asio_handler_invoke_helpers::invoke(function, self->target_);
    });
  }

  template <class Function>
  friend boost::asio::asio_handler_invoke_is_deprecated
  asio_handler_invoke(Function const& function, snapshot_binder* self)
  {
    self->snapshot_.run([&] {
      boost_asio_handler_invoke_helpers::invoke(function, self->target_);
    });
  }

  friend boost::asio::asio_handler_allocate_is_deprecated
  asio_handler_allocate(std::size_t size, snapshot_binder* self)
  {
    return boost_asio_handler_alloc_helpers::allocate(size, self->target_);
  }

  friend boost::asio::asio_handler_deallocate_is_deprecated
  asio_handler_deallocate(void* p, std::size_t size, snapshot_binder* self)
  {
    boost_asio_handler_alloc_helpers::deallocate(p, size, self->target_);
  }
#endif // !defined(BOOST_ASIO_NO_DEPRECATED)

  friend bool asio_handler_is_continuation(snapshot_binder* self)
  {
    return boost_asio_handler_cont_helpers::is_continuation(self->target_);
  }

private:
  async_local::snapshot snapshot_;
  T target_;
};

/// Binds a handler or completion token to the current context.
/**
 * Equivalent to `bind(snapshot::current(), t)`.
 *
 * @code
 * timer.async_wait(boost::async_local::bind(
 *     [](boost::system::error_code) { use(request_id.get()); }));
 * co_await timer.async_wait(boost::async_local::bind(asio::use_awaitable));
 * @endcode
 */
template <class T>
snapshot_binder<std::decay_t<T>> bind(T&& handler_or_token)
{
  return snapshot_binder<std::decay_t<T>>(snapshot::current(),
      std::forward<T>(handler_or_token));
}

/// Binds a handler or completion token to `s`.
/**
 * The handler (for a token: the handler the operation makes from it) runs in
 * `s` whichever executor runs it, and so does the operation's initiation and
 * every intermediate handler of a composed operation it is given to. A bound
 * snapshot wins over a propagating executor's capture.
 *
 * @par Cost
 * One snapshot copy (an atomic increment unless empty) at bind time. As a
 * handler called once, the snapshot moves into the thread's slot. As a token,
 * the initiation runs in a scope holding one more reference and the
 * snapshot moves into the handler. No allocation.
 */
template <class T>
snapshot_binder<std::decay_t<T>> bind(snapshot s, T&& handler_or_token)
{
  return snapshot_binder<std::decay_t<T>>(std::move(s),
      std::forward<T>(handler_or_token));
}

namespace detail {

// Forwards the initiation's executor, for the tokens that ask an initiation
// for it (experimental::use_promise does).
template <class Derived, class Initiation, class = void>
struct initiation_executor {};

template <class Derived, class Initiation>
struct initiation_executor<Derived, Initiation,
    std::void_t<typename Initiation::executor_type>>
{
  using executor_type = typename Initiation::executor_type;

  executor_type get_executor() const noexcept
  {
    return static_cast<Derived const&>(*this).initiation().get_executor();
  }
};

// Wraps an initiation so that it runs in the snapshot and receives a bound
// handler.
template <class Initiation>
class snapshot_initiation
  : public initiation_executor<snapshot_initiation<Initiation>, Initiation>
{
public:
  template <class I>
  snapshot_initiation(snapshot s, I&& i)
    : snapshot_(std::move(s)),
      initiation_(std::forward<I>(i))
  {
  }

  Initiation const& initiation() const noexcept
  {
    return initiation_;
  }

  // Called once: the snapshot moves into the handler, and the initiation
  // runs in a scope holding one more reference.
  template <class Handler, class... Args>
  void operator()(Handler&& handler, Args&&... args) &&
  {
    detail::node* n = snapshot_.get_node();
    detail::add_ref(n);
    detail::scope s(n);
    std::move(initiation_)(
        snapshot_binder<std::decay_t<Handler>>(std::move(snapshot_),
          std::forward<Handler>(handler)),
        std::forward<Args>(args)...);
  }

  template <class Handler, class... Args>
  void operator()(Handler&& handler, Args&&... args) const&
  {
    snapshot_.run(initiation_,
        snapshot_binder<std::decay_t<Handler>>(snapshot_,
          std::forward<Handler>(handler)),
        std::forward<Args>(args)...);
  }

private:
  snapshot snapshot_;
  Initiation initiation_;
};

// The legacy async_result members, where the target's async_result has them
// (Asio's handler type checks still look for completion_handler_type).
template <class TargetResult, class = void>
struct snapshot_binder_handler_type {};

template <class TargetResult>
struct snapshot_binder_handler_type<TargetResult,
    std::void_t<typename TargetResult::completion_handler_type>>
{
  using completion_handler_type =
    snapshot_binder<typename TargetResult::completion_handler_type>;
};

template <class TargetResult, class = void>
struct snapshot_binder_return_type {};

template <class TargetResult>
struct snapshot_binder_return_type<TargetResult,
    std::void_t<typename TargetResult::return_type>>
{
  using return_type = typename TargetResult::return_type;
};

// A token used once (an rvalue) gives its snapshot up; others share it.
template <class RawToken, class Binder>
snapshot token_snapshot(Binder& token)
{
  if constexpr (!std::is_reference<RawToken>::value
      && !std::is_const<RawToken>::value)
    return std::move(token).get_snapshot();
  else
    return token.get_snapshot();
}

template <class Token, class Target>
using copy_const_t = std::conditional_t<
    std::is_const<std::remove_reference_t<Token>>::value,
    Target const, Target>;

} // namespace detail
} // namespace async_local

namespace asio {

// Asio's async_initiate takes the token as an lvalue of the type named in
// its template argument list and moves from it unless that type is const.
template <class T, class... Signatures>
class async_result<async_local::snapshot_binder<T>, Signatures...>
  : public async_local::detail::snapshot_binder_handler_type<
      async_result<T, Signatures...>>,
    public async_local::detail::snapshot_binder_return_type<
      async_result<T, Signatures...>>
{
public:
  template <class Initiation, class RawToken, class... Args>
  static auto initiate(Initiation&& initiation, RawToken&& token,
      Args&&... args)
    -> decltype(async_initiate<
          async_local::detail::copy_const_t<RawToken, T>, Signatures...>(
        std::declval<async_local::detail::snapshot_initiation<
          std::decay_t<Initiation>>>(),
        token.get(), std::forward<Args>(args)...))
  {
    return async_initiate<
        async_local::detail::copy_const_t<RawToken, T>, Signatures...>(
      async_local::detail::snapshot_initiation<std::decay_t<Initiation>>(
        async_local::detail::token_snapshot<RawToken>(token),
        std::forward<Initiation>(initiation)),
      token.get(), std::forward<Args>(args)...);
  }
};

template <template <class, class> class Associator, class T,
    class DefaultCandidate>
struct associator<Associator, async_local::snapshot_binder<T>,
    DefaultCandidate>
{
  using type = typename Associator<T, DefaultCandidate>::type;

  static type get(async_local::snapshot_binder<T> const& b) noexcept
  {
    return Associator<T, DefaultCandidate>::get(b.get());
  }

  static auto get(async_local::snapshot_binder<T> const& b,
      DefaultCandidate const& c) noexcept
    -> decltype(Associator<T, DefaultCandidate>::get(b.get(), c))
  {
    return Associator<T, DefaultCandidate>::get(b.get(), c);
  }
};

} // namespace asio
} // namespace boost

#endif // BOOST_ASYNC_LOCAL_BIND_HPP
