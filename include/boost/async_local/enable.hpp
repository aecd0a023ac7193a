//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_ENABLE_HPP
#define BOOST_ASYNC_LOCAL_ENABLE_HPP

#include <boost/async_local/detail/context.hpp>

#include <atomic>

namespace boost {
namespace async_local {

/// Switches context propagation on or off for the whole program.
/**
 * The off switch an operator reaches for without touching business code
 * (Node's `AsyncLocalStorage.disable()`, for every variable at once).
 *
 * While propagation is off:
 * - @ref variable::get reads null (and `value_or` its fallback), whatever
 *   the current context holds;
 * - @ref variable::run, @ref variable::exit and @ref zone::run call their
 *   function without binding anything; @ref variable::set binds nothing
 *   and returns an empty guard;
 * - nothing is captured: @ref snapshot::current is the empty snapshot, so
 *   work initiated now (through a @ref propagating_executor, a strand made
 *   with @ref make_strand, `bind_snapshot(handler)`, a @ref resource) runs
 *   in the empty context, and no zone counts it. A snapshot you took
 *   yourself still binds where you use it (`bind_snapshot(s, handler)`,
 *   `s.run(f)`, `s.wrap(f)`).
 *
 * The switch is read when work is initiated and when a variable is read.
 * Turning it back on affects work initiated afterwards: work initiated
 * while it was off still runs in the empty context. Work initiated before
 * it was turned off keeps what it captured, and runs in it (its values
 * read null while the switch is off, and are readable again once it is
 * on). But each step of a coroutine or a composed operation initiates its
 * next step: one that takes a step while the switch is off goes on in the
 * empty context from then on. Hooks (@ref install_hooks) keep receiving
 * events for operations: only propagation is switched; uninstall hooks to
 * stop those.
 *
 * Compiled with `BOOST_ASYNC_LOCAL_DISABLE` defined, propagation is off for
 * good and as a constant: every function above is an inline no-op with the
 * same signature, executors pass functions straight to the executor they
 * wrap, and calling `set_enabled(true)` changes nothing. Define it the same
 * way in every translation unit of a program, shared libraries included:
 * the library's inline functions differ with it, the linker keeps one
 * version of each, and a program that mixes the two can count references
 * wrongly (release a context twice). Nothing detects the mix.
 *
 * @par Thread safety
 * Safe to call from any thread, concurrently with anything. A thread that
 * has not yet seen the change may initiate work with a capture, or read a
 * value, shortly after another thread turned propagation off.
 *
 * @par Cost
 * One relaxed load of a global flag when a non-empty context is captured
 * and when a bound variable is read; none for the empty context.
 */
inline void set_enabled(bool on) noexcept
{
  detail::switched_on.store(on, std::memory_order_relaxed);
}

/// True while propagation is on (see @ref set_enabled); always false when
/// compiled with `BOOST_ASYNC_LOCAL_DISABLE`.
inline bool is_enabled() noexcept
{
  return detail::enabled();
}

} // namespace async_local
} // namespace boost

#endif // BOOST_ASYNC_LOCAL_ENABLE_HPP
