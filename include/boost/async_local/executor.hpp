//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_EXECUTOR_HPP
#define BOOST_ASYNC_LOCAL_EXECUTOR_HPP

#include <boost/async_local/detail/capture.hpp>
#include <boost/async_local/snapshot.hpp>

#include <boost/async_local/detail/asio_config.hpp>

#if defined(BOOST_ASYNC_LOCAL_STANDALONE_ASIO)
# include <asio/execution/blocking.hpp>
# include <asio/execution/executor.hpp>
# include <asio/execution/outstanding_work.hpp>
# include <asio/execution/prefer_only.hpp>
# include <asio/execution/relationship.hpp>
# include <asio/execution_context.hpp>
# include <asio/is_executor.hpp>
# include <asio/prefer.hpp>
# include <asio/query.hpp>
# include <asio/require.hpp>
# include <asio/traits/equality_comparable.hpp>
# include <asio/traits/execute_member.hpp>
# include <asio/traits/prefer_member.hpp>
# include <asio/traits/query_member.hpp>
# include <asio/traits/require_member.hpp>
#else
# include <boost/asio/execution/blocking.hpp>
# include <boost/asio/execution/executor.hpp>
# include <boost/asio/execution/outstanding_work.hpp>
# include <boost/asio/execution/prefer_only.hpp>
# include <boost/asio/execution/relationship.hpp>
# include <boost/asio/execution_context.hpp>
# include <boost/asio/is_executor.hpp>
# include <boost/asio/prefer.hpp>
# include <boost/asio/query.hpp>
# include <boost/asio/require.hpp>
# include <boost/asio/traits/equality_comparable.hpp>
# include <boost/asio/traits/execute_member.hpp>
# include <boost/asio/traits/prefer_member.hpp>
# include <boost/asio/traits/query_member.hpp>
# include <boost/asio/traits/require_member.hpp>
#endif

#include <type_traits>
#include <utility>

