//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_TRACE_RECORDER_HPP
#define BOOST_ASYNC_LOCAL_TRACE_RECORDER_HPP

#include <boost/async_local/hooks.hpp>
#include <boost/async_local/variable.hpp>

#include <boost/async_local/detail/trace_format.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace boost {
namespace async_local {

/// What a @ref trace_recorder knows of one operation.
struct traced_operation
{
  /// One run of the operation's handler, between `before` and `after`.
  struct run
  {
    unsigned thread;       ///< the recorder's number for the thread (1, 2, ...)
    std::int64_t begin_ns; ///< since the recorder was made (steady clock)
    std::int64_t end_ns;   ///< -1 if `after` was not recorded
  };

  async_id id = 0;
  async_id trigger = 0;
  std::string type;            ///< "?" when `init` was not recorded
  unsigned thread = 0;         ///< the thread that initiated it (0: unknown)
  std::int64_t init_ns = -1;   ///< -1 when `init` was not recorded
  std::int64_t destroy_ns = -1; ///< -1 while it lives (or if not recorded)
  std::vector<run> runs;
  /// The watched variables bound where it was initiated, in the order they
  /// were watched: (name, formatted value).
  std::vector<std::pair<std::string, std::string>> values;

  /// The value recorded for the watched variable `name`, or null.
  std::string const* value(std::string const& name) const noexcept
  {
    for (auto const& v : values)
      if (v.first == name)
        return &v.second;
    return nullptr;
  }
};

/// A ready-made hook that records every event with its time, its thread and
/// the values of chosen variables, and draws the result.
/**
 * @code
 * al::trace_recorder recorder;
 * recorder.watch(request_id, "request_id");
 * auto registration = al::install_hooks(recorder);
 * // ... run the program ...
 * registration.reset();
 * std::ofstream json("trace.json");
 * recorder.write_chrome_trace(json);        // open in Perfetto or chrome://tracing
 * std::ofstream dot("tree.dot");
 * recorder.write_graphviz(dot, [](al::traced_operation const& op) {
 *   auto v = op.value("request_id");
 *   return v && *v == "req-7";              // one request's tree
 * });
 * @endcode
 *
 * @par Thread safety
 * Hooks may be called on any number of threads: events are appended under
 * a mutex. `watch` must be called before the recorder is installed. The
 * readers (`operations`, the writers) may be called at any time, and see
 * the events recorded so far.
 *
 * @par Cost
 * A debugging aid, not a production tracer: each event takes a mutex and a
 * clock reading; each `init` formats the watched values into strings. At
 * most `max_events` events are kept; later ones are counted in `dropped`.
 */
class trace_recorder : public async_hooks
{
public:
  /// Keeps at most `max_events` events.
  explicit trace_recorder(std::size_t max_events = std::size_t(1) << 20)
    : max_events_(max_events),
      start_(std::chrono::steady_clock::now())
  {
  }

  trace_recorder(trace_recorder const&) = delete;
  trace_recorder& operator=(trace_recorder const&) = delete;

  /// Records the value of `v` (written with `operator<<`) at each `init`,
  /// under `name`, when `v` is bound there.
  template <class T>
  void watch(variable<T> const& v, std::string name)
  {
    watch(v, std::move(name), [](T const& value) {
      std::ostringstream os;
      os << value;
      return os.str();
    });
  }

  /// Records `format(value)` for `v`, under `name`, at each `init`.
  template <class T, class Format>
  void watch(variable<T> const& v, std::string name, Format format)
  {
    watched_.push_back({std::move(name),
        [&v, format = std::move(format)]() -> std::optional<std::string> {
          T const* p = v.get();
          if (!p)
            return std::nullopt;
          return std::string(format(*p));
        }});
  }

