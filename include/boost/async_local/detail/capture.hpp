//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_DETAIL_CAPTURE_HPP
#define BOOST_ASYNC_LOCAL_DETAIL_CAPTURE_HPP

#include <boost/async_local/detail/context.hpp>
#include <boost/async_local/detail/operation.hpp>
#include <boost/async_local/snapshot.hpp>

#include <cstdint>
#include <type_traits>
#include <utility>

namespace boost {
namespace async_local {
namespace detail {

// The rare cases, out of line, through acquire_current: the switch is off
// or the flow suppressed (nothing to capture), or the context is in a zone
// (a new reference, held by the operation's record while records() says
// there is one, and when one can be made). The result is the record's
// address with the low bit set, or the context's: a word, so that the
// hop's own path keeps the registers it had. (A version shared by every
// submission, calling `type` through a pointer, cost the hop one
// instruction more.)
template <class Type>
BOOST_ASYNC_LOCAL_NOINLINE std::uintptr_t capture_current_rarely(
    Type type) noexcept
{
  node* const n = acquire_current();
  if (records(n))
    if (operation* op = make_operation(n, type()))
      return reinterpret_cast<std::uintptr_t>(static_cast<node*>(op)) | 1u;
  return reinterpret_cast<std::uintptr_t>(n);
}

// A reference to the current context for a new operation (what
// acquire_current gives), held by a `Result` (a capture or a ticket): as
// the operation's record while hooks want one (what records() says).
//
// The two tests are fused, so that a program with zones pays nothing for
// them outside every zone: a context in a zone is flagged node_zoned in the
// word whose node_no_flow flag acquire_current tests anyway, so the zone
// test is one more bit in that mask, and the global left to read says only
// whether a hook wants every operation, as in a program without zones. (A
// context is flagged node_zoned only once the zones' hook is installed, and
// that hook stays; make_operation asks records() again.) `type` names the
// operation, asked only for a record. Callgrind, bench/single_file.cpp
// built with BENCH_ZONES: 398 / 437 / 441 instructions a hop (0, 1, 8
// variables) whether or not the program has made a zone, where the two
// tests apart cost 4 to 6 more once it had (bench/README.md).
template <class Result, class Type>
inline Result capture_current(Type type) noexcept
{
  node* const n = current();
  if (n)
  {
    if (!enabled() || (n->flags & (node_no_flow | node_zoned)))
    {
      std::uintptr_t const r = capture_current_rarely(type);
      node* const held = reinterpret_cast<node*>(r & ~std::uintptr_t(1));
      return (r & 1u) ? Result(static_cast<operation*>(held)) : Result(held);
    }
    share_current(n);
  }
  if (records_operations
      && recording.load(std::memory_order_relaxed) == record_all)
    if (operation* op = make_operation(n, type()))
      return Result(op);
  return Result(n);
}

// What an executor carries: nothing (run functions in the caller's context,
// read at execute time), a context captured when an operation tracked work
// (it belongs to that operation), or a snapshot bound by bind_snapshot (it
// belongs to the handler, and stays). Either may be the empty context. One
// word: the node address (nodes are at least 8-byte aligned) with the low bit
// set for "carries one" and the next bit for "bound", so a captured empty
// context is the value 1. While a hook is installed (hooks.hpp), a capture
// made for an operation holds the operation's record instead, tagged with
// the third bit. Keeping it to one word keeps
// propagating_executor<io_context::executor_type> inside any_io_executor's
// small-object buffer.
class capture
{
public:
  capture() noexcept = default;

  // Takes over one reference.
  explicit capture(node* owned, bool bound = false) noexcept
    : bits_(reinterpret_cast<std::uintptr_t>(owned) | 1u | (bound ? 2u : 0u))
  {
  }

  // Takes over one reference to an operation's record.
  explicit capture(operation* owned) noexcept
    : bits_(reinterpret_cast<std::uintptr_t>(static_cast<node*>(owned))
        | 1u | 4u)
  {
  }

  // A capture for a new operation: of the current context, and, while a
  // hook is installed, with a record of its own.
  static capture current() noexcept
  {
    if constexpr (!compiled_in)
      return capture();
    return capture_current<capture>(operation_type);
  }

  // A bound capture of `s`: one more reference to its context.
  static capture of(snapshot const& s) noexcept
  {
    node* n = access::get_node(s);
    add_ref(n);
    return capture(n, true);
  }

  capture(capture const& other) noexcept
    : bits_(other.bits_)
  {
    if constexpr (compiled_in)
      add_ref(held());
  }

  capture(capture&& other) noexcept
    : bits_(std::exchange(other.bits_, 0))
  {
  }

  capture& operator=(capture other) noexcept
  {
    std::swap(bits_, other.bits_);
    return *this;
  }

