//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_CONTEXT_LOSS_DETECTOR_HPP
#define BOOST_ASYNC_LOCAL_CONTEXT_LOSS_DETECTOR_HPP

#include <boost/async_local/hooks.hpp>

#include <atomic>
#include <cstddef>
#include <cstring>
#include <functional>
#include <iostream>
#include <utility>

namespace boost {
namespace async_local {

/// A debugging hook that reports work started from a handler the library
/// did not run, with no context: where a request's context was lost.
/**
 * Node.js's documentation spends a section on "troubleshooting: context
 * loss"; this is the tool for it. Install it while the program runs:
 *
 * @code
 * al::context_loss_detector detector(ioc.get_executor());
 * auto registration = al::install_hooks(detector);
 * @endcode
 *
 * @par What it reports
 * An operation initiated (a post, an asynchronous operation, a resource)
 * with the empty context, inside a handler of the watched executor that the
 * library did not run: no propagating executor, bound handler or resource
 * installed a context for it, so whatever context its initiator had did not
 * reach it. The usual causes, each a documented limit:
 * - a handler bound with `bind_executor` to a plain executor or strand,
 *   given to an I/O object on a propagating executor (Asio completes through
 *   the handler's executor);
 * - an I/O object or timer on the plain executor of the same io_context.
 *
 * @par What it cannot report
 * Handlers the library did not run that start no work; work started with a
 * context bound again by hand (`variable::run` in such a handler:
 * deliberate, or the context came from elsewhere); work started under
 * @ref suppress_flow (deliberate too, and the suppressed context is not the
 * empty one); and a function that runs
 * inside another's run, as the functions of a batch of Asio's plain strand
 * made over a type-erased propagating executor do (`net::make_strand` on
 * `any_io_executor`: use `al::make_strand`). Asio's initiating
 * functions do not pass the caller's source location to an executor, so a
 * report names the operation's id and type, not a line.
 * Operations initiated before any hook was installed run without records,
 * and work their handlers start is reported: install the detector before
 * the work starts.
 *
 * @par Thread safety
 * The reporter is called on the thread that initiated the operation,
 * concurrently from several threads: it must be thread-safe and must not
 * throw. The default one writes the first 20 reports to `std::clog`.
 */
class context_loss_detector : public async_hooks
{
public:
  /// One report.
  struct report
  {
    async_id id;       ///< the operation started with no context
    char const* type;  ///< its type, as in `init` (valid during the call)
  };

  /// Watches the handlers `ex` runs (an executor with
  /// `running_in_this_thread()`, such as an io_context's or a thread
  /// pool's); `on_loss` is called for each report.
  template <class Executor>
  explicit context_loss_detector(Executor ex,
      std::function<void(report const&)> on_loss = {})
    : in_handler_([ex = std::move(ex)] { return ex.running_in_this_thread(); }),
      on_loss_(std::move(on_loss))
  {
  }

  context_loss_detector(context_loss_detector const&) = delete;
  context_loss_detector& operator=(context_loss_detector const&) = delete;

  /// The number of reports so far.
  std::size_t count() const noexcept
  {
    return count_.load(std::memory_order_relaxed);
  }

  void init(async_id id, async_id trigger, char const* type) noexcept override
  {
    // Started inside a run the library made (trigger set), or with a
    // context: not a loss it can see. A "bind" is made when Asio submits
    // a bound handler, wherever that happens, and runs in the snapshot it
    // was bound to: never a loss.
    if (trigger != 0 || detail::current() != nullptr
        || std::strcmp(type, "bind") == 0)
      return;
    try
    {
      if (!in_handler_())
        return;  // top level: main(), or a thread of the program's own
      std::size_t const n = count_.fetch_add(1, std::memory_order_relaxed);
      report const r{id, type};
      if (on_loss_)
        on_loss_(r);
      else if (n < 20)
        std::clog << "boost::async_local: context lost: operation " << id
                  << " (" << type << ") started with no context from a "
                     "handler the library did not run"
                  << (n == 19 ? " (further reports suppressed)" : "") << '\n';
    }
    catch (...)
    {
    }
  }

private:
  std::function<bool()> in_handler_;
  std::function<void(report const&)> on_loss_;
  std::atomic<std::size_t> count_{0};
};

} // namespace async_local
} // namespace boost

#endif // BOOST_ASYNC_LOCAL_CONTEXT_LOSS_DETECTOR_HPP