  /// The operations recorded so far, in the order of their first event.
  std::vector<traced_operation> operations() const
  {
    std::vector<event> events;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      events = events_;
    }
    std::vector<traced_operation> ops;
    std::map<async_id, std::size_t> index;
    auto get = [&](async_id id) -> traced_operation& {
      auto [it, added] = index.emplace(id, ops.size());
      if (added)
      {
        ops.emplace_back();
        ops.back().id = id;
        ops.back().type = "?";
      }
      return ops[it->second];
    };
    // Runs open on each thread, innermost last.
    std::map<unsigned, std::vector<std::pair<async_id, std::size_t>>> open;
    for (auto& e : events)
    {
      traced_operation& op = get(e.id);
      switch (e.kind)
      {
      case 'i':
        op.trigger = e.trigger;
        op.type = e.type;
        op.thread = e.thread;
        op.init_ns = e.time;
        op.values = e.values;
        break;
      case 'b':
        op.runs.push_back({e.thread, e.time, -1});
        open[e.thread].emplace_back(e.id, op.runs.size() - 1);
        break;
      case 'a':
      {
        auto& stack = open[e.thread];
        for (auto it = stack.rbegin(); it != stack.rend(); ++it)
          if (it->first == e.id)
          {
            op.runs[it->second].end_ns = e.time;
            stack.erase(std::next(it).base());
            break;
          }
        break;
      }
      default:
        op.destroy_ns = e.time;
      }
    }
    return ops;
  }

  /// How many events were not kept (beyond `max_events`).
  std::size_t dropped() const
  {
    std::lock_guard<std::mutex> lock(mutex_);
    return dropped_;
  }

  /// Forgets every event recorded so far.
  void clear()
  {
    std::lock_guard<std::mutex> lock(mutex_);
    events_.clear();
    dropped_ = 0;
  }

  /// Writes the Chrome trace event format (JSON), which Perfetto
  /// (ui.perfetto.dev) and chrome://tracing open: each run of a handler is
  /// a slice on its thread's track, each operation an async span from
  /// `init` to `destroy`, and a flow arrow leads from where an operation
  /// was initiated to its first run. Watched values are the slices' and
  /// spans' arguments (under "values"). Every string is escaped, and bytes
  /// that are not UTF-8 are replaced, so the output is always valid JSON.
  void write_chrome_trace(std::ostream& os) const
  {
    auto const ops = operations();
    detail::trace_format::chrome_trace(os, ops);
  }

  /// Writes the causal tree as a Graphviz digraph: an operation per node
  /// (type, id, watched values, runs and the time spent in them) and an
  /// edge from each operation's trigger to it. With `include`, only the
  /// operations it accepts are drawn, each joined to its nearest drawn
  /// ancestor. Render with `dot -Tsvg` (or `-Tpng`).
  void write_graphviz(std::ostream& os,
      std::function<bool(traced_operation const&)> include = {}) const
  {
    auto const ops = operations();
    detail::trace_format::graphviz(os, ops, include);
  }

  // The hooks.

  void init(async_id id, async_id trigger, char const* type) noexcept override
  {
    try
    {
      std::vector<std::pair<std::string, std::string>> values;
      for (auto const& w : watched_)
        if (auto v = w.read())
          values.emplace_back(w.name, std::move(*v));
      add('i', id, trigger, type, std::move(values));
    }
    catch (...)
    {
      count_dropped();
    }
  }

  void before(async_id id) noexcept override { add('b', id); }
  void after(async_id id) noexcept override { add('a', id); }
  void destroy(async_id id) noexcept override { add('d', id); }

private:
  struct event
  {
    char kind;
    unsigned thread;
    async_id id;
    async_id trigger;
    std::int64_t time;
    std::string type;
    std::vector<std::pair<std::string, std::string>> values;
  };

  struct watched
  {
    std::string name;
    std::function<std::optional<std::string>()> read;
  };

  void add(char kind, async_id id, async_id trigger = 0,
      char const* type = "",
      std::vector<std::pair<std::string, std::string>> values = {}) noexcept
  {
    std::int64_t const time = std::chrono::duration_cast<
        std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_)
      .count();
    try
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (events_.size() >= max_events_)
      {
        ++dropped_;
        return;
      }
      auto const [it, added] = threads_.emplace(std::this_thread::get_id(),
          static_cast<unsigned>(threads_.size() + 1));
      (void)added;
      events_.push_back(event{kind, it->second, id, trigger, time,
          type ? type : "", std::move(values)});
    }
    catch (...)
    {
      count_dropped();
    }
  }

  void count_dropped() noexcept
  {
    try
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++dropped_;
    }
    catch (...)
    {
    }
  }

  std::size_t const max_events_;
  std::chrono::steady_clock::time_point const start_;
  std::vector<watched> watched_;
  mutable std::mutex mutex_;
  std::vector<event> events_;
  std::map<std::thread::id, unsigned> threads_;
  std::size_t dropped_ = 0;
};

} // namespace async_local
} // namespace boost

#endif // BOOST_ASYNC_LOCAL_TRACE_RECORDER_HPP
