//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_OTEL_HPP
#define BOOST_ASYNC_LOCAL_OTEL_HPP

// OpenTelemetry C++'s context, carried by Boost.AsyncLocal. Needs the
// OpenTelemetry C++ API's headers (header-only; tested with 1.28) and
// nothing else of OpenTelemetry: no SDK library.

#include <boost/async_local/variable.hpp>

#include <opentelemetry/context/context.h>
#include <opentelemetry/context/runtime_context.h>
#include <opentelemetry/nostd/shared_ptr.h>
#include <opentelemetry/nostd/unique_ptr.h>

#include <memory>
#include <new>
#include <utility>

namespace boost {
namespace async_local {
namespace otel {

/// An OpenTelemetry `RuntimeContextStorage` whose current context is
/// async-local: it follows Asio work as a @ref variable does.
/**
 * OpenTelemetry keeps the active span (and baggage) in a runtime context
 * that, by default, is a stack per thread: a span made active in a handler
 * is lost to every handler that continues the work, and a suspended
 * coroutine's span leaks into whatever the thread runs next. With this
 * storage installed (@ref install_context_storage), the context attached
 * by `Tracer::WithActiveSpan` or `RuntimeContext::Attach` is captured with
 * everything else when an operation is initiated through a
 * @ref propagating_executor (or a binder) and current again while its
 * handler runs: a span started in a handler is the parent of the spans
 * started in every handler that continues it, across `co_await`, timers,
 * sockets and strands, with no span passed by hand.
 *
 * @par Semantics
 * - `GetCurrent()`: the context most recently attached in the current
 *   async context and not yet detached; the empty context if none.
 * - `Attach(c)`: makes `c` current in the current async context, with no
 *   scope to end it (as @ref variable::assign does): it is current until it
 *   is detached, or until the enclosing scope ends (the handler, a
 *   @ref variable::run, a snapshot's `run`). Work initiated meanwhile
 *   captures it.
 * - `Detach(token)` (also called by the token's destructor, so by the end
 *   of a `trace::Scope`): as OpenTelemetry's thread-local storage does
 *   with its stack, if the token's context is among those attached in the
 *   current async context (the current one or one it was attached over),
 *   it and everything attached over it are detached, the context current
 *   before it comes back, and the answer is true; otherwise nothing
 *   changes, and the answer is false. So a `trace::Scope` held across a
 *   `co_await` ends in the coroutine's context where it resumes, on
 *   whichever thread, and touches no other work's context.
 * - When nothing was attached or bound since the token's `Attach`, the
 *   context before it comes back as it was (the same context, not a copy),
 *   so an enclosing guard (`variable::set`, @ref suppress_flow) still
 *   finds its own binding when it ends.
 * - Detached inside a scope entered since (a @ref variable::run, a handler
 *   run inline), the token's context is detached in that scope; the token
 *   stays active, so that detaching it again (or destroying it) once that
 *   scope has ended detaches it from the enclosing context too.
 * - A token from another storage is refused (false). Without RTTI
 *   (`-fno-rtti`), tokens cannot be told apart: install the storage before
 *   any token exists, and pass it only its own.
 * - While propagation is switched off (@ref set_enabled) or compiled out
 *   (`BOOST_ASYNC_LOCAL_DISABLE`), nothing is attached: `GetCurrent()`
 *   returns the empty context, so spans have no implicit parent. Spans
 *   with an explicit parent (`StartSpanOptions::parent`) are unaffected.
 *   A token attached before the switch went off still detaches while it
 *   is off if nothing was attached or bound since; otherwise it detaches
 *   nothing until the switch is on again.
 *
 * @par Thread safety
 * As OpenTelemetry requires: every member may be called from any thread,
 * concurrently. A token may be detached (or destroyed) on any thread.
 *
 * @par Cost
 * `Attach` allocates a small frame (the context and a reference to the one
 * below it) and binds it; `GetCurrent` is a variable's `get` and a copy of
 * the context (one reference count). A hop costs what a hop with one more
 * variable bound costs: nothing more than a hop with any binding.
 *
 * @par Lifetime
 * A token may outlive its storage (the storage replaced while spans are
 * active): it still detaches from the contexts it was attached in, and
 * the new storage refuses it.
 */
class context_storage final
  : public opentelemetry::context::RuntimeContextStorage
{
  using context_type = opentelemetry::context::Context;
  using token_type = opentelemetry::context::Token;

  // One attached context, over the one attached before it (null: none).
  // Frames are immutable; the chain is what Detach searches.
  struct frame
  {
    context_type context;
    std::shared_ptr<frame const> below;
  };
  using frame_ptr = std::shared_ptr<frame const>;
  using frames_type = variable<frame_ptr>;

  class token final : public token_type
  {
  public:
    token(context_type const& c, std::shared_ptr<frames_type const> frames,
        frame_ptr f)
      : token_type(c), frames_(std::move(frames)), frame_(std::move(f))
    {
    }

    // Detaches here: by the time the base's destructor calls Detach, this
    // object is a token_type again, which no storage recognises.
    ~token() noexcept override
    {
      detach();
#if defined(BOOST_ASYNC_LOCAL_NO_RTTI)
      dying = this;
#endif
    }

    bool detach() noexcept
    {
      if (!binding_.active())
        return false;
      try
      {
        // Nothing attached or bound here since: the context before it
        // comes back as it was (while propagation is off too).
        if (detail::current() == binding_.after_)
        {
          frames_->reset(std::move(binding_));
          return true;
        }
        frame_ptr const* top = frames_->get();
        for (frame const* f = top ? top->get() : nullptr; f;
            f = f->below.get())
          if (f == frame_.get())
          {
            // Attached deeper, or in an enclosing scope: the frame below
            // is current in this scope. The token stays active, so that
            // an enclosing scope that still has the frame when this one
            // ends can detach it too.
            frames_->rebind(binding_);
            return true;
          }
      }
      catch (...)
      {
      }
      return false;
    }

  private:
    friend class context_storage;

    // Shared with the storage, so that a token outliving it (the storage
    // replaced while spans are active) still detaches safely.
    std::shared_ptr<frames_type const> frames_;
    frame_ptr frame_;
    variable<frame_ptr>::token binding_;
  };

public:
  /// @throws std::bad_alloc.
  context_storage() = default;
  context_storage(context_storage const&) = delete;
  context_storage& operator=(context_storage const&) = delete;

  /// The context attached last in the current async context (empty if
  /// none).
  context_type GetCurrent() noexcept override
  {
    frame_ptr const* top = frames_->get();
    return top && *top ? (*top)->context : context_type();
  }

  /// Makes `c` current in the current async context; never null.
  /**
   * If memory runs out, `c` is not attached and the token detaches
   * nothing.
   */
  opentelemetry::nostd::unique_ptr<token_type> Attach(
      context_type const& c) noexcept override
  {
    try
    {
      frame_ptr const* top = frames_->get();
      frame_ptr f = std::make_shared<frame const>(
          frame{c, top ? *top : frame_ptr()});
      std::unique_ptr<token> t(new token(c, frames_, f));
      t->binding_ = frames_->assign(std::move(f));
      return opentelemetry::nostd::unique_ptr<token_type>(t.release());
    }
    catch (...)
    {
      return CreateToken(c);
    }
  }

  /// Detaches `t`'s context and what was attached over it, if it is
  /// attached in the current async context; true if so.
  bool Detach(token_type& t) noexcept override
  {
#if defined(BOOST_ASYNC_LOCAL_NO_RTTI)
    // Without RTTI, every token is taken to be one of this storage's:
    // install it before any token exists, and never pass another's. The
    // one whose base destructor calls this is already detached.
    if (&t == std::exchange(dying, nullptr))
      return false;
    token* const ours = static_cast<token*>(&t);
#else
    token* const ours = dynamic_cast<token*>(&t);
#endif
    return ours && ours->frames_ == frames_ && ours->detach();
  }

private:
#if defined(BOOST_ASYNC_LOCAL_NO_RTTI)
  // The token whose destructor is running on this thread.
  static inline thread_local token_type const* dying = nullptr;
#endif

  std::shared_ptr<frames_type const> frames_ =
    std::make_shared<frames_type const>();
};

/// Makes a new @ref context_storage OpenTelemetry's runtime context
/// storage, for the whole program.
/**
 * Call it once, before any span or scope exists (OpenTelemetry's rule for
 * `RuntimeContext::SetRuntimeContextStorage`, which this calls): tokens
 * made by the storage it replaces are refused by the new one.
 *
 * @throws std::bad_alloc; nothing is changed then.
 */
inline void install_context_storage()
{
  opentelemetry::context::RuntimeContext::SetRuntimeContextStorage(
      opentelemetry::nostd::shared_ptr<
          opentelemetry::context::RuntimeContextStorage>(
              new context_storage()));
}

} // namespace otel
} // namespace async_local
} // namespace boost

#endif // BOOST_ASYNC_LOCAL_OTEL_HPP