  // The test inline, the release out of line: a destructor this small is
  // inlined whatever the size of the translation unit. With the release
  // inline, GCC stopped inlining it in a larger unit (a program that uses
  // zones), and a hop called it 8 times, mostly on moved-from captures
  // (callgrind, bench/single_file.cpp al_1: 502 instructions a hop against
  // 416; now 426 against 412).
  ~capture()
  {
    if (compiled_in && bits_ > 7u)
      release_held();
  }

  // Compiled out (BOOST_ASYNC_LOCAL_DISABLE), a capture never holds
  // anything, and says so as a constant.
  bool has_value() const noexcept
  {
    return compiled_in && bits_ != 0;
  }

  bool bound() const noexcept
  {
    return compiled_in && (bits_ & 2u) != 0;
  }

  // The context functions run in.
  node* get() const noexcept
  {
    if (operation* op = this->op())
      return op->context;
    return held();
  }

  std::uintptr_t bits() const noexcept
  {
    return bits_;
  }

  // A reference to run a function in: the captured context if there is one,
  // the caller's current context otherwise.
  node* acquire() const noexcept
  {
    if (!has_value())
      return acquire_current();
    node* const n = get();
    add_ref(n);
    return n;
  }

  // What a function submitted now holds (`type` names the submission, and
  // is asked only while a hook is installed):
  // - with no capture, the caller's context, as a new operation while a
  //   hook is installed;
  // - with an operation's capture, that operation (a capture made while no
  //   hook was installed is no operation: its context);
  // - with a bound snapshot, the snapshot, as a new operation ("bind") while
  //   a hook is installed.
  template <class Type>
  ticket submit(Type type) const& noexcept
  {
    if (!has_value())
      return capture_current<ticket>(type);
    if (operation* op = this->op())
    {
      add_ref(op);
      return ticket(op);
    }
    node* const n = held();
    add_ref(n);
    return bound() ? submission(n, bind_type) : ticket(n);
  }

  template <class Type>
  ticket submit(Type type) && noexcept
  {
    std::uintptr_t const bits = std::exchange(bits_, 0);
    if (records_operations && (bits & 4u))
      return ticket(static_cast<operation*>(
          reinterpret_cast<node*>(bits & ~std::uintptr_t(7))));
    if (!bits)
      return capture_current<ticket>(type);
    node* const n = reinterpret_cast<node*>(bits & ~std::uintptr_t(7));
    return (bits & 2u) ? submission(n, bind_type) : ticket(n);
  }

  // What an executor becomes when an operation tracks work: a bound
  // snapshot stays; anything else gives way to a fresh capture of the
  // caller's context. An operation's capture belongs to that operation, so
  // an executor that still carries one from an earlier operation (Asio hands
  // such executors out: self.get_executor() in async_compose) captures
  // afresh for the next.
  capture for_tracked() const& noexcept
  {
    return bound() ? *this : current();
  }

  capture for_tracked() && noexcept
  {
    return bound() ? std::move(*this) : current();
  }

  // What an executor becomes when work is untracked: nobody's operation, so
  // only a bound snapshot stays.
  capture for_untracked() const& noexcept
  {
    return bound() ? *this : capture();
  }

  capture for_untracked() && noexcept
  {
    return bound() ? std::move(*this) : capture();
  }

private:
  BOOST_ASYNC_LOCAL_NOINLINE void release_held() noexcept
  {
    release(held());
  }

  // The node held: the context, or the operation's record (a node too).
  node* held() const noexcept
  {
    return reinterpret_cast<node*>(bits_ & ~std::uintptr_t(7));
  }

  operation* op() const noexcept
  {
    return (records_operations && (bits_ & 4u))
      ? static_cast<operation*>(held()) : nullptr;
  }

  static char const* operation_type() noexcept
  {
    return "operation";
  }

  static char const* bind_type() noexcept
  {
    return "bind";
  }

  // A function submitted to run in `owned`: a new operation while a hook
  // is installed.
  template <class Type>
  static ticket submission(node* owned, Type type) noexcept
  {
    if (records(owned))
      if (operation* op = make_operation(owned, type()))
        return ticket(op);
    return ticket(owned);
  }

  std::uintptr_t bits_ = 0;
};

// A function submitted through an executor, with the context (or, while a
// hook is installed, the operation) it must run in. The context is held
// first, so that nothing leaks if copying the function throws.
template <class F>
class context_function
{
public:
  template <class G>
  context_function(G&& g, ticket t)
    : ticket_(std::move(t)),
      function_(std::forward<G>(g))
  {
  }

  context_function(context_function&&) = default;
  context_function(context_function const&) = default;
  context_function& operator=(context_function const&) = delete;

  // Executors call a submitted function once, as an lvalue.
  void operator()()
  {
    run_ticket(ticket_, function_);
  }

private:
  ticket ticket_;
  F function_;
};

} // namespace detail
} // namespace async_local
} // namespace boost

#endif // BOOST_ASYNC_LOCAL_DETAIL_CAPTURE_HPP