namespace boost {
namespace async_local {

namespace detail {

// Asio asks for tracked work inside every initiating function; through
// any_io_executor the property arrives wrapped in prefer_only.
template <class P>
struct is_tracked : std::is_same<P,
    detail::net::execution::outstanding_work_t::tracked_t> {};

template <class P>
struct is_tracked<detail::net::execution::prefer_only<P>> : is_tracked<P> {};

template <class P>
struct is_untracked : std::is_same<P,
    detail::net::execution::outstanding_work_t::untracked_t> {};

template <class P>
struct is_untracked<detail::net::execution::prefer_only<P>>
  : is_untracked<P> {};

// What an executor's capture becomes under a property: tracked work captures
// the current context (a bound snapshot stays); untracked work is nobody's
// operation, so it carries no capture; other properties keep it.
template <class Property, class C>
capture capture_for(C&& c) noexcept
{
  if constexpr (is_tracked<Property>::value)
    return std::forward<C>(c).for_tracked();
  else if constexpr (is_untracked<Property>::value)
    return std::forward<C>(c).for_untracked();
  else
    return std::forward<C>(c);
}

// What a function submitted through `ex` is called in hooks' init: "post"
// (a never-blocking fork), "defer" (a never-blocking continuation) or
// "dispatch" (possibly blocking), as Asio's functions of those names ask for;
// "execute" where the executor cannot say. Asked only while a hook is
// installed.
template <class Executor>
char const* submission_type(Executor const& ex) noexcept
{
  namespace exec = net::execution;
  try
  {
    if constexpr (net::can_query<Executor const&, exec::blocking_t>::value)
    {
      if (exec::blocking_t(net::query(ex, exec::blocking))
          != exec::blocking.never)
        return "dispatch";
      if constexpr (
          net::can_query<Executor const&, exec::relationship_t>::value)
        if (exec::relationship_t(net::query(ex, exec::relationship))
            == exec::relationship.continuation)
          return "defer";
      return "post";
    }
  }
  catch (...)
  {
  }
  return "execute";
}

// The base of every propagating executor (and of the strand that behaves as
// one). Constructors that wrap an executor exclude it, so that asking whether
// an executor<E> is copyable never asks whether E can be made from it (which,
// for a type-erased E, would ask whether executor<E> is an executor: a cycle).
struct propagating_executor_base {};

} // namespace detail

/// An executor adapter that makes completions run in the initiator's context.
/**
 * Wrap an executor once and every I/O object, strand and coroutine made from
 * it propagates async-local context:
 *
 * @code
 * boost::asio::io_context ioc;
 * auto ex = boost::async_local::make_executor(ioc.get_executor());
 * boost::asio::steady_timer timer(ex);   // or tcp::socket, strand, co_spawn...
 * @endcode
 *
 * @par Semantics
 * - A function submitted with `execute` (what `post`, `dispatch` and `defer`
 *   do) runs in the context current at the call.
 * - An asynchronous operation asks its I/O executor (and its handler's
 *   executor) for `execution::outstanding_work.tracked` inside its initiating
 *   function. The tracked executor this adapter returns carries a capture of
 *   the context current at that moment, and every function it executes later
 *   (the completion handler, and each intermediate handler of a composed
 *   operation) runs in that captured context. The capture belongs to that
 *   operation: asked for tracked work again (by an I/O object or a
 *   coroutine made from it), it captures afresh.
 * - Whatever a function binds and does not undo is discarded when it returns
 *   or throws: no binding leaks into the next handler.
 * - `query`, `require` and `prefer` are forwarded to the inner executor; the
 *   results are wrapped again and keep the capture, except that
 *   `outstanding_work.untracked` drops it. A snapshot bound by
 *   @ref bind_snapshot (the associated executor of a bound handler) always
 *   stays.
 * - Two adapters are equal when their inner executors are equal and they
 *   carry the same capture (or neither carries one).
 *
 * A handler bound with @ref bind_snapshot runs in its bound snapshot, which
 * wins over the executor's capture.
 *
 * @note An executor that carries a capture (one obtained by preferring
 * `outstanding_work.tracked`) runs every function in that capture, not in
 * the caller's context, and keeps the captured values alive while it lives.
 * Asio hands such executors out too (`self.get_executor()` inside
 * `async_compose`, Beast's `async_base::get_executor()`): an I/O object
 * made from one captures afresh for its own operations, but `post`,
 * `dispatch` and the start of a coroutine `co_spawn`ed on it run in the old
 * capture. Use the I/O object's executor, or the handler's associated one,
 * for new work.
 *
 * @note Make strands with @ref make_strand. `net::make_strand(ex)` with `ex`
 * an `al::propagating_executor` gives a strand that propagates too (see the
 * strand specialisation), but a strand made from a type-erased executor,
 * `net::make_strand(any_io_executor(ex))`, is Asio's plain strand and runs
 * a batch of functions in one context.
 *
 * @par Thread safety
 * Distinct objects: safe. Shared objects: safe for const use.
 *
 * @par Cost
 * One word on top of the inner executor. Executing captures a pointer: no
 * allocation, and at most one atomic increment and one atomic decrement per
 * function when the context is not empty (the increment is a plain store
 * when the caller's thread holds the only reference; the decrement is a
 * plain load when the function holds the last one; both are plain in a
 * process that has only ever had one thread). The empty context costs a
 * null check.
 */
template <class Executor>
class propagating_executor : detail::propagating_executor_base
{
public:
  /// The type of the wrapped executor.
  using inner_executor_type = Executor;

  /// Wraps `inner` (anything `Executor` can be made from, other than a
  /// propagating executor). The result carries no capture.
  template <class Inner, class = std::enable_if_t<std::conjunction<
      std::negation<std::is_base_of<detail::propagating_executor_base,
        std::decay_t<Inner>>>,
      std::is_constructible<Executor, Inner&&>>::value>>
  explicit propagating_executor(Inner&& inner) noexcept(
      std::is_nothrow_constructible<Executor, Inner&&>::value)
    : inner_(std::forward<Inner>(inner))
  {
  }

  /// Converts from an adapter of a convertible executor, keeping the capture.
  template <class OtherExecutor, class = std::enable_if_t<
      std::is_convertible<OtherExecutor const&, Executor>::value>>
  propagating_executor(propagating_executor<OtherExecutor> const& other)
      noexcept(
      std::is_nothrow_constructible<Executor, OtherExecutor const&>::value)
    : inner_(other.get_inner_executor()),
      capture_(other.capture_)
  {
  }

