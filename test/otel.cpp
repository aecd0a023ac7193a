//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// OpenTelemetry's runtime context carried by Boost.AsyncLocal (otel.hpp),
// against OpenTelemetry C++'s API alone: the SDK's libraries in Debian need
// a newer C library than Debian 12's, so spans come from a recording tracer
// written here, which takes its parent from the runtime context as the
// SDK's tracer does.

#include <boost/async_local/otel.hpp>

#include <boost/async_local/enable.hpp>
#include <boost/async_local/executor.hpp>
#include <boost/async_local/flow.hpp>
#include <boost/async_local/snapshot.hpp>

#include "common.hpp"

#include <opentelemetry/context/runtime_context.h>
#include <opentelemetry/trace/context.h>
#include <opentelemetry/trace/default_span.h>
#include <opentelemetry/trace/scope.h>
#include <opentelemetry/trace/span_context.h>
#include <opentelemetry/trace/tracer.h>
#include <opentelemetry/version.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace al = boost::async_local;
namespace octx = opentelemetry::context;
namespace trace = opentelemetry::trace;
namespace nostd = opentelemetry::nostd;

namespace {

// Installs the storage for one test, and OpenTelemetry's default back after
// it.
struct installed : test::clean_thread
{
  installed()
  {
    al::otel::install_context_storage();
  }

  ~installed()
  {
    octx::RuntimeContext::SetRuntimeContextStorage(
        nostd::shared_ptr<octx::RuntimeContextStorage>(
            new octx::ThreadLocalContextStorage()));
  }
};

std::int64_t value_of(char const* key)
{
  octx::ContextValue const v = octx::RuntimeContext::GetValue(key);
  return nostd::holds_alternative<std::int64_t>(v)
    ? nostd::get<std::int64_t>(v) : -1;
}

octx::Context with(char const* key, std::int64_t v)
{
  return octx::RuntimeContext::GetCurrent().SetValue(key, v);
}

// A tracer that records each span's name and its parent's name, the parent
// being the active span of the runtime context (as the SDK's tracer takes
// it when no explicit parent is given).
class recording_tracer final : public trace::Tracer
{
public:
  using trace::Tracer::StartSpan;

  nostd::shared_ptr<trace::Span> StartSpan(nostd::string_view name,
      opentelemetry::common::KeyValueIterable const&,
      trace::SpanContextKeyValueIterable const&,
      trace::StartSpanOptions const&) noexcept override
  {
    trace::SpanContext const parent =
      trace::GetSpan(octx::RuntimeContext::GetCurrent())->GetContext();
    std::lock_guard<std::mutex> lock(mutex_);
    std::uint8_t id[trace::SpanId::kSize] = {};
    std::uint64_t const n = ++last_;
    std::memcpy(id, &n, sizeof n);
    std::uint8_t const trace_bytes[trace::TraceId::kSize] = {1};
    trace::SpanContext const context(trace::TraceId(trace_bytes),
        trace::SpanId(id), trace::TraceFlags(trace::TraceFlags::kIsSampled),
        false);
    std::string const own(name.data(), name.size());
    names_[n] = own;
    std::string parent_name;
    if (parent.IsValid())
    {
      std::uint64_t p = 0;
      std::memcpy(&p, parent.span_id().Id().data(), sizeof p);
      parent_name = names_[p];
    }
    parents_[own] = parent_name;
    return nostd::shared_ptr<trace::Span>(new trace::DefaultSpan(context));
  }

#if OPENTELEMETRY_ABI_VERSION_NO == 1
  void ForceFlushWithMicroseconds(std::uint64_t) noexcept override {}
  void CloseWithMicroseconds(std::uint64_t) noexcept override {}
#endif

