//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_IMPL_STRAND_HPP
#define BOOST_ASYNC_LOCAL_IMPL_STRAND_HPP

// strand<async_local::propagating_executor<E>>, which is what
// make_strand(wrapped) returns.
//
// Why not Asio's strand over our executor: Asio's strand runs a whole batch
// of queued functions inside a single call of its inner executor's
// execute(), and runs a dispatched function inline when already inside the
// strand. Had the strand wrapped our executor, the whole batch would run in
// the context captured for the batch's first function, and an inline
// dispatch would run in the dispatcher's context instead of the one captured
// for the function. So each function gets its context attached before the
// strand queues it, and the queueing is Asio's own strand.
//
// Why not simply propagating_executor<strand<E>>: that is Asio's strand (two
// words of shared_ptr, plus E) and a capture, 32 bytes over an io_context
// executor, which does not fit any_io_executor's 24-byte small-object
// buffer; every tracked copy Asio makes through an any_io_executor (one per
// post, one per operation) would allocate. Here every copy holds one
// intrusively counted pointer to what all copies of the strand share, its
// own E (which carries the properties, and counts work when tracked) and its
// capture: 24 bytes over an io_context executor, as Asio's own strand.
//
// What the copies share is Asio's strand over E with work untracked, in the
// two blocking variants a function can be submitted with, so that neither
// post nor dispatch copies a shared_ptr on its way to the queue.

#include <boost/async_local/detail/asio_config.hpp>
#include <boost/async_local/detail/context.hpp>

#if defined(BOOST_ASYNC_LOCAL_STANDALONE_ASIO)
# include <asio/execution/allocator.hpp>
# include <asio/execution/blocking.hpp>
# include <asio/execution/outstanding_work.hpp>
# include <asio/prefer.hpp>
# include <asio/query.hpp>
# include <asio/require.hpp>
# include <asio/strand.hpp>
#else
# include <boost/asio/execution/allocator.hpp>
# include <boost/asio/execution/blocking.hpp>
# include <boost/asio/execution/outstanding_work.hpp>
# include <boost/asio/prefer.hpp>
# include <boost/asio/query.hpp>
# include <boost/asio/require.hpp>
# include <boost/asio/strand.hpp>
#endif

#include <atomic>
#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>

namespace boost {
namespace async_local {
namespace detail {

// `s` with blocking required as `B`, where the executor allows it.
template <class Strand, class B>
auto with_blocking(Strand const& s, B const& b)
{
  if constexpr (net::can_require<Strand const&, B>::value)
    return net::require(s, b);
  else
    return s;
}

// Asio's strand over `Base` (an executor with work untracked), shared by
// every copy of one propagating strand.
template <class Base>
struct shared_strand
{
  using possibly_type = std::decay_t<decltype(with_blocking(
      std::declval<net::strand<Base> const&>(),
      net::execution::blocking.possibly))>;
  using never_type = std::decay_t<decltype(with_blocking(
      std::declval<possibly_type const&>(),
      net::execution::blocking.never))>;

  explicit shared_strand(Base const& b)
    : possibly(with_blocking(net::strand<Base>(b),
          net::execution::blocking.possibly)),
      never(with_blocking(possibly, net::execution::blocking.never))
  {
  }

  shared_strand(shared_strand const&) = delete;
  shared_strand& operator=(shared_strand const&) = delete;

  // Counted as contexts are (detail/context.hpp): Asio's post copies the
  // strand once per function, so the same shortcuts apply.
  void add_ref() noexcept
  {
    increment(refs);
  }

  void release() noexcept
  {
    if (drop(refs))
      delete this;
  }

  std::atomic<std::size_t> refs{1};
  possibly_type possibly;  // for execute() on a possibly-blocking copy
  never_type never;        // for execute() on a never-blocking copy
};

// The executor the copies of a strand over `E` share: E with work untracked
// and the default allocator. The properties a copy changes (tracked work,
// blocking, relationship, allocator) leave this type alone, so all copies
// share one strand whatever their properties; a copy's own allocator is
// applied when it submits (see submit()).
template <class E>
using shared_base_t = std::decay_t<decltype(net::prefer(
    std::declval<E const&>(), net::execution::outstanding_work.untracked,
    net::execution::allocator(std::allocator<void>())))>;

template <class E>
shared_base_t<E> shared_base(E const& e)
{
  return net::prefer(e, net::execution::outstanding_work.untracked,
      net::execution::allocator(std::allocator<void>()));
}

} // namespace detail
} // namespace async_local
} // namespace boost

BOOST_ASYNC_LOCAL_ASIO_BEGIN

/// A strand over a propagating executor.
/**
 * Serialises like Asio's strand (it is Asio's strand underneath), and runs
 * each function in the context captured for it (see
 * @ref boost::async_local::propagating_executor), including a function the
 * strand runs inline from `dispatch` and each function of a batch. Copies
 * share one strand and compare equal when they carry the same capture.
 *
 * @par Cost
 * Two words and the inner executor: 24 bytes over an io_context executor,
 * as Asio's own strand, so that it and every copy Asio makes of it with
 * other properties fit an `any_io_executor` without allocating. Making the strand allocates once;
 * copying it is one atomic increment.
 *
 * @note `blocking.always` cannot be required of it; a function is submitted
 * possibly-blocking unless the strand is never-blocking.
 */