  propagating_executor(propagating_executor const&) = default;
  propagating_executor(propagating_executor&&) = default;
  propagating_executor& operator=(propagating_executor const&) = default;
  propagating_executor& operator=(propagating_executor&&) = default;

  /// The wrapped executor.
  inner_executor_type const& get_inner_executor() const noexcept
  {
    return inner_;
  }

  /// True when this executor carries a snapshot (captured at initiation, or
  /// bound by @ref bind_snapshot), which every function it executes runs in.
  bool has_snapshot() const noexcept
  {
    return capture_.has_value();
  }

  /// The snapshot functions executed now would run in: the one this
  /// executor carries, or, when it carries none, the caller's current one.
  async_local::snapshot captured_snapshot() const noexcept
  {
    return detail::access::construct<async_local::snapshot>(
        capture_.acquire());
  }

  /// Forwards to the inner executor's `running_in_this_thread()`, if any.
  template <class E = Executor>
  auto running_in_this_thread() const noexcept
    -> decltype(std::declval<E const&>().running_in_this_thread())
  {
    return inner_.running_in_this_thread();
  }

  /// Submits `f` to the inner executor, to run in this executor's context.
  template <class F>
  void execute(F&& f) const&
  {
    // Compiled out (BOOST_ASYNC_LOCAL_DISABLE): straight through.
    if constexpr (!detail::compiled_in)
      inner_.execute(std::forward<F>(f));
    else
      inner_.execute(detail::context_function<std::decay_t<F>>(
          std::forward<F>(f), capture_.submit([this] {
            return detail::submission_type(inner_); })));
  }

  /// Submits `f`, moving this executor's capture into it.
  template <class F>
  void execute(F&& f) &&
  {
    // Compiled out (BOOST_ASYNC_LOCAL_DISABLE): straight through.
    if constexpr (!detail::compiled_in)
      inner_.execute(std::forward<F>(f));
    else
      inner_.execute(detail::context_function<std::decay_t<F>>(
          std::forward<F>(f), std::move(capture_).submit([this] {
            return detail::submission_type(inner_); })));
  }

  /// Forwards a query to the inner executor.
  template <class Property, class = std::enable_if_t<
      detail::net::can_query<Executor const&, Property>::value>>
  decltype(auto) query(Property const& p) const noexcept(
      detail::net::is_nothrow_query<Executor const&, Property>::value)
  {
    return detail::net::query(inner_, p);
  }

  /// Forwards a requirement; requiring tracked work captures the context.
  template <class Property, class = std::enable_if_t<
      detail::net::can_require<Executor const&, Property>::value>>
  auto require(Property const& p) const&
  {
    return rewrap(detail::net::require(inner_, p),
        detail::capture_for<Property>(capture_));
  }

  template <class Property, class = std::enable_if_t<
      detail::net::can_require<Executor const&, Property>::value>>
  auto require(Property const& p) &&
  {
    return rewrap(detail::net::require(inner_, p),
        detail::capture_for<Property>(std::move(capture_)));
  }

  /// Forwards a preference; preferring tracked work captures the context.
  template <class Property, class = std::enable_if_t<
      detail::net::can_prefer<Executor const&, Property>::value>>
  auto prefer(Property const& p) const&
  {
    return rewrap(detail::net::prefer(inner_, p),
        detail::capture_for<Property>(capture_));
  }

  template <class Property, class = std::enable_if_t<
      detail::net::can_prefer<Executor const&, Property>::value>>
  auto prefer(Property const& p) &&
  {
    return rewrap(detail::net::prefer(inner_, p),
        detail::capture_for<Property>(std::move(capture_)));
  }

  friend bool operator==(propagating_executor const& a,
      propagating_executor const& b) noexcept
  {
    return a.capture_.bits() == b.capture_.bits() && a.inner_ == b.inner_;
  }

  friend bool operator!=(propagating_executor const& a,
      propagating_executor const& b) noexcept
  {
    return !(a == b);
  }


private:
  template <class> friend class propagating_executor;
  friend struct detail::access;

  // Wraps `inner`, carrying `c`.
  propagating_executor(Executor inner, detail::capture c) noexcept(
      std::is_nothrow_move_constructible<Executor>::value)
    : inner_(std::move(inner)),
      capture_(std::move(c))
  {
  }