  // The parent's name of the span named `name` ("" for a root); "?" if no
  // such span was started.
  std::string parent_of(std::string const& name)
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto const it = parents_.find(name);
    return it == parents_.end() ? "?" : it->second;
  }

private:
  std::mutex mutex_;
  std::uint64_t last_ = 0;
  std::map<std::uint64_t, std::string> names_;
  std::map<std::string, std::string> parents_;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(test_otel, installed)

BOOST_AUTO_TEST_CASE(attach_and_detach_as_a_stack)
{
  BOOST_TEST_MESSAGE("OpenTelemetry C++ API " OPENTELEMETRY_VERSION);
  BOOST_TEST(value_of("k") == -1);
  auto t1 = octx::RuntimeContext::Attach(with("k", 1));
  BOOST_TEST(value_of("k") == 1);
  auto t2 = octx::RuntimeContext::Attach(with("k", 2));
  BOOST_TEST(value_of("k") == 2);
  BOOST_TEST(octx::RuntimeContext::Detach(*t2));
  BOOST_TEST(value_of("k") == 1);
  // Once only.
  BOOST_TEST(!octx::RuntimeContext::Detach(*t2));
  BOOST_TEST(octx::RuntimeContext::Detach(*t1));
  BOOST_TEST(value_of("k") == -1);
}

// As OpenTelemetry's thread-local stack: detaching a token detaches what
// was attached over it, and those tokens detach nothing afterwards.
BOOST_AUTO_TEST_CASE(detaching_out_of_order_detaches_what_is_above)
{
  auto t1 = octx::RuntimeContext::Attach(with("k", 1));
  auto t2 = octx::RuntimeContext::Attach(with("k", 2));
  auto t3 = octx::RuntimeContext::Attach(with("k", 3));
  BOOST_TEST(octx::RuntimeContext::Detach(*t2));
  BOOST_TEST(value_of("k") == 1);
  BOOST_TEST(!octx::RuntimeContext::Detach(*t3));
  BOOST_TEST(value_of("k") == 1);
  t3.reset();
  BOOST_TEST(value_of("k") == 1);
  BOOST_TEST(octx::RuntimeContext::Detach(*t1));
  BOOST_TEST(value_of("k") == -1);
}

BOOST_AUTO_TEST_CASE(a_destroyed_token_detaches)
{
  {
    auto t = octx::RuntimeContext::Attach(with("k", 1));
    BOOST_TEST(value_of("k") == 1);
  }
  BOOST_TEST(value_of("k") == -1);
  recording_tracer tracer;
  {
    auto span = tracer.StartSpan("outer");
    trace::Scope scope(span);
    tracer.StartSpan("inner");
  }
  tracer.StartSpan("after");
  BOOST_TEST(tracer.parent_of("inner") == "outer");
  BOOST_TEST(tracer.parent_of("after") == "");
}

BOOST_AUTO_TEST_CASE(a_token_of_another_storage_is_refused)
{
  octx::ThreadLocalContextStorage other;
  auto t = other.Attach(with("k", 1));
  BOOST_TEST(!octx::RuntimeContext::Detach(*t));
  BOOST_TEST(other.Detach(*t));
  // Also one made by another instance of ours.
  al::otel::context_storage ours;
  auto u = ours.Attach(with("k", 2));
  BOOST_TEST(nostd::get<std::int64_t>(ours.GetCurrent().GetValue("k")) == 2);
  BOOST_TEST(!octx::RuntimeContext::Detach(*u));
  BOOST_TEST(ours.Detach(*u));
  BOOST_TEST(value_of("k") == -1);
}

// The point of it: the context attached in a handler follows the work it
// initiates, on every path, and stays out of the rest.
BOOST_AUTO_TEST_CASE(the_context_follows_posts_timers_and_strands)
{
  test::io_context a;
  test::io_context b;
  auto ex = al::make_executor(a.get_executor());
  auto strand = al::make_strand(b.get_executor());
  std::vector<std::int64_t> seen;
  net::steady_timer timer(ex);
  net::post(ex, [&] {
    auto t = octx::RuntimeContext::Attach(with("k", 7));
    net::post(ex, [&] { seen.push_back(value_of("k")); });
    net::post(strand, [&] { seen.push_back(value_of("k")); });
    timer.expires_after(std::chrono::milliseconds(1));
    timer.async_wait([&](error_code) { seen.push_back(value_of("k")); });
    // Not carried by a plain executor's work (the control: the test can
    // tell).
    net::post(a.get_executor(), [&] { seen.push_back(value_of("k")); });
    // The token goes with the handler's end; what it started keeps the
    // context it captured.
  });
  BOOST_TEST(a.run_one() == 1u);
  BOOST_TEST(value_of("k") == -1);
  BOOST_TEST(b.run_one() == 1u);
  a.run();
  BOOST_TEST(seen == (std::vector<std::int64_t>{7, 7, -1, 7}),
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(spans_parent_across_handlers_on_two_threads)
{
  recording_tracer tracer;
  net::thread_pool pool(2);
  auto ex = al::make_executor(pool.get_executor());
  net::post(ex, [&] {
    auto request = tracer.StartSpan("request");
    trace::Scope scope(request);
    for (int i = 0; i < 8; ++i)
      net::post(ex, [&, i] {
        std::string const name = "step" + std::to_string(i);
        auto step = tracer.StartSpan(name);
        trace::Scope inner(step);
        net::post(ex, [&, name] { tracer.StartSpan(name + ".db"); });
      });
  });
  // Once the work has run out.
  pool.join();
  BOOST_TEST(tracer.parent_of("request") == "");
  for (int i = 0; i < 8; ++i)
  {
    std::string const name = "step" + std::to_string(i);
    BOOST_TEST(tracer.parent_of(name) == "request");
    BOOST_TEST(tracer.parent_of(name + ".db") == name);
  }
}

#if defined(BOOST_ASYNC_LOCAL_TEST_CO_AWAIT)

namespace {

net::awaitable<void> traced(recording_tracer& tracer, std::string name,
    std::vector<std::int64_t>& seen)
{
  auto span = tracer.StartSpan(name);
  trace::Scope scope(span);
  auto t = octx::RuntimeContext::Attach(with("k", 5));
  net::steady_timer timer(co_await net::this_coro::executor);
  timer.expires_after(std::chrono::milliseconds(1));
  co_await timer.async_wait(net::use_awaitable);
  seen.push_back(value_of("k"));
  tracer.StartSpan(name + ".after_wait");
  // Detached where it resumes, in the coroutine's own context.
  BOOST_TEST(octx::RuntimeContext::Detach(*t));
  seen.push_back(value_of("k"));
  co_await net::post(co_await net::this_coro::executor, net::use_awaitable);
  tracer.StartSpan(name + ".after_post");
}

} // namespace

// A scope held across co_await: the span stays active in the coroutine
// wherever it resumes, and does not leak into other work the thread runs
// meanwhile.
BOOST_AUTO_TEST_CASE(a_scope_held_across_co_await)
{
  recording_tracer tracer;
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  std::vector<std::int64_t> seen;
  net::co_spawn(ex, traced(tracer, "a", seen), net::detached);
  net::co_spawn(ex, traced(tracer, "b", seen), net::detached);
  net::post(ex, [&] { tracer.StartSpan("unrelated"); });
  ioc.run();
  BOOST_TEST(seen == (std::vector<std::int64_t>{5, -1, 5, -1}),
      boost::test_tools::per_element());
  for (std::string const name : {"a", "b"})
  {
    BOOST_TEST(tracer.parent_of(name) == "");
    BOOST_TEST(tracer.parent_of(name + ".after_wait") == name);
    BOOST_TEST(tracer.parent_of(name + ".after_post") == name);
  }
  BOOST_TEST(tracer.parent_of("unrelated") == "");
  BOOST_TEST(value_of("k") == -1);
}

#endif // BOOST_ASYNC_LOCAL_TEST_CO_AWAIT

BOOST_AUTO_TEST_CASE(a_token_detaches_on_another_thread_where_it_is_attached)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc.get_executor());
  nostd::unique_ptr<octx::Token> t;
  std::vector<std::int64_t> seen;
  net::post(ex, [&] {
    t = octx::RuntimeContext::Attach(with("k", 3));
    net::post(ex, [&] {
      // The continuation holds what the token attached: detach it here, on
      // another thread.
      std::thread([&] {
        // Not attached in this thread's context.
        BOOST_TEST(!octx::RuntimeContext::Detach(*t));
      }).join();
      seen.push_back(value_of("k"));
      BOOST_TEST(octx::RuntimeContext::Detach(*t));
      seen.push_back(value_of("k"));
    });
  });
  std::thread runner([&] { ioc.run(); });
  runner.join();
  BOOST_TEST(seen == (std::vector<std::int64_t>{3, -1}),
      boost::test_tools::per_element());
  t.reset();
}

// A scope inside a guard leaves the guard's binding as it found it.
BOOST_AUTO_TEST_CASE(scopes_nest_inside_guards)
{
  al::variable<int> user;
  recording_tracer tracer;
  {
    auto g = user.set(42);
    auto s = al::suppress_flow();
    {
      auto span = tracer.StartSpan("inner");
      trace::Scope scope(span);
    }
    s.restore();
    BOOST_TEST(!al::is_flow_suppressed());
  }
  BOOST_TEST(user.get() == nullptr);
}

// Detached inside a scope entered since, the context is detached there; the
// token stays active, and detaches it from the enclosing context too once
// that scope has ended.
BOOST_AUTO_TEST_CASE(a_token_detached_in_an_inner_scope)
{
  al::variable<int> w;
  al::snapshot().run([&] {
    auto t = octx::RuntimeContext::Attach(with("k", 1));
    w.run(1, [&] {
      BOOST_TEST(octx::RuntimeContext::Detach(*t));
      BOOST_TEST(value_of("k") == -1);
    });
    BOOST_TEST(value_of("k") == 1);
    BOOST_TEST(octx::RuntimeContext::Detach(*t));
    BOOST_TEST(value_of("k") == -1);
    BOOST_TEST(!octx::RuntimeContext::Detach(*t));
  });
  // Destroyed instead of detached the second time.
  al::snapshot().run([&] {
    auto t = octx::RuntimeContext::Attach(with("k", 2));
    w.run(1, [&] { BOOST_TEST(octx::RuntimeContext::Detach(*t)); });
    t.reset();
    BOOST_TEST(value_of("k") == -1);
  });
}

BOOST_AUTO_TEST_CASE(a_token_detaches_while_propagation_is_off)
{
  al::snapshot().run([&] {
    auto t = octx::RuntimeContext::Attach(with("k", 2));
    al::set_enabled(false);
    BOOST_TEST(octx::RuntimeContext::Detach(*t));
    al::set_enabled(true);
    BOOST_TEST(value_of("k") == -1);
  });
  al::snapshot().run([&] {
    auto t = octx::RuntimeContext::Attach(with("k", 3));
    al::set_enabled(false);
    t.reset();
    al::set_enabled(true);
    BOOST_TEST(value_of("k") == -1);
  });
}

// OpenTelemetry forbids it, but a storage replaced while a token lives
// must not make the token's end a use after free.
BOOST_AUTO_TEST_CASE(a_token_outlives_its_storage)
{
  al::snapshot().run([&] {
    auto t = octx::RuntimeContext::Attach(with("k", 4));
    al::otel::install_context_storage();
    // The new storage has its own context, and refuses the old token.
    BOOST_TEST(value_of("k") == -1);
    BOOST_TEST(!octx::RuntimeContext::Detach(*t));
    t.reset();
  });
}

BOOST_AUTO_TEST_CASE(while_propagation_is_off_nothing_is_attached)
{
  al::set_enabled(false);
  auto t = octx::RuntimeContext::Attach(with("k", 1));
  BOOST_TEST(t != nullptr);
  BOOST_TEST(value_of("k") == -1);
  BOOST_TEST(!octx::RuntimeContext::Detach(*t));
  al::set_enabled(true);
  BOOST_TEST(value_of("k") == -1);
}

BOOST_AUTO_TEST_SUITE_END()