template <class Executor>
class strand<::boost::async_local::propagating_executor<Executor>>
  : ::boost::async_local::detail::propagating_executor_base
{
  using shared_type = ::boost::async_local::detail::shared_strand<
      ::boost::async_local::detail::shared_base_t<Executor>>;
  using capture_type = ::boost::async_local::detail::capture;

  template <class Property>
  using allowed = std::integral_constant<bool,
      !std::is_same<std::decay_t<Property>,
        execution::blocking_t::always_t>::value>;

public:
  /// The propagating executor the strand runs functions through.
  using inner_executor_type =
    ::boost::async_local::propagating_executor<Executor>;

  /// Makes a new strand over `e`. A snapshot bound to `e` stays; a capture
  /// `e` carries for an operation does not (the strand is nobody's
  /// operation).
  explicit strand(inner_executor_type const& e)
    : shared_(new shared_type(::boost::async_local::detail::shared_base(
          e.get_inner_executor()))),
      executor_(e.get_inner_executor()),
      capture_(::boost::async_local::detail::access::get_capture(e)
          .for_untracked())
  {
  }

  /// Converts from a strand over a convertible executor: the same strand,
  /// the same capture.
  template <class OtherExecutor, class = std::enable_if_t<
      std::is_convertible<OtherExecutor const&, Executor>::value
      && std::is_same<typename strand<::boost::async_local::
        propagating_executor<OtherExecutor>>::shared_type,
        shared_type>::value>>
  strand(strand<::boost::async_local::propagating_executor<OtherExecutor>>
      const& other) noexcept
    : shared_(other.shared_),
      executor_(other.executor_),
      capture_(other.capture_)
  {
    shared_->add_ref();
  }

  strand(strand const& other) noexcept
    : shared_(other.shared_),
      executor_(other.executor_),
      capture_(other.capture_)
  {
    shared_->add_ref();
  }

  strand(strand&& other) noexcept
    : shared_(std::exchange(other.shared_, nullptr)),
      executor_(std::move(other.executor_)),
      capture_(std::move(other.capture_))
  {
  }

  strand& operator=(strand const& other) noexcept
  {
    strand(other).swap(*this);
    return *this;
  }

  strand& operator=(strand&& other) noexcept
  {
    strand(std::move(other)).swap(*this);
    return *this;
  }

  ~strand()
  {
    if (shared_)
      shared_->release();
  }

  /// The propagating executor the strand runs on, with this strand's capture.
  inner_executor_type get_inner_executor() const noexcept
  {
    return ::boost::async_local::detail::access::construct<
        inner_executor_type>(executor_, capture_);
  }

  /// True when called from a function the strand is running.
  bool running_in_this_thread() const noexcept
  {
    return shared_->possibly.running_in_this_thread();
  }

  /// True when this strand carries a snapshot (see
  /// @ref boost::async_local::propagating_executor::has_snapshot).
  bool has_snapshot() const noexcept
  {
    return capture_.has_value();
  }

  /// The snapshot functions executed now would run in.
  ::boost::async_local::snapshot captured_snapshot() const noexcept
  {
    return ::boost::async_local::detail::access::construct<
        ::boost::async_local::snapshot>(capture_.acquire());
  }

  /// Queues `f` on the strand, to run in this strand's context.
  template <class F>
  void execute(F&& f) const&
  {
    // Compiled out (BOOST_ASYNC_LOCAL_DISABLE): straight through.
    if constexpr (!::boost::async_local::detail::compiled_in)
      submit(std::forward<F>(f));
    else
      submit(::boost::async_local::detail::context_function<std::decay_t<F>>(
          std::forward<F>(f), capture_.submit([this] {
            return ::boost::async_local::detail::submission_type(*this); })));
  }

  /// Queues `f`, moving this strand's capture into it.
  template <class F>
  void execute(F&& f) &&
  {
    // Compiled out (BOOST_ASYNC_LOCAL_DISABLE): straight through.
    if constexpr (!::boost::async_local::detail::compiled_in)
      submit(std::forward<F>(f));
    else
      submit(::boost::async_local::detail::context_function<std::decay_t<F>>(
          std::forward<F>(f), std::move(capture_).submit([this] {
            return ::boost::async_local::detail::submission_type(*this); })));
  }

  /// Forwards a query to the inner executor, as Asio's strand does.
  template <class Property, class = std::enable_if_t<
      can_query<Executor const&, Property>::value>>
  decltype(auto) query(Property const& p) const noexcept(
      is_nothrow_query<Executor const&, Property>::value)
  {
    return ::boost::async_local::detail::net::query(executor_, p);
  }

  /// The same strand, with the property required of the inner executor;
  /// requiring tracked work captures the context.
  template <class Property, class = std::enable_if_t<
      can_require<Executor const&, Property>::value
      && allowed<Property>::value>>
  auto require(Property const& p) const&
  {
    return rewrap(::boost::async_local::detail::net::require(executor_, p),
        ::boost::async_local::detail::capture_for<Property>(capture_));
  }

  template <class Property, class = std::enable_if_t<
      can_require<Executor const&, Property>::value
      && allowed<Property>::value>>
  auto require(Property const& p) &&
  {
    return std::move(*this).rewrap(
        ::boost::async_local::detail::net::require(executor_, p),
        ::boost::async_local::detail::capture_for<Property>(
          std::move(capture_)));
  }

  /// The same strand, with the property preferred of the inner executor;
  /// preferring tracked work captures the context.
  template <class Property, class = std::enable_if_t<
      can_prefer<Executor const&, Property>::value
      && allowed<Property>::value>>
  auto prefer(Property const& p) const&
  {
    return rewrap(::boost::async_local::detail::net::prefer(executor_, p),
        ::boost::async_local::detail::capture_for<Property>(capture_));
  }

  template <class Property, class = std::enable_if_t<
      can_prefer<Executor const&, Property>::value
      && allowed<Property>::value>>
  auto prefer(Property const& p) &&
  {
    return std::move(*this).rewrap(
        ::boost::async_local::detail::net::prefer(executor_, p),
        ::boost::async_local::detail::capture_for<Property>(
          std::move(capture_)));
  }

  friend bool operator==(strand const& a, strand const& b) noexcept
  {
    return a.shared_ == b.shared_ && a.capture_.bits() == b.capture_.bits();
  }

  friend bool operator!=(strand const& a, strand const& b) noexcept
  {
    return !(a == b);
  }

private:
  template <class> friend class strand;
  friend struct ::boost::async_local::detail::access;

  // Shares `s` (taking over one reference), with `e` and `c`.
  strand(shared_type* s, Executor e, capture_type c) noexcept
    : shared_(s),
      executor_(std::move(e)),
      capture_(std::move(c))
  {
  }

  // This strand, carrying `c` instead of its own capture.
  strand with_capture(capture_type c) const noexcept
  {
    shared_->add_ref();
    return strand(shared_, executor_, std::move(c));
  }

  capture_type const& get_capture() const noexcept
  {
    return capture_;
  }

  void swap(strand& other) noexcept
  {
    std::swap(shared_, other.shared_);
    std::swap(executor_, other.executor_);
    std::swap(capture_, other.capture_);
  }

  template <class Inner>
  auto rewrap(Inner&& inner, capture_type c) const&
  {
    using result = strand<::boost::async_local::propagating_executor<
        std::decay_t<Inner>>>;
    static_assert(std::is_same<typename result::shared_type,
        shared_type>::value, "a property changed the strand's shared type");
    shared_->add_ref();
    return result(shared_, std::forward<Inner>(inner), std::move(c));
  }

  template <class Inner>
  auto rewrap(Inner&& inner, capture_type c) &&
  {
    using result = strand<::boost::async_local::propagating_executor<
        std::decay_t<Inner>>>;
    static_assert(std::is_same<typename result::shared_type,
        shared_type>::value, "a property changed the strand's shared type");
    return result(std::exchange(shared_, nullptr),
        std::forward<Inner>(inner), std::move(c));
  }

  // Queues `f` on the shared strand of the right blocking kind. A copy whose
  // allocator is not the default one has the strand allocate with it, as
  // Asio's strand would (that costs a temporary strand).
  template <class Function>
  void submit(Function&& f) const
  {
    if constexpr (can_query<Executor const&,
        execution::blocking_t>::value)
    {
      if (::boost::async_local::detail::net::query(executor_,
            execution::blocking) == execution::blocking.never)
      {
        submit_to(shared_->never, std::forward<Function>(f));
        return;
      }
    }
    submit_to(shared_->possibly, std::forward<Function>(f));
  }

  template <class Strand, class Function>
  void submit_to(Strand const& s, Function&& f) const
  {
    if constexpr (can_query<Executor const&,
        execution::allocator_t<void>>::value)
    {
      using allocator_type = std::decay_t<decltype(
          ::boost::async_local::detail::net::query(executor_,
            execution::allocator))>;
      if constexpr (!std::is_same<allocator_type,
          std::allocator<void>>::value)
      {
        ::boost::async_local::detail::net::prefer(s, execution::allocator(
              ::boost::async_local::detail::net::query(executor_,
                execution::allocator)))
          .execute(std::forward<Function>(f));
        return;
      }
    }
    s.execute(std::forward<Function>(f));
  }

  shared_type* shared_;
  Executor executor_;
  capture_type capture_;
};

BOOST_ASYNC_LOCAL_ASIO_END

#endif // BOOST_ASYNC_LOCAL_IMPL_STRAND_HPP