  detail::capture const& get_capture() const noexcept
  {
    return capture_;
  }

  template <class Inner>
  static propagating_executor<std::decay_t<Inner>> rewrap(Inner&& inner,
      detail::capture c)
  {
    return propagating_executor<std::decay_t<Inner>>(
        std::forward<Inner>(inner), std::move(c));
  }

  Executor inner_;
  detail::capture capture_;
};

/// Wraps `inner` in a propagating @ref propagating_executor.
template <class Executor, class = std::enable_if_t<
    detail::net::execution::is_executor<Executor>::value>>
propagating_executor<Executor> make_executor(Executor const& inner)
{
  return propagating_executor<Executor>(inner);
}

/// Wraps `ctx.get_executor()` in a propagating @ref propagating_executor.
template <class ExecutionContext, class = std::enable_if_t<
    std::is_convertible<ExecutionContext&,
      detail::net::execution_context&>::value>>
propagating_executor<typename ExecutionContext::executor_type>
make_executor(ExecutionContext& ctx)
{
  return propagating_executor<typename ExecutionContext::executor_type>(
      ctx.get_executor());
}

} // namespace async_local
} // namespace boost

#include <boost/async_local/impl/strand.hpp>

// Asio's traits, for compilers without working expression SFINAE (where Asio
// cannot deduce them), as Asio's own strand.hpp provides them. Elsewhere
// they compile away.
#if defined(BOOST_ASYNC_LOCAL_STANDALONE_ASIO)
# if defined(ASIO_HAS_DEDUCED_EQUALITY_COMPARABLE_TRAIT)
#  define BOOST_ASYNC_LOCAL_DEDUCED_EQUALITY_COMPARABLE_TRAIT 1
# endif
# if defined(ASIO_HAS_DEDUCED_EXECUTE_MEMBER_TRAIT)
#  define BOOST_ASYNC_LOCAL_DEDUCED_EXECUTE_MEMBER_TRAIT 1
# endif
# if defined(ASIO_HAS_DEDUCED_QUERY_MEMBER_TRAIT)
#  define BOOST_ASYNC_LOCAL_DEDUCED_QUERY_MEMBER_TRAIT 1
# endif
# if defined(ASIO_HAS_DEDUCED_REQUIRE_MEMBER_TRAIT)
#  define BOOST_ASYNC_LOCAL_DEDUCED_REQUIRE_MEMBER_TRAIT 1
# endif
# if defined(ASIO_HAS_DEDUCED_PREFER_MEMBER_TRAIT)
#  define BOOST_ASYNC_LOCAL_DEDUCED_PREFER_MEMBER_TRAIT 1
# endif
#else
# if defined(BOOST_ASIO_HAS_DEDUCED_EQUALITY_COMPARABLE_TRAIT)
#  define BOOST_ASYNC_LOCAL_DEDUCED_EQUALITY_COMPARABLE_TRAIT 1
# endif
# if defined(BOOST_ASIO_HAS_DEDUCED_EXECUTE_MEMBER_TRAIT)
#  define BOOST_ASYNC_LOCAL_DEDUCED_EXECUTE_MEMBER_TRAIT 1
# endif
# if defined(BOOST_ASIO_HAS_DEDUCED_QUERY_MEMBER_TRAIT)
#  define BOOST_ASYNC_LOCAL_DEDUCED_QUERY_MEMBER_TRAIT 1
# endif
# if defined(BOOST_ASIO_HAS_DEDUCED_REQUIRE_MEMBER_TRAIT)
#  define BOOST_ASYNC_LOCAL_DEDUCED_REQUIRE_MEMBER_TRAIT 1
# endif
# if defined(BOOST_ASIO_HAS_DEDUCED_PREFER_MEMBER_TRAIT)
#  define BOOST_ASYNC_LOCAL_DEDUCED_PREFER_MEMBER_TRAIT 1
# endif
#endif

BOOST_ASYNC_LOCAL_ASIO_BEGIN
namespace traits {

#if !defined(BOOST_ASYNC_LOCAL_DEDUCED_EQUALITY_COMPARABLE_TRAIT)
template <class Executor>
struct equality_comparable<
    ::boost::async_local::propagating_executor<Executor>>
{
  static constexpr bool is_valid = true;
  static constexpr bool is_noexcept = true;
};
#endif

#if !defined(BOOST_ASYNC_LOCAL_DEDUCED_EXECUTE_MEMBER_TRAIT)
template <class Executor, class Function>
struct execute_member<::boost::async_local::propagating_executor<Executor>,
    Function, std::enable_if_t<
      execute_member<Executor const&, Function>::is_valid>>
{
  static constexpr bool is_valid = true;
  static constexpr bool is_noexcept = false;
  using result_type = void;
};
#endif

#if !defined(BOOST_ASYNC_LOCAL_DEDUCED_QUERY_MEMBER_TRAIT)
template <class Executor, class Property>
struct query_member<::boost::async_local::propagating_executor<Executor>,
    Property, std::enable_if_t<can_query<Executor const&, Property>::value>>
{
  static constexpr bool is_valid = true;
  static constexpr bool is_noexcept =
    is_nothrow_query<Executor const&, Property>::value;
  using result_type =
    typename query_result<Executor const&, Property>::type;
};
#endif

#if !defined(BOOST_ASYNC_LOCAL_DEDUCED_REQUIRE_MEMBER_TRAIT)
template <class Executor, class Property>
struct require_member<::boost::async_local::propagating_executor<Executor>,
    Property, std::enable_if_t<can_require<Executor const&, Property>::value>>
{
  static constexpr bool is_valid = true;
  static constexpr bool is_noexcept = false;
  using result_type = ::boost::async_local::propagating_executor<
    std::decay_t<typename require_result<Executor const&, Property>::type>>;
};
#endif

#if !defined(BOOST_ASYNC_LOCAL_DEDUCED_PREFER_MEMBER_TRAIT)
template <class Executor, class Property>
struct prefer_member<::boost::async_local::propagating_executor<Executor>,
    Property, std::enable_if_t<can_prefer<Executor const&, Property>::value>>
{
  static constexpr bool is_valid = true;
  static constexpr bool is_noexcept = false;
  using result_type = ::boost::async_local::propagating_executor<
    std::decay_t<typename prefer_result<Executor const&, Property>::type>>;
};
#endif

} // namespace traits
BOOST_ASYNC_LOCAL_ASIO_END

namespace boost {
namespace async_local {

namespace detail {

template <class T>
struct is_propagating_strand : std::false_type {};

template <class Executor>
struct is_propagating_strand<net::strand<propagating_executor<Executor>>>
  : std::true_type {};

} // namespace detail

/// A strand that propagates, over any executor.
/**
 * - Over a @ref propagating_executor: `net::make_strand(ex)`, the strand
 *   that runs each function in its own context.
 * - Over any other executor (including an `any_io_executor` that holds a
 *   propagating one, such as `socket.get_executor()` or
 *   `co_await this_coro::executor` on a propagating I/O object):
 *   `make_executor(net::make_strand(ex))`, a propagating executor outside a
 *   new strand of `ex`.
 *
 * - Over a propagating strand: a new strand over the same propagating
 *   executor (not a strand nested in `ex`).
 *
 * Either way every function runs in the context captured for it, also when
 * the strand runs several in one batch, and a binding one function leaves
 * behind never reaches the next. `net::make_strand(any_io_executor)` gives
 * Asio's plain strand, which runs a whole batch in the first function's
 * context: use this instead.
 */
template <class Executor, class = std::enable_if_t<
    detail::net::execution::is_executor<Executor>::value>>
auto make_strand(Executor const& ex)
{
  if constexpr (detail::is_propagating_strand<Executor>::value)
    return detail::net::make_strand(ex.get_inner_executor());
  else if constexpr (std::is_base_of<detail::propagating_executor_base,
      Executor>::value)
    return detail::net::make_strand(ex);
  else
    return async_local::make_executor(detail::net::make_strand(ex));
}

/// A propagating strand over `ctx.get_executor()`.
template <class ExecutionContext, class = std::enable_if_t<
    std::is_convertible<ExecutionContext&,
      detail::net::execution_context&>::value>>
auto make_strand(ExecutionContext& ctx)
{
  return async_local::make_strand(async_local::make_executor(ctx));
}

} // namespace async_local
} // namespace boost

#endif // BOOST_ASYNC_LOCAL_EXECUTOR_HPP
